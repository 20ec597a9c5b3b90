package kstep.views;

import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import kstep.annotate.AnnotationDoc;
import kstep.annotate.AnnotationEditor;

/**
 * The scenario's note for the current step (or the last one before it, so the class keeps the context),
 * and below it the teacher's own note for this step, typed here and saved with the annotations.
 */
public final class NotesView extends VBox {
    private final Label from = new Label();
    private final Label text = new Label();
    private final Label mineHead = new Label();
    private final TextArea mine = new TextArea();
    private AnnotationEditor editor = AnnotationEditor.inMemory(AnnotationDoc.EMPTY);
    private String variant = "";
    private int step;
    private boolean showing;

    public NotesView() {
        super(4);
        getStyleClass().add("notes");
        setId("notes");
        text.setWrapText(true);
        text.getStyleClass().add("note-text");
        from.getStyleClass().add("note-from");
        mineHead.getStyleClass().add("note-from");
        mine.setId("teacher-note");
        mine.setWrapText(true);
        mine.setPrefRowCount(3);
        mine.setPromptText("Your note for this step: shown here, in captions and handouts");
        VBox.setVgrow(mine, Priority.SOMETIMES);
        // one undo step per step's note, however many keys it took
        mine.textProperty().addListener((o, a, t) -> {
            if (!showing) editor.apply(d -> d.withNote(variant, step, t), "note " + variant + " " + step);
        });
        getChildren().addAll(from, text, mineHead, mine);
    }

    public String text() {
        return text.getText();
    }

    /** The teacher's note shown for this step. */
    public String teacherNote() {
        return mine.getText();
    }

    public void setEditor(AnnotationEditor e) {
        editor = e;
        e.onChange(this::showMine);
        showMine();
    }

    public void show(StepView v) {
        variant = v.variant();
        step = v.step();
        if (v.note() != null && !v.note().isBlank()) {
            text.setText(v.note());
            text.getStyleClass().remove("note-empty");
            from.setText(v.noteStep() == v.step() ? "Step " + v.step() : "Since step " + v.noteStep());
        } else {
            from.setText("");
            text.setText(v.step() == 0 ? "Step 0: the initial state. Step forward to start." : "No note for step " + v.step() + ".");
            if (!text.getStyleClass().contains("note-empty")) text.getStyleClass().add("note-empty");
        }
        showMine();
    }

    private void showMine() {
        String t = editor.doc().note(variant, step);
        mineHead.setText("Your note for step " + step);
        if (t.equals(mine.getText())) return;
        showing = true;
        try {
            mine.setText(t);
        } finally {
            showing = false;
        }
    }
}
