package kstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kstep.engine.Finding;
import kstep.engine.Runner;
import kstep.scenario.Instance;
import kstep.scenario.Scenario;
import kstep.scenario.ScenarioLoader;

/**
 * The lock-rule cases under src/test/resources/locks: one scenario a rule of atomic context, sleeping and
 * lockdep, each run on its scripted schedule. A case's variant names the finding kind it must end with, and
 * NAME.expected holds the report's exact text, as the kernel prints it. A case replays alone with
 * {@code kstep run engine/src/test/resources/locks/NAME.yaml}.
 */
class LockRuleCasesTest {
    static Path dir() throws URISyntaxException {
        return Path.of(LockRuleCasesTest.class.getClassLoader().getResource("locks").toURI());
    }

    static Stream<Path> cases() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.list(dir())) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void caseEndsWithItsReportWordForWord(Path file) throws IOException {
        Scenario s = ScenarioLoader.load(file);
        String variant = s.variants().keySet().iterator().next();
        Instance inst = s.instantiate(variant);
        String expect = s.variants().get(variant).expect();
        Runner.Result r = inst.runDefault();
        List<Finding> fs = r.trace().findings();
        Path golden = Path.of(file.toString().replaceFirst("\\.yaml$", ".expected"));
        if (expect.equals("none")) {
            assertTrue(fs.isEmpty(), file + ": no finding expected, got " + fs);
            assertEquals(Runner.Outcome.END, r.outcome(), file + " runs to its end");
            assertTrue(!Files.exists(golden), golden + " has nothing to compare with");
            return;
        }
        assertTrue(!fs.isEmpty(), file + ": expected " + expect + ", got no finding (" + r.outcome() + ")");
        assertEquals(expect, fs.get(0).kind(), file.toString());
        // mvn -pl engine test -Dtest=LockRuleCasesTest -Dkstep.golden.write: (re)writes the sources' files, to review
        if (System.getProperty("kstep.golden.write") != null)
            Files.writeString(Path.of("src/test/resources/locks").resolve(golden.getFileName()), fs.get(0).message(), StandardCharsets.UTF_8);
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), fs.get(0).message(), golden.toString());
    }
}
