package kstep.views;

import javafx.scene.control.Button;
import javafx.scene.control.Tooltip;

/** A toolbar button of the views: its label, the id tests and the annotation layer find it by, a tooltip, an action. */
final class ToolButton {
    private ToolButton() { }

    static Button of(String text, String id, String tip, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        b.setOnAction(e -> action.run());
        return b;
    }
}
