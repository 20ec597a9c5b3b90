package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verifier's checks before simulation against Linux 6.18's log for broken programs (tools/bpfstruct.py):
 * the whole log when the program fails them, and through the live-regs table when it passes.
 */
class StructureTest {
    static Stream<Path> cases() throws Exception {
        Path dir = Path.of(StructureTest.class.getResource("/bpf/structure").toURI());
        return Files.list(dir).filter(p -> p.toString().endsWith(".case")).sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theLogIsTheKernels(Path f) throws Exception {
        String t = Files.readString(f);
        String prog = t.split("-- program\n")[1].split("\n-- ")[0];
        List<String> want = new ArrayList<>(Arrays.asList(t.split("-- log\n")[1].split("\n")));
        want.removeIf(String::isBlank);
        BpfProgram p = new BpfProgram("t", BpfProgram.ProgType.SOCKET_FILTER, ProgramFile.hex(f.toString(), prog));
        Structure.Result r = Structure.check(p, 2);
        assertEquals(String.join("\n", want), String.join("\n", r.log()));
    }
}
