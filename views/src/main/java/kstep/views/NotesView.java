package kstep.views;

import javafx.scene.control.Label;
import javafx.scene.layout.VBox;

/** The teacher's note for the current step, or the last one before it, so the class keeps the context. */
public final class NotesView extends VBox {
    private final Label from = new Label();
    private final Label text = new Label();

    public NotesView() {
        super(4);
        getStyleClass().add("notes");
        setId("notes");
        text.setWrapText(true);
        text.getStyleClass().add("note-text");
        from.getStyleClass().add("note-from");
        getChildren().addAll(from, text);
    }

    public String text() {
        return text.getText();
    }

    public void show(StepView v) {
        if (v.note() != null && !v.note().isBlank()) {
            text.setText(v.note());
            text.getStyleClass().remove("note-empty");
            from.setText(v.noteStep() == v.step() ? "Step " + v.step() : "Since step " + v.noteStep());
        } else {
            from.setText("");
            text.setText(v.step() == 0 ? "Step 0: the initial state. Step forward to start." : "No note for step " + v.step() + ".");
            if (!text.getStyleClass().contains("note-empty")) text.getStyleClass().add("note-empty");
        }
    }
}
