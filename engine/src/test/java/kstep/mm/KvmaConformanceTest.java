package kstep.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The running kernel's answers, recorded: each src/test/resources/mm/kvma/NAME.kvma was run by
 * ../shared/tools/kvma.c on Linux 6.18 into NAME.expected. The selftest-* cases follow the kernel's own VMA
 * tests and mm selftests; the random-* ones come from {@link KvmaScriptGenerator}. kstep must print the same,
 * byte for byte. One case replays alone: {@code kstep mm replay engine/src/test/resources/mm/kvma/NAME.kvma}.
 */
class KvmaConformanceTest {
    static Stream<Path> cases() throws IOException, URISyntaxException {
        Path dir = Path.of(KvmaConformanceTest.class.getClassLoader().getResource("mm/kvma").toURI());
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".kvma")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void replayPrintsWhatTheKernelPrinted(Path script) throws IOException {
        String expected = Files.readString(Path.of(script.toString().replaceFirst("\\.kvma$", ".expected")), StandardCharsets.UTF_8);
        KvmaScript s = KvmaScript.parse(script.getFileName().toString(), Files.readString(script, StandardCharsets.UTF_8));
        assertEquals(expected, s.replay(), script.getFileName().toString());
    }
}
