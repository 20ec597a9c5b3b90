package kstep.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import javafx.scene.Scene;
import javafx.scene.control.TabPane;
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

/** The lock views in the window, driven as a teacher would: the holders and waiters, lockdep's graph, dmesg. */
@ExtendWith(ApplicationExtension.class)
class LockViewsTest {
    private MainWindow window;

    @Start
    void start(Stage stage) {
        window = new MainWindow(new Session(ScenarioLoader.loadSample("locks/pgo-prf-open"), "buggy"), () -> { });
        stage.setScene(new Scene(window, 1280, 720));
        stage.show();
    }

    private void showNoted(FxRobot robot, String prefix) {
        int n = -1;
        for (StepRecord r : window.session().trace().steps()) if (r.note() != null && r.note().startsWith(prefix)) n = r.n();
        int step = n;
        robot.interact(() -> {
            window.session().jump(step);
            window.refresh();
        });
    }

    @Test
    void aLockScenarioOpensOnTheLocksTabWithoutTheVgicOne(FxRobot robot) {
        TabPane tabs = robot.lookup("#state-tabs").queryAs(TabPane.class);
        assertEquals(List.of("Locks", "lockdep"), tabs.getTabs().stream().map(t -> t.getText()).toList());
        assertEquals("Locks", tabs.getSelectionModel().getSelectedItem().getText());
    }

    @Test
    void theHolderAndTheSpinningWaiterShowWhereAndSinceWhen(FxRobot robot) {
        showNoted(robot, "Profiled code on cpu1");
        List<String> cards = window.lockHolders().cardTexts();
        assertEquals(1, cards.size(), cards.toString());
        assertEquals("pgo_lock  spinlock · held since step 6\n"
            + "holder: cat (pid 337, cpu0), taken in prf_lock locks/pgo.kc:36\n"
            + "1. waiting: kworker/1:1 (spinning on cpu1)", cards.get(0));
        robot.clickOn("#step");
        assertTrue(window.findingBannerText().startsWith("⚑ sleep-in-atomic at step 13:  BUG: sleeping function called from invalid context"));
    }

    @Test
    void stepBackShowsTheLockFreeAgain(FxRobot robot) {
        robot.interact(() -> {
            window.session().jump(5);
            window.refresh();
        });
        assertEquals(List.of(), window.lockHolders().cardTexts().stream().filter(c -> c.contains("held")).toList(),
            "before prf_lock() nobody holds pgo_lock");
        robot.clickOn("#step");
        assertTrue(window.lockHolders().cardTexts().get(0).startsWith("pgo_lock  spinlock · held since step 6"));
        robot.clickOn("#step-back");
        assertTrue(window.lockHolders().cardTexts().stream().noneMatch(c -> c.contains("held")));
    }

    @Test
    void dmesgShowsTheSplatLineByLineWithTimestamps(FxRobot robot) {
        robot.clickOn("#next-finding");
        robot.clickOn("dmesg");
        WaitForAsyncUtils.waitForFxEvents();
        String log = window.kernelLog().getText();
        assertTrue(log.startsWith("[    0.013000] BUG: sleeping function called from invalid context at include/linux/sched/mm.h:201\n"
            + "[    0.013000] in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: 337, name: cat\n"), log);
    }

    @Test
    void inInteractiveModeTheUserCanRunThePendingSoftirq(FxRobot robot) {
        robot.interact(() -> window.setSession(new Session(ScenarioLoader.loadSample("locks/softirq-bh"), "buggy")));
        showNoted(robot, "The handler acknowledges the NIC");
        robot.type(javafx.scene.input.KeyCode.I);
        for (int i = 0; i < 6 && robot.lookup("#choice-softirq-cpu0").tryQuery().isEmpty(); i++) robot.type(javafx.scene.input.KeyCode.DIGIT1);
        javafx.scene.control.Button b = robot.lookup("#choice-softirq-cpu0").queryButton();
        assertEquals("Softirq NET_RX on cpu0", b.getText().replaceFirst("^[0-9] ", ""));
        robot.clickOn(b);
        assertTrue(window.codePanes().get(0).frames().stream().anyMatch(f -> f.function().equals("__do_softirq")));
    }

    @Test
    void theLockdepGraphDrawsTheAbbaCycleInRed(FxRobot robot) {
        robot.interact(() -> window.setSession(new Session(ScenarioLoader.loadSample("locks/abba"), "buggy")));
        robot.clickOn("lockdep");
        robot.clickOn("#next-finding");
        assertEquals(List.of("mutex_a {+.+.}", "mutex_b {+.+.}"), window.lockdepGraph().nodes());
        assertEquals(List.of("mutex_a -> mutex_b: worker_ab (locks/abba.kc:15)", "mutex_b -> mutex_a: refused"), window.lockdepGraph().edgeLabels());
        assertTrue(robot.lookup(".lock-node-cycle").queryAll().size() == 2, "both classes are on the cycle");
        robot.clickOn("#reset");
        assertEquals(List.of(), window.lockdepGraph().nodes(), "at step 0 lockdep has seen nothing");
    }
}
