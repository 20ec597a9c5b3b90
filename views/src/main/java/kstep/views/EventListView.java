package kstep.views;

import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;

import kstep.engine.Event;

/** The events of the current step, one a line, coloured by kind (what changed, calls, interrupts, findings). */
public final class EventListView extends ListView<Event> {
    public EventListView() {
        getStyleClass().add("event-list");
        setId("events");
        setPlaceholder(new javafx.scene.control.Label("nothing changed in this step"));
        setCellFactory(lv -> new ListCell<>() {
            @Override
            protected void updateItem(Event e, boolean empty) {
                super.updateItem(e, empty);
                getStyleClass().removeIf(c -> c.startsWith("ev-"));
                getProperties().remove(kstep.views.annotate.Anchors.KEY);
                if (empty || e == null) {
                    setText(null);
                    return;
                }
                kstep.views.annotate.Anchors.tag(this, "event:" + getIndex());
                setText(e.kind().label() + "  " + e.text());
                getStyleClass().add("ev-" + e.kind().label());
            }
        });
    }

    public void show(StepView v) {
        getItems().setAll(v.events());
    }
}
