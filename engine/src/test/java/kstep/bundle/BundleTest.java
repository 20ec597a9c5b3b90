package kstep.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kstep.annotate.Anchor;
import kstep.annotate.Annotation;
import kstep.annotate.AnnotationDoc;
import kstep.annotate.Sidecar;
import kstep.annotate.StepRange;
import kstep.engine.Choice;
import kstep.engine.StateHash;
import kstep.lang.SourceError;
import kstep.scenario.ScenarioLoader;
import kstep.scenario.Session;

class BundleTest {
    private static final AnnotationDoc DOC = AnnotationDoc.EMPTY
        .with(new Annotation.Marker("a1", "buggy", StepRange.only(3), "#d1242f", new Anchor("lock:mutex_a", 0.5, 0.5), 1))
        .withNote("buggy", 3, "Who holds mutex_a now?");

    @Test
    void aMomentChosenByHandOpensAtTheSameStepWithTheSameStateAndAnnotations(@TempDir Path dir) throws IOException {
        Session s = new Session(ScenarioLoader.loadSample("locks/abba"), "buggy");
        for (String c : List.of("cpu1", "cpu1", "cpu0", "cpu1", "cpu0")) s.choose(Choice.parse(c));
        s.jump(3);
        Path f = dir.resolve("moment.kstep");
        Bundle.write(f, s, DOC, List.of("lockdep"));
        Bundle.Moment m = Bundle.open(f, dir.resolve("home"));
        assertEquals(3, m.session().cursor());
        assertEquals(Session.Mode.INTERACTIVE, m.session().mode());
        assertEquals(s.trace().schedule(), m.session().trace().schedule());
        for (int n = 0; n <= s.length(); n++) assertEquals(StateHash.of(s.worldAt(n)), StateHash.of(m.session().worldAt(n)), "step " + n);
        assertEquals(List.of("lockdep"), m.tabs());
        assertEquals(DOC, Sidecar.open(Sidecar.pathFor(m.session().scenario())).doc(), "the annotations sit next to the unpacked scenario");
        assertTrue(Sidecar.pathFor(m.session().scenario()).startsWith(m.folder()));
    }

    @Test
    void theSameBundleOpenedAgainKeepsTheStudentsAnnotationsAndTheBytesAreStable(@TempDir Path dir) throws IOException {
        Session s = new Session(ScenarioLoader.loadSample("locks/abba"), "fixed");
        s.seeded(7);
        s.jump(5);
        Path a = dir.resolve("a.kstep");
        Path b = dir.resolve("b/a.kstep");
        Bundle.write(a, s, DOC, List.of());
        Bundle.write(b, s, DOC, List.of());
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)), "the same moment, the same bytes");
        Bundle.Moment m = Bundle.open(a, dir.resolve("home"));
        assertEquals(Session.Mode.SEED, m.session().mode());
        assertEquals(7, m.session().seed());
        assertEquals("fixed", m.session().variant());
        Path side = Sidecar.pathFor(m.session().scenario());
        Sidecar.open(side).save(DOC.withNote("buggy", 9, "mine"));
        Bundle.Moment again = Bundle.open(a, dir.resolve("home"));
        assertEquals("mine", Sidecar.open(Sidecar.pathFor(again.session().scenario())).doc().note("buggy", 9));
    }

    @Test
    void aScenarioFilesOwnModelsTravelWithIt(@TempDir Path dir) throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("locks"));
        Files.writeString(src.resolve("abba.yaml"), Files.readString(Path.of("../samples/locks/abba.yaml")));
        String model = ScenarioLoader.loadSample("locks/abba").models().stream().filter(m -> m.name().equals("locks/abba.kc")).findFirst().orElseThrow().text();
        Files.writeString(src.resolve("locks/abba.kc"), model);
        Session s = new Session(ScenarioLoader.load(src.resolve("abba.yaml")), "buggy");
        Path f = dir.resolve("file.kstep");
        Bundle.write(f, s, AnnotationDoc.EMPTY, List.of());
        // the sender's folder is gone: the bundle has everything
        Files.delete(src.resolve("locks/abba.kc"));
        Files.delete(src.resolve("abba.yaml"));
        Bundle.Moment m = Bundle.open(f, dir.resolve("home"));
        assertEquals(s.length(), m.session().length());
        assertTrue(Files.exists(m.folder().resolve("locks/abba.kc")));
        assertEquals(s.trace().schedule(), m.session().trace().schedule());
    }

    @Test
    void badBundlesAreRefusedWithTheFileAndTheReason(@TempDir Path dir) throws IOException {
        Path notZip = dir.resolve("x.kstep");
        Files.writeString(notZip, "hello");
        assertEquals(notZip + ":1:1: error: not a kstep bundle (empty, or not a zip file)",
            assertThrows(SourceError.class, () -> Bundle.open(notZip, dir)).getMessage());
        Path noMeta = zip(dir.resolve("y.kstep"), "scenario.yaml", "title: x\n");
        assertEquals(noMeta + ":1:1: error: not a kstep bundle (no bundle.json and scenario.yaml in it)",
            assertThrows(SourceError.class, () -> Bundle.open(noMeta, dir)).getMessage());
        Path badJson = zip(dir.resolve("z.kstep"), "bundle.json", "{\n  \"kstep\": \"kstep bundle\",\n  \"version\" 1\n}", "scenario.yaml", "title: x\n");
        SourceError e = assertThrows(SourceError.class, () -> Bundle.open(badJson, dir));
        assertTrue(e.getMessage().startsWith(badJson + "!bundle.json:3:13: error: not valid JSON: "), e.getMessage());
        Path slip = zip(dir.resolve("s.kstep"), "bundle.json", "{\"kstep\": \"kstep bundle\", \"version\": 1, \"scenario\": \"x\"}", "scenario.yaml", "title: x\n",
            "models/../../evil.kc", "boom");
        assertEquals(slip + ":1:1: error: entry models/../../evil.kc points outside the bundle", assertThrows(SourceError.class, () -> Bundle.open(slip, dir.resolve("h"))).getMessage());
        assertFalse(Files.exists(dir.resolve("evil.kc")));
    }

    private static Path zip(Path p, String... nameText) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            for (int i = 0; i < nameText.length; i += 2) {
                z.putNextEntry(new ZipEntry(nameText[i]));
                z.write(nameText[i + 1].getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return p;
    }
}
