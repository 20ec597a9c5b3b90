package kstep.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.scene.control.TabPane;
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

/** The page-table, physical-memory and vma-list views in the window, clicked and stepped as a teacher would. */
@ExtendWith(ApplicationExtension.class)
class PagingViewsTest {
    private MainWindow window;

    @Start
    void start(Stage stage) {
        window = new MainWindow(new Session(ScenarioLoader.loadSample("mm/demand-paging"), "linux-6.18"), () -> { });
        window.pageTables().setAnimated(false);
        stage.setScene(new Scene(window, 1280, 720));
        stage.show();
    }

    private void jump(FxRobot robot, int step) {
        Steps.jump(robot, window, step);
    }

    private static List<String> matching(List<String> rows, String part) {
        return rows.stream().filter(r -> r.contains(part)).toList();
    }

    @Test
    void theMemoryTabsComeAfterTheAddressSpace(FxRobot robot) {
        TabPane tabs = robot.lookup("#state-tabs").queryAs(TabPane.class);
        assertEquals(List.of("mm", "page tables", "memory"), tabs.getTabs().stream().map(t -> t.getText()).toList().subList(0, 3));
    }

    @Test
    void theFirstReadShowsItsWalkAndTheNewTablesMarked(FxRobot robot) {
        robot.clickOn("page tables");
        jump(robot, 2);
        assertEquals("read 0x10000000: PGD[0] PUD[0] PMD[128] PTE[0] → frame 0", window.pageTables().walkText());
        List<String> rows = window.pageTables().rows();
        assertEquals(1, matching(rows, "PTE[0] 0x10000000: 8000000000000225 → frame 0  P US A SPECIAL NX  [changed]").size(), rows.toString());
        assertEquals(1, matching(rows, "PMD[128] 0x10000000-0x10200000 → PTE table in frame 4  [changed]").size(), rows.toString());
        robot.clickOn("#step");
        assertEquals("write 0x10000000: PGD[0] PUD[0] PMD[128] PTE[0] → frame 5", window.pageTables().walkText());
        assertEquals(1, matching(window.pageTables().rows(), "→ frame 5  P RW US A D NX  [changed]").size());
    }

    @Test
    void clickingAFrameMarksThePteThatMapsItAndClickingAVmaItsFrames(FxRobot robot) {
        jump(robot, 4);
        robot.clickOn("memory");
        WaitForAsyncUtils.waitForFxEvents();
        double[] c = window.physicalMemory().centreOf(6);
        Bounds b = window.physicalMemory().gridCanvas().localToScreen(window.physicalMemory().gridCanvas().getBoundsInLocal());
        robot.clickOn(new Point2D(b.getMinX() + c[0], b.getMinY() + c[1]));
        assertEquals(new MmSelection.Frame(6), window.mmSelection().get());
        assertTrue(window.physicalMemory().detailText().startsWith("frame 6: anon (anon_vma 1, index 0x10001)"), window.physicalMemory().detailText());
        assertTrue(window.physicalMemory().detailText().endsWith("mapped by demo 0x10001000"), window.physicalMemory().detailText());
        robot.clickOn("page tables");
        assertEquals(1, matching(window.pageTables().rows(), "[selected]").size());
        assertTrue(matching(window.pageTables().rows(), "[selected]").get(0).contains("0x10001000"));
        robot.clickOn("mm");
        WaitForAsyncUtils.waitForFxEvents();
        Bounds ab = window.addressSpace().canvas().localToScreen(window.addressSpace().canvas().getBoundsInLocal());
        robot.clickOn(new Point2D(ab.getMinX() + 40, ab.getMinY() + 45));
        assertEquals(new MmSelection.Range("demo", 0x10000000L, 0x10004000L), window.mmSelection().get());
        assertEquals(Set.of(5, 6), window.physicalMemory().highlighted(), "the VMA's two written pages");
    }

    @Test
    void rightClickOnAFrameWatchesItsStructPageAndSaysWhyItIsSo(FxRobot robot, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        robot.interact(() -> {
            window.openAnnotations(kstep.annotate.Sidecar.open(dir.resolve("demand-paging.annotations.json")));
            window.refresh();
        });
        jump(robot, 4);
        robot.clickOn("memory");
        WaitForAsyncUtils.waitForFxEvents();
        double[] c = window.physicalMemory().centreOf(6);
        Bounds b = window.physicalMemory().gridCanvas().localToScreen(window.physicalMemory().gridCanvas().getBoundsInLocal());
        robot.moveTo(new Point2D(b.getMinX() + c[0], b.getMinY() + c[1])).clickOn(javafx.scene.input.MouseButton.SECONDARY);
        robot.clickOn("Break when frame 6 changes (its struct page)");
        var e = window.breakpoints().entries().get(0);
        assertEquals("watch frame6", e.breakpoint().spec());
        assertEquals(hitsOf(window, "watch frame6"), e.hits());
        assertTrue(e.hits().contains(4), "the write fault at step 4 put a page in it: " + e);
        // the banner under the toolbar moved the grid down
        WaitForAsyncUtils.waitForFxEvents();
        Bounds b2 = window.physicalMemory().gridCanvas().localToScreen(window.physicalMemory().gridCanvas().getBoundsInLocal());
        robot.moveTo(new Point2D(b2.getMinX() + c[0], b2.getMinY() + c[1])).clickOn(javafx.scene.input.MouseButton.SECONDARY);
        robot.clickOn("Why is frame6 so? (the steps that wrote it)");
        assertEquals(4, window.breakpoints().history().get(window.breakpoints().history().size() - 1).step(), "the first write: the fault");
    }

    private static java.util.List<Integer> hitsOf(MainWindow w, String spec) {
        return kstep.debug.Debugger.all(w.session(), kstep.debug.Breakpoints.parse(spec, w.session().worldAt(0))).stream().map(kstep.debug.Debugger.Hit::step).toList();
    }

    @Test
    void theMemoryViewShowsKswapdAtWorkAndTheLruLists(FxRobot robot) {
        robot.interact(() -> window.setSession(new Session(ScenarioLoader.loadSample("mm/kswapd-reclaim"), "linux-6.18")));
        int step = -1;
        int activated = -1;
        for (var r : window.session().trace().steps()) {
            if (step < 0 && r.events().stream().anyMatch(e -> e.text().startsWith("folio_check_references: frame 5 (PG_referenced): FOLIOREF_ACTIVATE"))) step = r.n();
            if (activated < 0 && r.events().stream().anyMatch(e -> e.text().startsWith("shrink_folio: frame 5 ") && e.text().endsWith("activated"))) activated = r.n();
        }
        int at = step;
        int then = activated;
        jump(robot, at);
        robot.clickOn("memory");
        assertTrue(window.physicalMemory().titleText().startsWith("Physical memory: 48 frames · "), window.physicalMemory().titleText());
        assertTrue(window.physicalMemory().detailText().startsWith("kswapd is looking at frame 5"), window.physicalMemory().detailText());
        jump(robot, then);
        assertTrue(window.physicalMemory().lruText().get(1).startsWith("active_anon [5]"), window.physicalMemory().lruText().toString());
    }

    @Test
    void theVmaListShowsKswapdPointingAtTheFreedVma(FxRobot robot) {
        robot.interact(() -> window.setSession(new Session(ScenarioLoader.loadSample("mm/kswapd-vmlist-1999"), "buggy")));
        TabPane tabs = robot.lookup("#state-tabs").queryAs(TabPane.class);
        assertEquals("vma list", tabs.getSelectionModel().getSelectedItem().getText());
        robot.clickOn("#next-finding");
        assertEquals(List.of("vma0 r-x 8048000-804a000", "vma1 rw- 40000000-40004000", "vma2 rw- 40002000-40004000 (freed at step 297)"),
            window.vmaList().boxes());
        assertTrue(window.vmaList().pointers().contains("kswapd: swap_out_vma.vma -> vma2"), window.vmaList().pointers().toString());
        assertTrue(window.vmaList().lockText().contains("big kernel lock: held by kswapd"), window.vmaList().lockText());
    }
}
