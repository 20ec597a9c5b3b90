package kstep.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kstep.engine.Runner;
import kstep.lang.SourceError;

class ScenarioLoaderTest {
    static Path dir(String name) throws URISyntaxException {
        return Path.of(ScenarioLoaderTest.class.getClassLoader().getResource("scenarios/" + name).toURI());
    }

    static Stream<Path> badFiles() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.list(dir("bad"))) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    /** Each bad file's first line says the exact error: "# expect: FILE:line:col: error: ...". */
    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void badScenarioFilesAreReportedAtTheirFileLineAndColumn(Path file) throws IOException {
        String first = Files.readAllLines(file, StandardCharsets.UTF_8).get(0);
        assertTrue(first.startsWith("# expect: "), file + " must start with its expected error");
        String expected = first.substring("# expect: ".length()).replace("FILE", file.toString());
        byte[] before = Files.readAllBytes(file);
        SourceError e = assertThrows(SourceError.class, () -> ScenarioLoader.load(file));
        assertEquals(expected, e.getMessage());
        assertEquals(List.of(before).get(0).length, Files.readAllBytes(file).length, "loading never writes the file");
    }

    @Test
    void aScenarioFindsItsOwnModelNextToIt() throws Exception {
        Scenario s = ScenarioLoader.load(dir("good").resolve("counter.yaml"));
        assertEquals("counter", s.id());
        Runner.Result r = s.instantiate("racy").runDefault();
        assertEquals(Runner.Outcome.END, r.outcome(), "the script runs the workers one after the other: no lost update");
        assertTrue(r.trace().findings().isEmpty());
        var x = s.instantiate("racy").explore(null);
        assertEquals("warning", x.finding().kind(), "but the explorer finds the interleaving that loses one");
    }

    @Test
    void aMissingFileOrSampleIsAnInputError() {
        SourceError e = assertThrows(SourceError.class, () -> Samples.open("no/such-thing"));
        assertEquals("no/such-thing:1:1: error: no such file, and no sample with that id (kstep list shows the samples)", e.getMessage());
    }

    @Test
    void everySampleIsListedInTheIndexAndLoads() throws Exception {
        Path samples = Path.of("..", "samples");
        List<String> onDisk;
        try (Stream<Path> s = Files.walk(samples)) {
            onDisk = s.filter(p -> p.toString().endsWith(".yaml"))
                .map(p -> samples.relativize(p).toString().replace('\\', '/').replaceFirst("\\.yaml$", "")).sorted().toList();
        }
        assertEquals(onDisk, Samples.ids().stream().sorted().toList());
        for (String id : Samples.ids()) ScenarioLoader.loadSample(id);
    }
}
