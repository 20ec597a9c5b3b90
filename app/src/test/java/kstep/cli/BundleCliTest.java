package kstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kstep.annotate.Sidecar;
import kstep.bundle.Bundle;
import kstep.scenario.Session;

/** kstep bundle saves a moment; export, gui and ./kstep FILE.kstep open it where it was. */
class BundleCliTest {
    @Test
    void aBundledMomentExportsAtItsStepWithItsTabsAndSchedule(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("abba.kstep");
        CliTest.Out b = CliTest.kstep("bundle", "locks/abba", "--variant", "fixed", "--seed", "3", "--step", "10", "--tabs", "lockdep", "--out", f.toString());
        assertEquals(Cli.OK, b.code(), b.err());
        assertTrue(b.out().startsWith("wrote " + f + " (locks/abba, variant fixed, step 10 of "), b.out());
        Bundle.Moment m = Bundle.open(f, Sidecar.dataHome());
        assertEquals(Session.Mode.SEED, m.session().mode());
        assertEquals(3, m.session().seed());
        assertEquals(10, m.session().cursor());
        assertEquals(List.of("lockdep"), m.tabs());
        CliTest.Out e = CliTest.kstep("export", f.toString(), "--out", dir.resolve("shots").toString());
        assertEquals(Cli.OK, e.code(), e.err());
        try (var files = Files.list(dir.resolve("shots"))) {
            assertEquals(List.of("step-0010.png"), files.map(p -> p.getFileName().toString()).toList(), "one moment, one image");
        }
        CliTest.Out again = CliTest.kstep("bundle", "locks/abba", "--out", f.toString());
        assertEquals(Cli.BAD_INPUT, again.code());
        assertEquals("kstep: " + f + " exists; kstep does not overwrite files (use --force)\n", again.err());
    }

    @Test
    void aBrokenBundleIsABadInputWithItsName(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("broken.kstep");
        Files.writeString(f, "not a zip");
        CliTest.Out e = CliTest.kstep("export", f.toString(), "--out", dir.resolve("shots").toString());
        assertEquals(Cli.BAD_INPUT, e.code());
        assertEquals(f + ":1:1: error: not a kstep bundle (empty, or not a zip file)\n", e.err());
        assertFalse(Files.exists(dir.resolve("shots")));
        CliTest.Out g = CliTest.kstep("gui", f.toString());
        assertEquals(Cli.BAD_INPUT, g.code(), "refused before any window opens");
    }
}
