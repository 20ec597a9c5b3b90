package kstep.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import kstep.scenario.ScenarioLoader;
import kstep.scenario.Session;
import kstep.views.MmSelection;

/** The GUP panel on the debugger sample: chain, flags, the pages array and its counts, linked to the memory views. */
@ExtendWith(ApplicationExtension.class)
class GupPanelTest {
    private MainWindow window;

    @Start
    void start(Stage stage) {
        window = new MainWindow(new Session(ScenarioLoader.loadSample("mm/gup-remote"), "before"), () -> { });
        stage.setScene(new Scene(window, 1280, 720));
        stage.show();
    }

    private List<String> rowsAt(FxRobot robot, int step) {
        Steps.jump(robot, window, step);
        robot.clickOn("gup");
        WaitForAsyncUtils.waitForFxEvents();
        return window.gupPanel().rows();
    }

    @Test
    void thePinShowsTheBiasedRefcountTheInternalFlagsAndTheLock(FxRobot robot) {
        List<String> rows = rowsAt(robot, 891);
        assertTrue(rows.contains("chain debugger_main → pin_user_pages_remote → __get_user_pages_locked → __get_user_pages"), rows.toString());
        assertTrue(rows.contains("flags FOLL_WRITE|FOLL_TOUCH|FOLL_REMOTE|FOLL_PIN|FOLL_UNLOCKABLE"), rows.toString());
        assertTrue(rows.stream().anyMatch(r -> r.startsWith("pages[0] = 0xffffea0000000200 → frame 8, refcount 1025, pinned")), rows.toString());
        assertTrue(rows.contains("target_mm.mmap_lock: held for reading (1 reader)"), rows.toString());
        Label pin = robot.lookup("#foll-FOLL_PIN").queryAs(Label.class);
        assertEquals("PIN*", pin.getText(), "internal flags are starred");
    }

    @Test
    void clickingAPageSelectsItsFrameInTheMemoryViews(FxRobot robot) {
        rowsAt(robot, 891);
        robot.clickOn(robot.lookup((Label l) -> l.getText().startsWith("  pages[0] =")).queryAs(Label.class));
        assertEquals(new MmSelection.Frame(8), window.mmSelection().get());
    }

    @Test
    void outsideGupThePanelSaysSo(FxRobot robot) {
        assertEquals(List.of("idle"), rowsAt(robot, 5));
    }
}
