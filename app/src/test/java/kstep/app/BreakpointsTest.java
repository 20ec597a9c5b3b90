package kstep.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.stage.Stage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import kstep.scenario.ScenarioLoader;
import kstep.scenario.Session;

/** Breakpoints from the context menu and the tab, continue and reverse-continue, headless (Monocle). */
@ExtendWith(ApplicationExtension.class)
class BreakpointsTest {
    private MainWindow window;
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    @Start
    void start(Stage stage) {
        window = new MainWindow(new Session(ScenarioLoader.loadSample("vgic/doorbell-preemption"), "buggy"), () -> { });
        // breakpoints are saved with the annotations: each test its own file, so none sees another's
        window.openAnnotations(kstep.annotate.Sidecar.open(dir.resolve("doorbell.annotations.json")));
        window.refresh();
        stage.setScene(new Scene(window, 1280, 720));
        stage.show();
    }

    @Test
    void aWatchpointFromTheVpeCardStopsForwardAndBackward(FxRobot robot) {
        Node vpe = robot.lookup("#vpe-vcpu0").query();
        Bounds b = vpe.localToScreen(vpe.getLayoutBounds());
        robot.moveTo(new javafx.geometry.Point2D(b.getCenterX(), b.getCenterY())).clickOn(MouseButton.SECONDARY);
        robot.clickOn("Break when vcpu0.its_vpe changes");
        assertEquals(1, window.breakpoints().entries().size());
        assertTrue(window.breakpoints().entries().get(0).toString().startsWith("watch vcpu0.its_vpe   · "), window.breakpoints().entries().get(0).toString());
        window.showTab("breakpoints");
        robot.clickOn("#break-spec").write("watch vcpu0.its_vpe.resident").type(KeyCode.ENTER);
        assertEquals("watch vcpu0.its_vpe.resident   · 4 hits: 32, 94, 170, 242", window.breakpoints().entries().get(1).toString());
        robot.interact(() -> robot.lookup("#break-list").queryListView().getSelectionModel().select(0));
        robot.clickOn("#break-remove");
        assertEquals(List.of("watch vcpu0.its_vpe.resident"), window.breakpoints().breakpoints().stream().map(x -> x.spec()).toList());
        assertEquals(List.of(32, 94, 170, 242), window.timeline().breakpointHits(), "the timeline marks where it stops");

        robot.type(KeyCode.F8);
        assertEquals(32, window.session().cursor());
        assertTrue(window.bannerText().startsWith("stopped at step 32: watch vcpu0.its_vpe.resident — vcpu0.its_vpe.resident false -> true"), window.bannerText());
        robot.clickOn("#continue");
        assertEquals(94, window.session().cursor());
        robot.type(KeyCode.END);
        robot.press(KeyCode.SHIFT).type(KeyCode.F8).release(KeyCode.SHIFT);
        assertEquals(242, window.session().cursor(), "back from the lost wake-up to the last time the vPE left its CPU");
        robot.clickOn("#reverse-continue");
        assertEquals(170, window.session().cursor());
    }

    @Test
    void aCodeLineBreaksOnItsCpuAndABadSpecSaysWhere(FxRobot robot) {
        robot.interact(() -> {
            window.session().jump(40);
            window.refresh();
        });
        Node area = robot.lookup("#code-area-cpu0").query();
        Bounds b = area.localToScreen(area.getLayoutBounds());
        robot.moveTo(new javafx.geometry.Point2D(b.getMinX() + 200, b.getMinY() + b.getHeight() / 2)).clickOn(MouseButton.SECONDARY);
        Node item = robot.lookup(n -> n instanceof javafx.scene.control.Label l && l.getText() != null && l.getText().startsWith("Break at vgic/") && l.getText().endsWith(" on cpu0")).query();
        String text = ((javafx.scene.control.Label) item).getText();
        robot.clickOn(item);
        String spec = window.breakpoints().breakpoints().get(0).spec();
        assertEquals("line " + text.substring("Break at ".length(), text.length() - " on cpu0".length()) + " cpu0", spec);
        assertTrue(window.breakpoints().entries().get(0).hits().size() >= 1, "the line ran on cpu0: " + window.breakpoints().entries().get(0));
        window.showTab("breakpoints");
        robot.clickOn("#break-spec").write("watch vcpu9").type(KeyCode.ENTER);
        assertEquals("column 7: no object named 'vcpu9' here (a name the views show, e.g. vcpu0 or mutex_a)", window.breakpoints().errorText());
        assertEquals(1, window.breakpoints().entries().size());
    }

    @Test
    void theDiffTabAndWhy(FxRobot robot) {
        robot.interact(() -> {
            window.session().jump(32);
            window.refresh();
            window.showTab("diff");
        });
        assertEquals(List.of("vcpu0.its_vpe.resident: false -> true"), window.diff().lines());
        robot.interact(() -> {
            window.diff().compareWith("variant fixed", null);
            window.session().jump(252);
            window.refresh();
        });
        assertTrue(window.diff().lines().contains("CPU 0/KVM.__state: 1 -> 0"), "the fixed kernel's vCPU thread is awake: " + window.diff().lines());
        Node vpe = robot.lookup("#vpe-vcpu0").query();
        Bounds b = vpe.localToScreen(vpe.getLayoutBounds());
        robot.moveTo(new javafx.geometry.Point2D(b.getCenterX(), b.getCenterY())).clickOn(MouseButton.SECONDARY);
        robot.clickOn("Why is vcpu0.its_vpe so? (the steps that wrote it)");
        List<kstep.debug.Why.Cause> h = window.breakpoints().history();
        assertEquals("step 252  hw  -  the device  vcpu0.its_vpe.vpt_pending 0x0 -> 0x1", h.get(0).toString(), "the latest write first: the ITS");
        assertEquals(242, h.get(1).step());
        assertEquals("vgic/irq-gic-v4.kc:101", h.get(1).where());
        javafx.scene.control.ListView<?> why = robot.lookup("#why-list").queryListView();
        robot.interact(() -> {
            why.scrollTo(1);
            why.getSelectionModel().select(1);
        });
        Node row = robot.from(why).lookup(".list-cell").match(n -> n instanceof javafx.scene.control.ListCell<?> c && c.getIndex() == 1).query();
        robot.doubleClickOn(row);
        assertEquals(242, window.session().cursor(), "a double-click goes to the step");
    }

    @Test
    void breakpointsAreSavedWithTheAnnotationsAndComeBackWithTheScenario(FxRobot robot) throws Exception {
        window.showTab("breakpoints");
        robot.clickOn("#break-spec").write("watch vcpu0.its_vpe.resident").type(KeyCode.ENTER);
        robot.clickOn("#break-spec").write("watch vcpu0.its_vpe.resident ").type(KeyCode.ENTER);
        assertEquals(List.of("watch vcpu0.its_vpe.resident"), window.breakpoints().specs(), "the same one twice is one");
        assertEquals("already set: watch vcpu0.its_vpe.resident", window.breakpoints().errorText());
        java.nio.file.Path f = dir.resolve("doorbell.annotations.json");
        assertEquals(List.of("watch vcpu0.its_vpe.resident"), kstep.annotate.Sidecar.open(f).doc().breakpoints(), "saved as it was added");
        robot.interact(() -> {
            window.setSession(new Session(ScenarioLoader.loadSample("locks/abba"), "buggy"));
            window.openAnnotations(kstep.annotate.Sidecar.open(f));
            window.refresh();
        });
        assertEquals(List.of(), window.breakpoints().specs(), "abba has no vPE: the saved breakpoint is left out, and said so");
        assertTrue(window.breakpoints().errorText().startsWith("saved breakpoints left out: 'watch vcpu0.its_vpe.resident' (column 7: no object named 'vcpu0'"), window.breakpoints().errorText());
        assertEquals(List.of("watch vcpu0.its_vpe.resident"), kstep.annotate.Sidecar.open(f).doc().breakpoints(), "leaving it out is not removing it");
        robot.interact(() -> {
            window.setSession(new Session(ScenarioLoader.loadSample("vgic/doorbell-preemption"), "buggy"));
            window.openAnnotations(kstep.annotate.Sidecar.open(f));
            window.refresh();
        });
        assertEquals("watch vcpu0.its_vpe.resident   · 4 hits: 32, 94, 170, 242", window.breakpoints().entries().get(0).toString());
        java.nio.file.Path bundle = dir.resolve("moment.kstep");
        robot.interact(() -> {
            try {
                window.saveMoment(bundle);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        kstep.bundle.Bundle.Moment m = kstep.bundle.Bundle.open(bundle, dir.resolve("home"));
        assertEquals(List.of("watch vcpu0.its_vpe.resident"), kstep.annotate.Sidecar.open(kstep.annotate.Sidecar.pathFor(m.session().scenario())).doc().breakpoints(),
            "a bundle carries them to the student");
    }

    @Test
    void theKeyboardMenuOffersWhatThisStepDid(FxRobot robot) {
        robot.interact(() -> {
            window.session().jump(32);
            window.refresh();
        });
        robot.press(KeyCode.SHIFT).type(KeyCode.F10).release(KeyCode.SHIFT);
        // step 32 loads the vPE: its line, the field it wrote (and why), the happening
        assertTrue(robot.lookup("Break when vcpu0.its_vpe.resident changes").tryQuery().isPresent());
        assertTrue(robot.lookup("Why is vcpu0.its_vpe.resident so? (the steps that wrote it)").tryQuery().isPresent());
        assertTrue(robot.lookup("Break at vpe resident").tryQuery().isPresent());
        robot.type(KeyCode.ENTER);
        String first = window.breakpoints().specs().get(0);
        assertTrue(first.matches("line vgic/.*:[0-9]+ cpu0"), "the first item, the line on this CPU, from the keyboard alone: " + first);
    }

    @Test
    void findGoesToTheNextAndThePreviousStepThatMatches(FxRobot robot) {
        robot.press(KeyCode.CONTROL).type(KeyCode.F).release(KeyCode.CONTROL);
        robot.write("No Doorbell Armed").type(KeyCode.ENTER);
        assertEquals(252, window.session().cursor(), "plain words, any case: the ITS's event at the lost wake-up");
        assertEquals(List.of(), window.breakpoints().specs(), "a search keeps no breakpoint");
        retype(robot, "vpe-resident");
        robot.press(KeyCode.SHIFT).type(KeyCode.ENTER).release(KeyCode.SHIFT);
        assertEquals(170, window.session().cursor(), "a breakpoint as written, Shift+Enter: the last resident before 252");
        robot.press(KeyCode.SHIFT).type(KeyCode.ENTER).release(KeyCode.SHIFT);
        assertEquals(32, window.session().cursor());
        robot.type(KeyCode.ENTER);
        assertEquals(170, window.session().cursor(), "Enter: the next");
        retype(robot, "watch vcpu7");
        robot.type(KeyCode.ENTER);
        assertEquals(170, window.session().cursor());
        assertEquals("find: column 7: no object named 'vcpu7' here (a name the views show, e.g. vcpu0 or mutex_a)", window.bannerText());
    }

    private static void retype(FxRobot robot, String text) {
        javafx.scene.control.TextField f = robot.lookup("#trace-search").queryAs(javafx.scene.control.TextField.class);
        robot.interact(f::clear);
        robot.clickOn(f).write(text);
    }
}
