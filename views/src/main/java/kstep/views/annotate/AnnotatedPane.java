package kstep.views.annotate;

import java.util.function.Predicate;

import javafx.scene.Node;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.ToggleButton;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.StackPane;

/**
 * A view's content with an annotation layer over it, the "✎ Annotate" toggle and the editing keys: what a
 * window that is not the main one (the verifier workbench, the JIT listing) needs to be annotated.
 */
public final class AnnotatedPane extends StackPane {
    private final AnnotationLayer layer;
    private final ToggleButton toggle = new ToggleButton("✎ Annotate");

    public AnnotatedPane(Node content, String id) {
        layer = new AnnotationLayer(this);
        getChildren().addAll(content, layer);
        toggle.setId(id + "-annotate");
        toggle.setOnAction(e -> layer.setEditing(toggle.isSelected()));
    }

    public AnnotationLayer layer() {
        return layer;
    }

    /** The button that turns editing on and off (the owner puts it in its toolbar, with {@code layer().palette()}). */
    public ToggleButton toggle() {
        return toggle;
    }

    /**
     * Lets the editing keys reach the layer from anywhere in {@code scope} (the whole window), except while a
     * text has the focus or {@code typing} says the user types elsewhere (a code editor).
     */
    public void keysFrom(Node scope, Predicate<KeyEvent> typing) {
        scope.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getTarget() instanceof TextInputControl || typing.test(e)) return;
            if (layer.editing() && layer.handleKey(e)) {
                toggle.setSelected(layer.editing());
                e.consume();
            }
        });
    }

    @Override
    protected void layoutChildren() {
        super.layoutChildren();
        layer.redraw();
    }
}
