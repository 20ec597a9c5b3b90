package kstep.views;

import java.util.ArrayList;
import java.util.List;

import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import kstep.engine.Cpu;
import kstep.engine.Event;
import kstep.engine.PreemptCount;
import kstep.engine.StepRecord;
import kstep.engine.World;
import kstep.lock.LockTable;

/**
 * Who holds which lock. First every CPU: the task it runs, its context, preempt_count decoded field by field
 * and whether interrupts are on. Then a card per lock: its name and type, who holds it (task, CPU, since which
 * step, where it was taken) and its waiters in queue order, sleeping or spinning. What this step changed is
 * highlighted; a lock with waiters is marked contended.
 */
public final class LockHoldersView extends VBox {
    private final VBox cpus = new VBox(4);
    private final VBox cards = new VBox(6);
    private LockTable shown;
    private final List<String> cardTexts = new ArrayList<>();

    public LockHoldersView() {
        super(8);
        getStyleClass().add("lock-holders");
        setId("lock-holders");
        setPadding(new Insets(8));
        Label title = new Label("Locks and contexts");
        title.getStyleClass().add("pane-title");
        cards.setId("lock-cards");
        ScrollPane scroll = new ScrollPane(cards);
        scroll.setFitToWidth(true);
        scroll.getStyleClass().add("lock-scroll");
        VBox.setVgrow(scroll, Priority.ALWAYS);
        getChildren().addAll(title, cpus, scroll);
    }

    /** The engine's table behind the cards. */
    public LockTable table() {
        return shown;
    }

    /** Each card's text, line by line joined with newlines (tests and exports read them). */
    public List<String> cardTexts() {
        return List.copyOf(cardTexts);
    }

    public void show(StepView v) {
        World w = v.world();
        cpus.getChildren().clear();
        for (int c = 0; c < w.cpuCount(); c++) {
            Cpu cpu = w.cpu(c);
            Label l = new Label("cpu" + c + "  " + w.taskStruct(w.current(c)).text("comm") + " · " + cpu.context() + " context · preempt_count "
                + PreemptCount.describe(cpu.preemptCount()) + " · irqs " + (cpu.irqsDisabled() ? "off" : "on"));
            l.getStyleClass().add("cpu-context");
            if (v.changed("cpu" + c)) l.getStyleClass().add("changed-field");
            cpus.getChildren().add(l);
        }
        shown = LockTable.of(w);
        cards.getChildren().clear();
        cardTexts.clear();
        if (shown.rows().isEmpty()) {
            Label none = new Label("no lock is held or waited for");
            none.getStyleClass().add("card-line");
            cards.getChildren().add(none);
        }
        for (LockTable.Row r : shown.rows()) card(v, r);
    }

    private void card(StepView v, LockTable.Row r) {
        List<String> lines = new ArrayList<>();
        Label name = new Label(r.name());
        name.getStyleClass().add("lock-card-name");
        int since = r.held() ? since(v, r.object()) : 0;
        String st = r.count() != null ? "count " + r.count() : r.held() ? "held" + (since > 0 ? " since step " + since : "") : "free";
        Label state = new Label(r.type() + " · " + st);
        state.getStyleClass().add("card-line");
        HBox head = new HBox(10, name, state);
        lines.add(r.name() + "  " + state.getText());
        VBox box = kstep.views.annotate.Anchors.tag(new VBox(2, head), "lock:" + r.name());
        for (int i = 0; i < r.holders().size(); i++) {
            String where = i < r.takenAt().size() ? ", taken in " + r.takenAt().get(i) : "";
            lines.add("holder: " + r.holders().get(i) + where);
        }
        for (int i = 0; i < r.waiters().size(); i++) lines.add((i + 1) + ". waiting: " + r.waiters().get(i));
        for (String l : lines.subList(1, lines.size())) {
            Label line = new Label(l);
            line.getStyleClass().add(l.startsWith("holder") ? "lock-card-holder" : "lock-card-waiter");
            line.setWrapText(true);
            box.getChildren().add(line);
        }
        box.getStyleClass().add("lock-card");
        if (!r.waiters().isEmpty()) box.getStyleClass().add("lock-card-contended");
        else if (r.held()) box.getStyleClass().add("lock-card-held");
        if (v.changed(r.object())) box.getStyleClass().add("changed-row");
        cards.getChildren().add(box);
        cardTexts.add(String.join("\n", lines));
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
