package kstep.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javafx.scene.Scene;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import kstep.scenario.ScenarioLoader;
import kstep.scenario.Session;

/** The interleaving game played with the keys, headless (Monocle). */
@ExtendWith(ApplicationExtension.class)
class GameTest {
    private MainWindow window;

    @Start
    void start(Stage stage) {
        window = new MainWindow(new Session(ScenarioLoader.loadSample("locks/abba"), "buggy"), () -> { });
        stage.setScene(new Scene(window, 1280, 720));
        stage.show();
    }

    @Test
    void playingAbbaToItsDeadlockCountsMovesAndShowsTheExplorersSchedule(FxRobot robot) {
        robot.clickOn("#game");
        assertEquals(0, window.session().length());
        assertTrue(window.bannerText().startsWith("The interleaving game: you are the scheduler. Reach deadlock"), window.bannerText());
        robot.type(KeyCode.DIGIT1, 8);
        assertEquals("The game: 1 move, 8 steps; goal: deadlock.", window.bannerText());
        robot.type(KeyCode.DIGIT2, 4);
        robot.type(KeyCode.DIGIT1, 12);
        robot.press(KeyCode.SHIFT).type(KeyCode.DIGIT2).release(KeyCode.SHIFT);
        assertTrue(window.bannerText().startsWith("You reached deadlock at step 40 in 4 moves. The explorer's shortest schedule takes 4 moves (40 steps)"),
            window.bannerText());
        robot.press(KeyCode.CONTROL).type(KeyCode.G).release(KeyCode.CONTROL);
        assertTrue(window.bannerText().startsWith("The explorer's shortest schedule: 4 moves, 40 steps"), window.bannerText());
        assertEquals(40, window.session().cursor());
    }
}
