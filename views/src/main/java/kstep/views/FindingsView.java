package kstep.views;

import java.util.function.IntConsumer;

import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;

import kstep.engine.Finding;

/**
 * Findings reached so far, each in the kernel's own message format, with its step; double-click jumps to it.
 */
public final class FindingsView extends ListView<Finding> {
    private IntConsumer onJump = n -> { };

    public FindingsView() {
        getStyleClass().add("findings");
        setId("findings");
        setPlaceholder(new Label("no finding up to this step"));
        setCellFactory(lv -> new ListCell<>() {
            @Override
            protected void updateItem(Finding f, boolean empty) {
                super.updateItem(f, empty);
                setText(empty || f == null ? null : "step " + f.step() + " · " + f.kind() + "\n" + f.message());
                if (empty || f == null) getProperties().remove(kstep.views.annotate.Anchors.KEY);
                else kstep.views.annotate.Anchors.tag(this, "finding:" + f.kind() + "@" + f.step());
            }
        });
        setOnMouseClicked(e -> {
            Finding f = getSelectionModel().getSelectedItem();
            if (e.getClickCount() == 2 && f != null) onJump.accept(f.step());
        });
    }

    public void setOnJump(IntConsumer c) {
        this.onJump = c;
    }

    public void show(StepView v) {
        getItems().setAll(v.findings());
    }
}
