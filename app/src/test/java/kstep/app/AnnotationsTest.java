package kstep.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.stage.Stage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import kstep.annotate.Annotation;
import kstep.annotate.Sidecar;
import kstep.scenario.ScenarioLoader;
import kstep.scenario.Session;
import kstep.views.annotate.AnnotationLayer;

/** Drawing, moving, deleting and undoing annotations with the mouse and keys, headless (Monocle). */
@ExtendWith(ApplicationExtension.class)
class AnnotationsTest {
    private MainWindow window;
    private Stage stage;
    @TempDir
    Path dir;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        Session s = new Session(ScenarioLoader.loadSample("vgic/doorbell-preemption"), "buggy");
        window = new MainWindow(s, () -> { });
        stage.setScene(new Scene(window, 1280, 720));
        stage.show();
    }

    private Path sidecar(FxRobot robot) {
        Path f = dir.resolve("doorbell.annotations.json");
        robot.interact(() -> {
            window.openAnnotations(Sidecar.open(f));
            window.session().jump(40);
            window.refresh();
        });
        return f;
    }

    private AnnotationLayer layer() {
        return window.annotations();
    }

    /** A point of {@code n} on screen, {@code fx}, {@code fy} of the way across and down. */
    private static Point2D on(Node n, double fx, double fy) {
        Bounds b = n.localToScreen(n.getLayoutBounds());
        return new Point2D(b.getMinX() + fx * b.getWidth(), b.getMinY() + fy * b.getHeight());
    }

    private Point2D layerPoint(Node n, double fx, double fy) {
        return layer().screenToLocal(on(n, fx, fy));
    }

    private static void drag(FxRobot robot, Point2D from, Point2D to) {
        robot.moveTo(from);
        robot.press(MouseButton.PRIMARY);
        robot.moveTo(from.midpoint(to));
        robot.moveTo(to);
        robot.release(MouseButton.PRIMARY);
    }

    @Test
    void drawABoxOnACardMoveItDeleteItAndUndo(FxRobot robot) throws Exception {
        Path f = sidecar(robot);
        Node card = robot.lookup("#pcpu0").query();
        robot.type(KeyCode.A);
        assertTrue(layer().editing());
        assertTrue(robot.lookup("#annotation-palette").query().isVisible());
        robot.type(KeyCode.DIGIT3);
        assertEquals(AnnotationLayer.Tool.BOX, layer().tool());
        drag(robot, on(card, 0.2, 0.3), on(card, 0.8, 0.7));
        List<Annotation> all = layer().editor().doc().annotations();
        assertEquals(1, all.size());
        Annotation.Box box = assertInstanceOf(Annotation.Box.class, all.get(0));
        assertEquals("vgic:pcpu0", box.topLeft().target(), "anchored to the card under it");
        assertEquals(0.2, box.topLeft().x(), 0.02);
        assertEquals(0.7, box.bottomRight().y(), 0.02);
        assertEquals("40", box.steps().toString(), "a new annotation shows at this step");
        assertTrue(Files.readString(f).contains("\"kind\" : \"box\""), "autosaved");
        assertEquals(box.id(), layer().selected());

        robot.type(KeyCode.DIGIT1);
        Point2D before = layer().drawnPoints(box.id()).get(0);
        drag(robot, on(card, 0.2, 0.5), on(card, 0.2, 0.5).add(30, 20));
        Point2D after = layer().drawnPoints(box.id()).get(0);
        assertEquals(30, after.getX() - before.getX(), 1.5);
        assertEquals(20, after.getY() - before.getY(), 1.5);
        robot.press(KeyCode.SHIFT).type(KeyCode.RIGHT).release(KeyCode.SHIFT);
        assertEquals(40, layer().drawnPoints(box.id()).get(0).getX() - before.getX(), 1.5, "Shift+Right nudges 10 px");
        // dragging the bottom-right handle resizes: the top-left corner stays
        Point2D topLeft = layer().drawnPoints(box.id()).get(0);
        Point2D corner = layer().localToScreen(layer().drawnPoints(box.id()).get(1));
        drag(robot, corner, corner.add(25, 15));
        assertEquals(topLeft, layer().drawnPoints(box.id()).get(0));
        assertEquals(layer().screenToLocal(corner).getX() + 25, layer().drawnPoints(box.id()).get(1).getX(), 1.5);

        robot.type(KeyCode.DELETE);
        assertTrue(layer().editor().doc().annotations().isEmpty());
        assertFalse(Files.readString(f).contains("\"box\""), "the deletion is saved");
        robot.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);
        assertEquals(1, layer().editor().doc().annotations().size());
        robot.press(KeyCode.CONTROL).type(KeyCode.Y).release(KeyCode.CONTROL);
        assertTrue(layer().editor().doc().annotations().isEmpty());
        robot.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);

        // the box belongs to step 40: a step on hides it, a step back shows it again
        robot.type(KeyCode.ESCAPE);
        robot.type(KeyCode.ESCAPE);
        assertFalse(layer().editing());
        robot.type(KeyCode.RIGHT);
        assertTrue(layer().drawnIds().isEmpty());
        robot.type(KeyCode.LEFT);
        assertEquals(List.of(box.id()), layer().drawnIds());
    }

    @Test
    void anAnnotationFollowsItsCardWhenTheWindowIsResized(FxRobot robot) {
        sidecar(robot);
        Node card = robot.lookup("#pcpu0").query();
        robot.type(KeyCode.A).type(KeyCode.DIGIT3);
        drag(robot, on(card, 0.0, 0.0).add(2, 2), on(card, 1, 1).subtract(2, 2));
        String id = layer().selected();
        robot.interact(() -> stage.setWidth(1100));
        WaitForAsyncUtils.waitForFxEvents();
        robot.interact(() -> { });
        Point2D cardTopLeft = layerPoint(card, 0, 0);
        Point2D drawn = layer().drawnPoints(id).get(0);
        assertEquals(cardTopLeft.getX() + 2, drawn.getX(), 1.5);
        assertEquals(cardTopLeft.getY() + 2, drawn.getY(), 1.5);
        Point2D cardBottomRight = layerPoint(card, 1, 1);
        assertEquals(cardBottomRight.getX() - 2, layer().drawnPoints(id).get(1).getX(), 1.5, "the card got narrower, and so did the box");
    }

    @Test
    void arrowsMarkersAndCallouts(FxRobot robot) {
        sidecar(robot);
        Node vpe = robot.lookup("#vpe-vcpu0").query();
        Node code = robot.lookup("#code-area-cpu0").query();
        robot.type(KeyCode.A).type(KeyCode.DIGIT2);
        drag(robot, on(code, 0.5, 0.5), on(vpe, 0.1, 0.5));
        Annotation.Arrow arrow = assertInstanceOf(Annotation.Arrow.class, layer().editor().doc().annotations().get(0));
        assertTrue(arrow.from().target().startsWith("cpu0:line:vgic/kvm_main.kc:"), "the tail is on a code line: " + arrow.from().target());
        assertEquals("vgic:vpe-vcpu0", arrow.to().target());

        robot.type(KeyCode.DIGIT5);
        robot.clickOn(on(vpe, 0.9, 0.2));
        robot.clickOn(on(vpe, 0.9, 0.6));
        List<Annotation> l = layer().editor().doc().annotations();
        assertEquals(1, ((Annotation.Marker) l.get(1)).number());
        assertEquals(2, ((Annotation.Marker) l.get(2)).number());

        robot.type(KeyCode.DIGIT6);
        robot.clickOn(on(vpe, 0.1, 1.2));
        robot.write("Who wakes vcpu0?");
        robot.type(KeyCode.ENTER);
        Annotation.Callout c = assertInstanceOf(Annotation.Callout.class, layer().editor().doc().annotations().get(3));
        assertEquals("Who wakes vcpu0?", c.text(), "typing A, T or P in a callout is text, not a shortcut");
        assertFalse(window.presenting());

        robot.type(KeyCode.DIGIT1);
        robot.type(KeyCode.TAB);
        assertEquals(arrow.id(), layer().selected(), "Tab goes round from the first");
        robot.clickOn("#ann-undo");
        assertEquals(3, layer().editor().doc().annotations().size(), "the palette's Undo takes back the callout");
    }

    @Test
    void theTeachersNoteIsSavedAndComesBackWithItsStep(FxRobot robot) throws Exception {
        Path f = sidecar(robot);
        window.showTab("notes");
        robot.clickOn("#teacher-note");
        robot.write("Pause here: ask who clears the doorbell.");
        assertEquals("Pause here: ask who clears the doorbell.", layer().editor().doc().note("buggy", 40));
        assertTrue(Files.readString(f).contains("ask who clears the doorbell"));
        robot.interact(() -> {
            window.session().jump(41);
            window.refresh();
        });
        assertEquals("", window.notes().teacherNote());
        robot.interact(() -> {
            window.session().jump(40);
            window.refresh();
        });
        assertEquals("Pause here: ask who clears the doorbell.", window.notes().teacherNote());
    }

    @Test
    void aSavedMomentOpensAtItsStepWithItsTabsAndAnnotations(FxRobot robot) throws Exception {
        sidecar(robot);
        Node card = robot.lookup("#pcpu0").query();
        robot.type(KeyCode.A).type(KeyCode.DIGIT5);
        robot.clickOn(on(card, 0.5, 0.5));
        robot.interact(() -> window.showTab("lockdep"));
        Path f = dir.resolve("moment.kstep");
        robot.interact(() -> {
            try {
                window.saveMoment(f);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        kstep.bundle.Bundle.Moment m = kstep.bundle.Bundle.open(f, dir.resolve("home"));
        assertEquals(40, m.session().cursor());
        assertEquals(List.of("lockdep", "notes"), m.tabs());
        assertEquals(layer().editor().doc(), Sidecar.open(Sidecar.pathFor(m.session().scenario())).doc());
    }

    @Test
    void theExportDialogWritesTheViewAndAsksBeforeReplacing(FxRobot robot) throws Exception {
        sidecar(robot);
        robot.press(KeyCode.CONTROL).type(KeyCode.E).release(KeyCode.CONTROL);
        Path out = dir.resolve("shots");
        robot.interact(() -> {
            robot.lookup("#export-folder").queryAs(javafx.scene.control.TextField.class).setText(out.toString());
            robot.lookup("#export-view").queryAs(javafx.scene.control.ChoiceBox.class).setValue("vgic");
        });
        robot.clickOn("OK");
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(out.resolve("step-0040.png").toFile());
        assertTrue(img.getWidth() < 2 * 1280 && img.getWidth() > 2 * 400, "the vGIC tab alone at 2x: " + img.getWidth());
        long before = Files.getLastModifiedTime(out.resolve("step-0040.png")).toMillis();
        byte[] first = Files.readAllBytes(out.resolve("step-0040.png"));
        robot.press(KeyCode.CONTROL).type(KeyCode.E).release(KeyCode.CONTROL);
        robot.interact(() -> robot.lookup("#export-folder").queryAs(javafx.scene.control.TextField.class).setText(out.toString()));
        robot.clickOn("OK");
        robot.clickOn("No");
        assertEquals("Nothing exported: 1 file would have been replaced.", robot.lookup("#export-error").queryAs(javafx.scene.control.Label.class).getText());
        assertTrue(java.util.Arrays.equals(first, Files.readAllBytes(out.resolve("step-0040.png"))));
        assertEquals(before, Files.getLastModifiedTime(out.resolve("step-0040.png")).toMillis(), "the file was not touched");
        robot.clickOn("OK");
        robot.clickOn("Yes");
        assertTrue(window.bannerText().startsWith("wrote " + out.resolve("step-0040.png")), window.bannerText());
    }

    @Test
    void aCorruptSidecarIsShownAndKept(FxRobot robot) throws Exception {
        Path f = dir.resolve("bad.annotations.json");
        Files.writeString(f, "{\"kstep\": \"kstep annotations\", \"annotations\": [ oops ]}");
        robot.interact(() -> window.openAnnotations(Sidecar.open(f)));
        // the column is just past the bad token, where the JSON parser stopped
        assertEquals("annotations: " + f + ":1:53: error: not valid JSON: Unrecognized token 'oops': was expecting (JSON String, Number, Array, Object"
            + " or token 'null', 'true' or 'false') (kept as it is; kstep saves your annotations to bad.annotations-2.json)", window.bannerText());
        Node card = robot.lookup("#pcpu0").query();
        robot.type(KeyCode.A).type(KeyCode.DIGIT5);
        robot.clickOn(on(card, 0.5, 0.5));
        assertEquals("{\"kstep\": \"kstep annotations\", \"annotations\": [ oops ]}", Files.readString(f));
        assertTrue(Files.readString(dir.resolve("bad.annotations-2.json")).contains("\"marker\""));
    }
}
