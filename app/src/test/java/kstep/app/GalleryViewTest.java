package kstep.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javafx.scene.Scene;
import javafx.stage.Stage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import kstep.scenario.Scenario;

@ExtendWith(ApplicationExtension.class)
class GalleryViewTest {
    private final List<Scenario> opened = new ArrayList<>();
    private GalleryView gallery;

    @Start
    void start(Stage stage) {
        gallery = new GalleryView(opened::add);
        stage.setScene(new Scene(gallery, 720, 520));
        stage.show();
    }

    @Test
    void clickingASampleOpensIt(FxRobot robot) {
        robot.clickOn("#sample-vgic-doorbell-preemption");
        assertEquals(1, opened.size());
        assertEquals("vgic/doorbell-preemption", opened.get(0).id());
    }

    @Test
    void aBrokenFileIsReportedAndNothingOpens(FxRobot robot, @TempDir Path dir) throws Exception {
        Path bad = dir.resolve("mine.yaml");
        Files.writeString(bad, "title: mine\nmachine:\n  cpus: [1\n");
        robot.interact(() -> gallery.openFile(bad, opened::add));
        assertTrue(opened.isEmpty());
        assertTrue(gallery.errorText().startsWith(bad + ":4:1: error: YAML: "), gallery.errorText());
        assertEquals("title: mine\nmachine:\n  cpus: [1\n", Files.readString(bad));
    }

    @Test
    void theVerifierTourOpensInItsOwnWindowAndAMissingOneIsReported(FxRobot robot, @TempDir Path dir) {
        int before = javafx.stage.Window.getWindows().size();
        robot.interact(() -> gallery.openVerifier(Path.of("../samples/bpf/verifier-tour")));
        assertEquals("", gallery.errorText());
        assertEquals(before + 1, javafx.stage.Window.getWindows().size());
        robot.interact(() -> gallery.openVerifier(dir));
        assertTrue(gallery.errorText().endsWith("has no .s or .hex programs"), gallery.errorText());
    }
}
