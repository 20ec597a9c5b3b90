package kstep.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import javafx.geometry.Bounds;
import javafx.scene.Scene;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import kstep.mm.Vma;
import kstep.scenario.ScenarioLoader;
import kstep.scenario.Session;
import kstep.views.AddressSpaceView;

/** The address-space view in the window: which VMAs a step split or merged, hover details, log scale, stepping back. */
@ExtendWith(ApplicationExtension.class)
class MmViewsTest {
    private MainWindow window;

    @Start
    void start(Stage stage) {
        window = new MainWindow(new Session(ScenarioLoader.loadSample("mm/vma-merge-split"), "linux-6.18"), () -> { });
        stage.setScene(new Scene(window, 1280, 720));
        stage.show();
    }

    private void jump(FxRobot robot, int step) {
        Steps.jump(robot, window, step);
    }

    private static List<String> ranges(List<Vma> vmas) {
        return vmas.stream().map(v -> Long.toHexString(v.start()) + "-" + Long.toHexString(v.end())).toList();
    }

    /** The canvas x range where the view draws {@code v}: [first, last] pixel. */
    private static double[] pixels(AddressSpaceView view, Vma v) {
        double first = -1;
        double last = -1;
        for (double x = 0; x < view.canvas().getWidth(); x += 0.5) {
            if (view.vmaAt(x) == v) {
                if (first < 0) first = x;
                last = x;
            }
        }
        return new double[] {first, last};
    }

    @Test
    void anMmScenarioOpensOnTheMmTab(FxRobot robot) {
        TabPane tabs = robot.lookup("#state-tabs").queryAs(TabPane.class);
        assertEquals("mm", tabs.getSelectionModel().getSelectedItem().getText());
        assertEquals(List.of(), window.addressSpace().shown(), "before the first step tour has no mapping");
    }

    @Test
    void theSplitStepOutlinesTheThreePiecesAndSaysWhatHappened(FxRobot robot) {
        jump(robot, 3);
        AddressSpaceView view = window.addressSpace();
        assertEquals(List.of("10000000-10001000", "10001000-10002000", "10002000-10005000"), ranges(view.shown()));
        assertEquals(3, view.changedNow().size());
        assertEquals("this step: split [0x10000000,0x10005000) into [0x10000000,0x10001000) [0x10001000,0x10002000) [0x10002000,0x10005000)",
            view.detailText());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(3, robot.lookup("#mm-table .changed-row").queryAll().size(), "the three maps rows are marked too");
        robot.clickOn("#step");
        assertEquals(List.of("10000000-10005000"), ranges(view.shown()));
        assertTrue(view.detailText().startsWith("this step: merged "), view.detailText());
    }

    @Test
    void hoveringABarShowsEveryFieldOfItsVma(FxRobot robot) {
        jump(robot, 7);
        AddressSpaceView view = window.addressSpace();
        Vma upper = view.shown().get(1);
        double[] px = pixels(view, upper);
        assertTrue(px[0] >= 0, "the VMA is drawn");
        Bounds b = view.canvas().localToScreen(view.canvas().getBoundsInLocal());
        robot.moveTo(new javafx.geometry.Point2D(b.getMinX() + (px[0] + px[1]) / 2, b.getMinY() + 40));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("10008000-1000a000 rw-p  8 KiB  pgoff 0x10008  anonymous  anon_vma #2  resident 1 of 2 pages  VmFlags rd wr mr mw me ac",
            view.detailText());
    }

    @Test
    void logScaleWidensTheSmallVmasAgainstTheLargeOnes(FxRobot robot) {
        jump(robot, 16);
        AddressSpaceView view = window.addressSpace();
        Vma big = view.shown().get(0);
        Vma page = view.shown().get(view.shown().size() - 1);
        assertEquals(0x1000, page.end() - page.start());
        double[] lb = pixels(view, big);
        double[] lp = pixels(view, page);
        double linear = (lp[1] - lp[0]) / (lb[1] - lb[0]);
        robot.clickOn("#mm-log-scale");
        double[] gb = pixels(view, big);
        double[] gp = pixels(view, page);
        double log = (gp[1] - gp[0]) / (gb[1] - gb[0]);
        assertTrue(log > linear * 1.5, "a page against eight pages: linear " + linear + ", log " + log);
    }

    @Test
    void steppingBackAndForthShowsTheSameMap(FxRobot robot) {
        jump(robot, 9);
        String at9 = window.addressSpace().shown().toString() + window.addressSpace().detailText();
        robot.clickOn("#step");
        robot.clickOn("#step-back");
        assertEquals(at9, window.addressSpace().shown().toString() + window.addressSpace().detailText());
        assertNotNull(window.addressSpace().vmaAt(10), "the first VMA starts at the left edge");
    }

    @Test
    void rightClickOnAVmaBreaksAtItsSplitsAndThenStopsThere(FxRobot robot, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        robot.interact(() -> {
            window.openAnnotations(kstep.annotate.Sidecar.open(dir.resolve("vma.annotations.json")));
            window.session().jump(2);
            window.refresh();
            window.showTab("mm");
        });
        javafx.geometry.Bounds bar = window.annotations().anchors().get("vma:10000000");
        javafx.geometry.Point2D p = window.annotations().localToScreen(bar.getCenterX(), bar.getCenterY());
        robot.moveTo(p).clickOn(javafx.scene.input.MouseButton.SECONDARY);
        robot.clickOn("Break at vma split of 0x10000000");
        assertEquals(java.util.List.of(3, 9, 18), window.breakpoints().entries().get(0).hits());
        robot.clickOn("#continue");
        assertEquals(3, window.session().cursor(), "mprotect splits the VMA in three at step 3");
    }
}
