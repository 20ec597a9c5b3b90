package kstep.app;

import org.testfx.api.FxRobot;

/** Moving a window's session in the UI tests: a jump to a step, as the timeline does. */
final class Steps {
    private Steps() { }

    static void jump(FxRobot robot, MainWindow window, int step) {
        robot.interact(() -> {
            window.session().jump(step);
            window.refresh();
        });
    }
}
