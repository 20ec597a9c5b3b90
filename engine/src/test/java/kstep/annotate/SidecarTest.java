package kstep.annotate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kstep.lang.SourceError;
import kstep.scenario.ScenarioLoader;

class SidecarTest {
    static AnnotationDoc sample() {
        return AnnotationDoc.EMPTY
            .with(new Annotation.Box("a1", "buggy", new StepRange(40, 60), "#d1242f", new Anchor("vgic:pcpu0", -0.02, -0.05), new Anchor("vgic:pcpu0", 1.02, 1.05)))
            .with(new Annotation.Arrow("a2", "buggy", StepRange.from(40), "#1f6feb", new Anchor("cpu0:line:vgic/arm.kc:14", 1.1, 0.5), new Anchor("vgic:vpe0", 0, 0.5)))
            .with(new Annotation.Highlight("a3", "fixed", StepRange.ALL, "#f59e0b", new Anchor("window", 0.1, 0.1), new Anchor("window", 0.3, 0.2)))
            .with(new Annotation.Marker("a4", "buggy", StepRange.only(252), "#d1242f", new Anchor("timeline", 0.98, 0.2), 1))
            .with(new Annotation.Callout("a5", "buggy", StepRange.only(252), "#82071e", new Anchor("vgic:vpe0", 0.1, 1.1), "the doorbell is never armed \"here\"\nsee step 40"))
            .withNote("buggy", 40, "Ask: who clears the doorbell?")
            .withNote("fixed", 3, "Compare with the buggy run.");
    }

    @Test
    void saveThenOpenGivesBackEveryAnnotationAndNote(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("abba.annotations.json");
        Sidecar s = Sidecar.open(f);
        assertEquals(AnnotationDoc.EMPTY, s.doc());
        s.save(sample());
        Sidecar again = Sidecar.open(f);
        assertTrue(again.problem().isEmpty());
        assertEquals(sample(), again.doc());
        String text = Files.readString(f);
        assertTrue(text.contains("\"kind\" : \"callout\""), text);
        assertTrue(text.contains("\"steps\" : \"40..60\""), "readable step ranges: " + text);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary file is left");
        }
    }

    @Test
    void breakpointsAreSavedWithTheAnnotationsAndAFileWithoutThemReadsAsBefore(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("abba.annotations.json");
        Sidecar.open(f).save(sample());
        assertFalse(Files.readString(f).contains("breakpoints"), "no breakpoints, no field: older kstep reads the file");
        AnnotationDoc d = sample().withBreakpoints(List.of("lock-taken mutex_a", "watch vcpu0.its_vpe if cpu1.preempt_count > 0"));
        Sidecar.open(f).save(d);
        assertEquals(d.breakpoints(), Sidecar.open(f).doc().breakpoints());
        SourceError e = assertThrows(SourceError.class, () -> Sidecar.parse("x.json",
            "{\"kstep\": \"kstep annotations\", \"version\": 1,\n \"breakpoints\": [\"vma-split\", 3]}"));
        assertEquals("x.json:2:31: error: each breakpoint is a string, as kstep debug --break takes it", e.getMessage());
    }

    @Test
    void nothingToSaveMakesNoFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.annotations.json");
        Sidecar.open(f).save(AnnotationDoc.EMPTY);
        assertFalse(Files.exists(f));
    }

    @Test
    void aCorruptSidecarIsReportedWithLineAndColumnAndNeverOverwritten(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("abba.annotations.json");
        String broken = "{\n  \"kstep\": \"kstep annotations\",\n  \"version\": 1,\n  \"annotations\": [\n    {\"id\": \"a1\", \"kind\": \"box\",,}\n  ]\n}\n";
        Files.writeString(f, broken);
        Sidecar s = Sidecar.open(f);
        SourceError e = s.problem().orElseThrow();
        assertEquals(f.toString(), e.pos().file());
        assertEquals(5, e.pos().line());
        assertEquals(32, e.pos().col(), "the second comma");
        assertTrue(e.detail().startsWith("not valid JSON: "), e.detail());
        assertEquals(dir.resolve("abba.annotations-2.json"), s.saveTo());
        assertTrue(s.problemText().orElseThrow().endsWith("(kept as it is; kstep saves your annotations to abba.annotations-2.json)"));
        AnnotationEditor ed = new AnnotationEditor(s);
        ed.apply(d -> d.withNote("buggy", 1, "new work"));
        assertEquals(broken, Files.readString(f), "the corrupt file is kept byte for byte");
        assertEquals("new work", Sidecar.open(dir.resolve("abba.annotations-2.json")).doc().note("buggy", 1));
    }

    @Test
    void wrongContentNamesTheAnnotationAndWhereItStarts() {
        String text = "{\"kstep\": \"kstep annotations\", \"version\": 1, \"annotations\": [\n"
            + "  {\"id\": \"a1\", \"kind\": \"box\", \"variant\": \"buggy\", \"steps\": \"1\", \"colour\": \"#000000\", \"at\": [{\"target\": \"window\", \"x\": 0, \"y\": 0}, {\"target\": \"window\", \"x\": 1, \"y\": 1}]},\n"
            + "  {\"id\": \"a2\", \"kind\": \"circle\", \"variant\": \"buggy\", \"steps\": \"1\", \"colour\": \"#000000\", \"at\": []}\n]}";
        SourceError e = assertThrows(SourceError.class, () -> Sidecar.parse("t.json", text));
        assertEquals("t.json:3:3: error: annotation 'a2': kind 'circle' is not arrow, box, highlight, marker or callout", e.getMessage());
        SourceError steps = assertThrows(SourceError.class, () -> Sidecar.parse("t.json", text.replace("\"steps\": \"1\"", "\"steps\": \"9..3\"")));
        assertEquals("t.json:2:3: error: annotation 'a1': steps 9..3 are not a range", steps.getMessage());
        SourceError magic = assertThrows(SourceError.class, () -> Sidecar.parse("t.json", "{\"annotations\": []}"));
        assertEquals("t.json:1:1: error: not a kstep annotations file (no \"kstep\": \"kstep annotations\")", magic.getMessage());
        SourceError version = assertThrows(SourceError.class, () -> Sidecar.parse("t.json", "{\"kstep\": \"kstep annotations\", \"version\": 7}"));
        assertEquals("t.json:1:32: error: version 7 is not one this kstep reads (it reads 1)", version.getMessage());
    }

    @Test
    void aScenarioFilesSidecarSitsNextToItAndASamplesInTheDataFolder(@TempDir Path dir) throws Exception {
        Path y = dir.resolve("mine.yaml");
        Files.writeString(y, Files.readString(Path.of("../samples/locks/abba.yaml")));
        assertEquals(dir.resolve("mine.annotations.json").toAbsolutePath(), Sidecar.pathFor(ScenarioLoader.load(y)));
        String old = System.getProperty("kstep.data");
        System.setProperty("kstep.data", dir.toString());
        try {
            assertEquals(dir.resolve("annotations/locks-abba.annotations.json"), Sidecar.pathFor(ScenarioLoader.loadSample("locks/abba")));
        } finally {
            if (old == null) System.clearProperty("kstep.data");
            else System.setProperty("kstep.data", old);
        }
    }
}
