package kstep.views;

import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import kstep.engine.Cpu;
import kstep.engine.Event;
import kstep.engine.PreemptCount;
import kstep.engine.StepRecord;
import kstep.engine.World;
import kstep.lock.LockTable;

/**
 * Who holds which lock: every CPU's decoded preempt_count, interrupt state and context, then every lock with
 * its holder, since which step and where it was taken, and its waiters in order (sleeping or spinning). What
 * changed in this step is highlighted.
 */
public final class LockHoldersView extends VBox {
    private final FlowPane cpus = new FlowPane(8, 6);
    private final TableView<Row> table = new TableView<>();
    private LockTable shown;

    /** A table row: the engine's row plus since-when, and whether this step touched it. */
    public record Row(LockTable.Row lock, int since, boolean changed) { }

    public LockHoldersView() {
        super(8);
        getStyleClass().add("lock-holders");
        setId("lock-holders");
        setPadding(new Insets(8));
        Label title = new Label("Locks and contexts");
        title.getStyleClass().add("pane-title");
        table.setId("lock-table");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPlaceholder(new Label("no lock has been used yet"));
        table.getColumns().add(column("lock", 120, r -> r.lock().name()));
        table.getColumns().add(column("type", 70, r -> r.lock().type()));
        table.getColumns().add(column("held by", 150, r -> r.lock().holders().isEmpty() ? "free" : String.join(", ", r.lock().holders())));
        table.getColumns().add(column("since", 60, r -> r.lock().held() && r.since() > 0 ? "step " + r.since() : ""));
        table.getColumns().add(column("taken at", 150, r -> String.join(", ", r.lock().takenAt())));
        table.getColumns().add(column("waiters, in order", 150, r -> String.join(", ", r.lock().waiters())));
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(Row r, boolean empty) {
                super.updateItem(r, empty);
                getStyleClass().removeAll("changed-row", "contended-row");
                if (!empty && r != null && r.changed()) getStyleClass().add("changed-row");
                else if (!empty && r != null && !r.lock().waiters().isEmpty()) getStyleClass().add("contended-row");
            }
        });
        VBox.setVgrow(table, Priority.ALWAYS);
        getChildren().addAll(title, cpus, table);
    }

    private static TableColumn<Row, String> column(String name, double width, java.util.function.Function<Row, String> f) {
        TableColumn<Row, String> c = new TableColumn<>(name);
        c.setPrefWidth(width);
        c.setCellValueFactory(cd -> new ReadOnlyStringWrapper(f.apply(cd.getValue())));
        c.setSortable(false);
        return c;
    }

    public LockTable table() {
        return shown;
    }

    public void show(StepView v) {
        World w = v.world();
        cpus.getChildren().clear();
        for (int c = 0; c < w.cpuCount(); c++) {
            Cpu cpu = w.cpu(c);
            Label l = new Label("cpu" + c + ": " + w.taskStruct(w.current(c)).text("comm") + " · " + cpu.context() + " context · preempt_count "
                + PreemptCount.describe(cpu.preemptCount()) + " · irqs " + (cpu.irqsDisabled() ? "off" : "on"));
            l.getStyleClass().add("cpu-context");
            if (v.changed("cpu" + c)) l.getStyleClass().add("changed-field");
            cpus.getChildren().add(l);
        }
        shown = LockTable.of(w);
        table.getItems().clear();
        for (LockTable.Row r : shown.rows()) table.getItems().add(new Row(r, since(v, r.object()), v.changed(r.object())));
    }

    /** The last step at or before the cursor that took or released the lock. */
    private static int since(StepView v, String object) {
        for (int n = v.step(); n >= 1; n--) {
            StepRecord rec = v.trace().step(n);
            for (Event e : rec.events()) if (e.subject().equals(object) && LockTable.isHoldField(e.field())) return n;
        }
        return 0;
    }
}
