package kstep.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import kstep.engine.Finding;
import kstep.engine.Runner;

/**
 * Data-driven cases: a directory of test resources holding one scenario a case (NAME.yaml, its models next to
 * it). The first variant's {@code expect} names the finding kind the scripted run must end with, and
 * NAME.expected the finding's exact text; "none" means the run reaches its end with no finding. Run the
 * tests with -Dkstep.golden.write to (re)write the .expected files in the sources, for review.
 */
public final class GoldenCases {
    private GoldenCases() { }

    /** The cases of resource directory {@code dir}, sorted by name. */
    public static Stream<Path> in(String dir) throws IOException, URISyntaxException {
        Path d = Path.of(GoldenCases.class.getClassLoader().getResource(dir).toURI());
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    /** Runs case {@code file} (from resource directory {@code dir}) and checks its outcome and text. */
    public static void check(String dir, Path file) throws IOException {
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
        if (System.getProperty("kstep.golden.write") != null)
            Files.writeString(Path.of("src/test/resources").resolve(dir).resolve(golden.getFileName()), fs.get(0).message(), StandardCharsets.UTF_8);
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), fs.get(0).message(), golden.toString());
    }
}
