package kstep.app;

import javafx.scene.Node;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.shape.Circle;
import javafx.scene.shape.Rectangle;
import javafx.scene.transform.Scale;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * The classroom's presentation mode for the main window: full screen, the whole window drawn larger (150,
 * 200 or 300 %: fonts, strokes and diagrams alike, as a scale of the content), the toolbar hidden, and a
 * pointer highlight following the mouse. The themes (light, dark, high contrast) are stylesheets over
 * kstep.css and work in either mode.
 */
final class Presentation {
    static final double[] SCALES = {1.5, 2.0, 3.0};
    static final String[] THEMES = {"light", "dark", "high-contrast"};

    private final Region owner;
    private final Node content;
    private final Node toolbar;
    private final Pane pointerLayer = new Pane();
    private final Circle pointer = new Circle(22, Color.color(1, 0.85, 0.1, 0.45));
    private boolean on;
    private int scale;
    private int theme;

    Presentation(Region owner, Node content, Node toolbar) {
        this.owner = owner;
        this.content = content;
        this.toolbar = toolbar;
        pointer.setStroke(Color.color(0.95, 0.6, 0, 0.8));
        pointer.setStrokeWidth(2);
        pointer.setManaged(false);
        pointer.setVisible(false);
        pointerLayer.getChildren().add(pointer);
        pointerLayer.setMouseTransparent(true);
        // the highlight must not grow the window's bounds (and a snapshot of it) at an edge
        Rectangle clip = new Rectangle();
        clip.widthProperty().bind(pointerLayer.widthProperty());
        clip.heightProperty().bind(pointerLayer.heightProperty());
        pointerLayer.setClip(clip);
        pointerLayer.setPickOnBounds(false);
        owner.addEventFilter(MouseEvent.MOUSE_MOVED, e -> {
            pointer.setCenterX(e.getX());
            pointer.setCenterY(e.getY());
            pointer.setVisible(on);
        });
    }

    /** The overlay the owner stacks on top of its content. */
    Pane pointerLayer() {
        return pointerLayer;
    }

    boolean on() {
        return on;
    }

    double scale() {
        return on ? SCALES[scale] : 1;
    }

    String theme() {
        return THEMES[theme];
    }

    void toggle() {
        on = !on;
        toolbar.setVisible(!on);
        toolbar.setManaged(!on);
        content.getTransforms().setAll(on ? new Scale(SCALES[scale], SCALES[scale], 0, 0) : new Scale(1, 1));
        content.setManaged(!on);
        pointer.setVisible(false); // until the mouse moves
        Window w = owner.getScene() == null ? null : owner.getScene().getWindow();
        if (w instanceof Stage s) s.setFullScreen(on);
        owner.requestLayout();
    }

    /** The next larger (+1) or smaller (-1) scale, in presentation mode. */
    void zoom(int dir) {
        if (!on) return;
        scale = Math.max(0, Math.min(SCALES.length - 1, scale + dir));
        content.getTransforms().setAll(new Scale(SCALES[scale], SCALES[scale], 0, 0));
        owner.requestLayout();
    }

    /** The next theme: light, dark, high contrast, light... */
    void nextTheme() {
        setTheme(THEMES[(theme + 1) % THEMES.length]);
    }

    void setTheme(String name) {
        int t = java.util.Arrays.asList(THEMES).indexOf(name);
        if (t < 0) throw new IllegalArgumentException("themes are light, dark and high-contrast, not '" + name + "'");
        // light is kstep.css alone; the other two are sheets over it
        for (int i = 1; i < THEMES.length; i++) owner.getStylesheets().remove(sheet(THEMES[i]));
        theme = t;
        if (t > 0) owner.getStylesheets().add(sheet(THEMES[t]));
    }

    private static String sheet(String theme) {
        return Presentation.class.getResource("/kstep/views/kstep-" + theme + ".css").toExternalForm();
    }

    /** Lays the scaled content over the whole window (the owner's layoutChildren() calls this last). */
    void layout() {
        if (!on) return;
        double s = SCALES[scale];
        if (content instanceof Region r) r.resizeRelocate(0, 0, owner.getWidth() / s, owner.getHeight() / s);
        pointerLayer.resizeRelocate(0, 0, owner.getWidth(), owner.getHeight());
    }
}
