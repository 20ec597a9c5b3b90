package kstep.views;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * The Diff tab: what differs between this step and another (the step before, any step, or the same step of
 * another variant on the same schedule), one object field a line. It shows what the window gives it.
 */
public final class DiffView extends VBox {
    /** What to compare the cursor's step with. */
    public record Against(String variant, Integer step) { }

    private final ChoiceBox<String> mode = new ChoiceBox<>();
    private final TextField step = new TextField();
    private final Label head = new Label();
    private final ListView<String> list = new ListView<>();
    private Function<Against, List<String>> compute = a -> List.of();
    private Runnable onChange = () -> { };

    public DiffView() {
        super(4);
        setId("diff");
        mode.setId("diff-mode");
        step.setId("diff-step");
        step.setPrefColumnCount(6);
        step.setPromptText("step");
        list.setId("diff-list");
        list.getStyleClass().add("event-list");
        list.setPlaceholder(new Label("no difference"));
        head.getStyleClass().add("note-from");
        mode.valueProperty().addListener((o, a, b) -> {
            step.setDisable(b == null || !b.equals("step"));
            onChange.run();
        });
        step.setOnAction(e -> onChange.run());
        VBox.setVgrow(list, Priority.ALWAYS);
        getChildren().addAll(new HBox(6, new Label("compare this step with"), mode, step), head, list);
    }

    /** The variants to offer ("the fixed kernel at this step"), and how differences are found; {@code changed} redraws. */
    public void setChoices(List<String> otherVariants, Function<Against, List<String>> compute, Runnable changed) {
        this.compute = compute;
        this.onChange = () -> { };
        List<String> items = new ArrayList<>(List.of("the step before", "step"));
        for (String v : otherVariants) items.add("variant " + v);
        mode.getItems().setAll(items);
        mode.setValue("the step before");
        this.onChange = changed;
    }

    /** Shows the differences for the cursor at {@code cursor}. */
    public void show(int cursor) {
        String m = mode.getValue() == null ? "the step before" : mode.getValue();
        Against a;
        if (m.startsWith("variant ")) {
            a = new Against(m.substring(8), null);
            head.setText("step " + cursor + ": this variant -> " + a.variant());
        } else {
            int other = cursor - 1;
            if (m.equals("step")) {
                try {
                    other = Integer.parseInt(step.getText().strip());
                } catch (NumberFormatException e) {
                    head.setText("type a step number and Enter");
                    list.getItems().clear();
                    return;
                }
            }
            if (other < 0) {
                head.setText("step 0 has no step before it");
                list.getItems().clear();
                return;
            }
            a = new Against(null, other);
            head.setText("step " + other + " -> step " + cursor);
        }
        list.getItems().setAll(compute.apply(a));
    }

    public List<String> lines() {
        return List.copyOf(list.getItems());
    }

    /** Chooses what to compare with: "the step before", "step" (then {@code n}) or "variant NAME". */
    public void compareWith(String choice, Integer n) {
        if (n != null) step.setText(Integer.toString(n));
        mode.setValue(choice);
    }
}
