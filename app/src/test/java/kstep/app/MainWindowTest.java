package kstep.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import kstep.engine.StepRecord;
import kstep.scenario.ScenarioLoader;
import kstep.scenario.Session;
import kstep.vgic.VpeState;

/** Drives the window as a teacher would, headless (Monocle): clicks, keys, variant switch, interactive mode. */
@ExtendWith(ApplicationExtension.class)
class MainWindowTest {
    private MainWindow window;

    @Start
    void start(Stage stage) {
        Session s = new Session(ScenarioLoader.loadSample("vgic/doorbell-preemption"), "buggy");
        window = new MainWindow(s, () -> { });
        stage.setScene(new Scene(window, 1280, 720));
        stage.show();
    }

    /** The step whose script note starts with {@code prefix}. */
    private int noted(String prefix) {
        for (StepRecord r : window.session().trace().steps()) if (r.note() != null && r.note().startsWith(prefix)) return r.n();
        throw new AssertionError("no note " + prefix);
    }

    /** Moves the cursor to the step of the script note starting with {@code prefix} and redraws. */
    private void showNoted(FxRobot robot, String prefix) {
        robot.interact(() -> {
            window.session().jump(noted(prefix));
            window.refresh();
        });
    }

    private VpeState vpeState() {
        return window.diagram().snapshot().vcpus().get(0).state();
    }

    @Test
    void stepAndStepBackMoveTheCursorAndTheCodePane(FxRobot robot) {
        assertEquals("step 0 / 252", window.stepText());
        robot.clickOn("#step");
        robot.clickOn("#step");
        assertEquals("step 2 / 252", window.stepText());
        assertEquals("vgic/arm.kc", window.codePanes().get(0).shownFile(), "cpu0 entered kvm_arch_vcpu_ioctl_run");
        assertEquals(11, window.codePanes().get(0).currentLine());
        robot.clickOn("#step-back");
        assertEquals("step 1 / 252", window.stepText());
        assertEquals("vgic/kvm_main.kc", window.codePanes().get(0).shownFile());
        robot.type(KeyCode.RIGHT, 3);
        assertEquals("step 4 / 252", window.stepText());
        robot.type(KeyCode.HOME);
        assertEquals("step 0 / 252", window.stepText());
    }

    @Test
    void theDiagramFollowsTheVpeThroughTheBuggyInterleaving(FxRobot robot) {
        showNoted(robot, "The guest executed WFI");
        assertEquals(VpeState.NR_DB, vpeState());
        showNoted(robot, "Schedule 2");
        assertEquals(VpeState.RES_DIRTY, vpeState(), "kvm_sched_in made the vPE resident again");
        robot.clickOn("#next-finding");
        assertEquals("step 252 / 252", window.stepText());
        assertEquals(VpeState.NR_NODB, vpeState());
        assertTrue(window.findingBannerText().startsWith("⚑ lost-wakeup at step 252:  lost wake-up: CPU 0/KVM (pid 1201)"));
        assertEquals(java.util.List.of(8192L), window.diagram().snapshot().vcpus().get(0).vptPending());
    }

    @Test
    void switchingToTheFixedKernelReplaysTheScheduleAtTheSameStep(FxRobot robot) {
        showNoted(robot, "Schedule 2");
        int step = window.session().cursor();
        robot.clickOn("#variant");
        robot.clickOn("fixed");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("fixed", window.session().variant());
        assertEquals(step, window.session().cursor());
        assertEquals("fixed (6.5): no finding, reached the end", window.outcomeText());
        showNoted(robot, "Schedule 2");
        assertEquals(VpeState.NR_DB, vpeState(), "IN_WFI kept vgic_v4_load from making it resident");
        assertTrue(window.diagram().snapshot().vcpus().get(0).inWfi());
        robot.type(KeyCode.V);
        assertEquals("backport-5.15", window.session().variant());
    }

    @Test
    void interactiveModeLetsTheUserPlayTheScheduler(FxRobot robot) {
        showNoted(robot, "The guest executed WFI");
        int before = window.session().cursor();
        robot.type(KeyCode.I);
        assertTrue(window.choiceBar().isVisible());
        Button preempt = robot.lookup("#choice-preempt-cpu0").queryButton();
        assertEquals("2 Preempt CPU 0/KVM on cpu0", preempt.getText());
        robot.clickOn(preempt);
        assertEquals(before + 1, window.session().cursor());
        assertEquals(before + 1, window.session().length(), "the scripted future was dropped");
        robot.type(KeyCode.DIGIT1);
        assertEquals(before + 2, window.session().cursor());
        assertTrue(window.codePanes().get(0).frames().stream().anyMatch(f -> f.function().equals("preempt_schedule_irq")));
    }

    @Test
    void randomModeRecordsTheSeedsSchedule(FxRobot robot) {
        robot.clickOn("#mode");
        robot.clickOn("Random");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(Session.Mode.SEED, window.session().mode());
        assertTrue(robot.lookup("#seed").query().isVisible());
        var first = window.session().trace().schedule();
        robot.interact(() -> window.setMode(MainWindow.MODES[1]));
        assertEquals(first, window.session().trace().schedule(), "the same seed, the same schedule");
        robot.interact(() -> ((javafx.scene.control.Spinner<?>) robot.lookup("#seed").query()).increment());
        assertFalse(first.equals(window.session().trace().schedule()), "another seed, another schedule");
    }

    @Test
    void helpOverlayOpensWithF1AndClosesWithEscape(FxRobot robot) {
        assertFalse(window.helpShown());
        robot.type(KeyCode.F1);
        assertTrue(window.helpShown());
        assertTrue(robot.lookup("#help-overlay").query().isVisible());
        robot.type(KeyCode.ESCAPE);
        assertFalse(window.helpShown());
    }

    @Test
    void clickingTheTimelineJumpsThere(FxRobot robot) {
        var bounds = window.timeline().localToScreen(window.timeline().getBoundsInLocal());
        robot.clickOn(bounds.getMinX() + bounds.getWidth() / 2, bounds.getMinY() + 20);
        int expected = window.timeline().stepAt(bounds.getWidth() / 2);
        assertEquals(expected, window.session().cursor());
        assertTrue(expected > 100 && expected < 150);
    }

    @Test
    void presentationModeHidesTheToolbarAndStepsWithClickerKeys(FxRobot robot) {
        javafx.scene.Node bar = robot.lookup("#step").query().getParent();
        while (bar.getParent() != null && !(bar.getParent() instanceof javafx.scene.layout.BorderPane)) bar = bar.getParent();
        javafx.scene.Node toolbar = bar;
        assertTrue(toolbar.isVisible());
        robot.type(KeyCode.P);
        assertTrue(window.presenting());
        assertFalse(toolbar.isVisible(), "the toolbar is hidden while presenting");
        assertEquals(1.5, window.presentationScale());
        robot.type(KeyCode.SPACE);
        robot.type(KeyCode.PAGE_DOWN);
        assertEquals("step 2 / 252", window.stepText());
        robot.type(KeyCode.PAGE_UP);
        assertEquals("step 1 / 252", window.stepText());
        robot.type(KeyCode.BACK_SPACE);
        assertEquals("step 0 / 252", window.stepText());
        robot.type(KeyCode.CLOSE_BRACKET);
        assertEquals(2.0, window.presentationScale());
        robot.type(KeyCode.CLOSE_BRACKET, 2);
        assertEquals(3.0, window.presentationScale(), "300 % is the largest");
        robot.type(KeyCode.T);
        assertEquals("dark", window.theme());
        assertTrue(window.getStylesheets().stream().anyMatch(u -> u.endsWith("kstep-dark.css")));
        robot.type(KeyCode.ESCAPE);
        assertFalse(window.presenting());
        assertTrue(toolbar.isVisible());
        assertEquals(1.0, window.presentationScale());
        assertEquals("dark", window.theme(), "the theme outlives presentation mode");
        robot.type(KeyCode.T, 2);
        assertEquals("light", window.theme());
        assertTrue(window.getStylesheets().stream().noneMatch(u -> u.contains("kstep-dark") || u.contains("high-contrast")));
    }
}
