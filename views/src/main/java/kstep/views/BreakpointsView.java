package kstep.views;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import kstep.debug.Breakpoint;
import kstep.debug.DebugError;
import kstep.debug.Debugger;

/**
 * The Breakpoints tab: the breakpoints and watchpoints set, each with its hits in this run, a field to add one
 * (as {@code kstep debug --break} takes it) and a button to remove the selected one. Continue and
 * reverse-continue (the window's ▶▶ and ◀◀) stop at them.
 */
public final class BreakpointsView extends VBox {
    /** A breakpoint and the steps it stops at in this run. */
    public record Entry(Breakpoint breakpoint, List<Integer> hits) {
        @Override
        public String toString() {
            String steps = hits.size() <= 12 ? hits.toString().replaceAll("[\\[\\]]", "") : hits.subList(0, 12).toString().replaceAll("[\\[\\]]", "") + ", …";
            return breakpoint.spec() + "   · " + hits.size() + (hits.size() == 1 ? " hit" : " hits") + (hits.isEmpty() ? "" : ": " + steps);
        }
    }

    private final ObservableList<Entry> entries = FXCollections.observableArrayList();
    private final ListView<Entry> list = new ListView<>(entries);
    private final TextField spec = new TextField();
    private final Label error = new Label();
    private Function<String, Breakpoint> parser = s -> {
        throw new DebugError(1, "no scenario");
    };
    private Function<Breakpoint, List<Debugger.Hit>> hits = b -> List.of();
    private final Label historyHead = new Label();
    private final ListView<kstep.debug.Why.Cause> history = new ListView<>();
    private java.util.function.IntConsumer jump = n -> { };
    private java.util.function.Consumer<List<String>> onEdit = l -> { };

    public BreakpointsView() {
        super(4);
        setId("breakpoints");
        getStyleClass().add("breakpoints");
        spec.setId("break-spec");
        spec.setPromptText("line vgic/arm.kc:14 cpu0 · watch vcpu0.its_vpe.resident · watch frame6 · watch pte@0x10001000 · watch vma@0x10000000 · lock-taken mutex_a"
            + " · doorbell-armed · vma-split · finding · when mutex_a.owner != NULL · text swap   (Enter)");
        HBox.setHgrow(spec, Priority.ALWAYS);
        spec.setOnAction(e -> add(spec.getText()));
        Button remove = new Button("Remove");
        remove.setId("break-remove");
        remove.setOnAction(e -> {
            Entry sel = list.getSelectionModel().getSelectedItem();
            if (sel != null) {
                entries.remove(sel);
                onEdit.accept(specs());
            }
        });
        error.setId("break-error");
        error.getStyleClass().add("export-error");
        error.setWrapText(true);
        // the line takes room only while it says something
        error.managedProperty().bind(error.textProperty().isNotEmpty());
        error.visibleProperty().bind(error.textProperty().isNotEmpty());
        list.setId("break-list");
        list.getStyleClass().add("event-list");
        list.setPlaceholder(new Label("No breakpoints. Type one above, right-click a code line, a card, a lock, a VMA, a PTE or a frame, or press Shift+F10 for this step's."));
        list.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(Entry e, boolean empty) {
                super.updateItem(e, empty);
                setText(empty || e == null ? null : e.toString());
            }
        });
        VBox.setVgrow(list, Priority.ALWAYS);
        list.setPrefHeight(110);
        historyHead.setId("why-head");
        historyHead.getStyleClass().add("note-from");
        history.setId("why-list");
        history.setPrefHeight(90);
        VBox.setVgrow(history, Priority.ALWAYS);
        history.getStyleClass().add("event-list");
        history.setPlaceholder(new Label("Right-click a card, a lock or a line: \"Why is it so?\" lists the steps that wrote it."));
        history.setOnMouseClicked(e -> {
            kstep.debug.Why.Cause c = history.getSelectionModel().getSelectedItem();
            if (e.getClickCount() == 2 && c != null) jump.accept(c.step());
        });
        getChildren().addAll(new HBox(6, spec, remove), error, list, historyHead, history);
    }

    /** How specs are read and hits found: the window's session, again after a variant or schedule change. */
    public void setSession(Function<String, Breakpoint> parser, Function<Breakpoint, List<Debugger.Hit>> hits) {
        this.parser = parser;
        this.hits = hits;
        // a name the new scenario lacks: the breakpoint goes with the old one
        entries.setAll(read(specs(), new ArrayList<>()));
    }

    /** {@code specs} read against the session, with their hits; each one it cannot read is added to {@code bad}. */
    private List<Entry> read(List<String> specs, List<String> bad) {
        List<Entry> out = new ArrayList<>();
        for (String t : specs) {
            try {
                Breakpoint b = parser.apply(t);
                out.add(new Entry(b, steps(b)));
            } catch (DebugError e) {
                bad.add("'" + t + "' (column " + e.col() + ": " + e.getMessage() + ")");
            }
        }
        return out;
    }

    private List<Integer> steps(Breakpoint b) {
        return hits.apply(b).stream().map(Debugger.Hit::step).toList();
    }

    /**
     * Sets the breakpoints to {@code specs} (those saved with the annotations); one the scenario cannot read is
     * left out and named under the field. Not an edit: nothing is saved for it.
     */
    public void setSpecs(List<String> specs) {
        List<String> bad = new ArrayList<>();
        entries.setAll(read(specs, bad));
        error.setText(bad.isEmpty() ? "" : "saved breakpoints left out: " + String.join("; ", bad));
    }

    /** Called with every breakpoint's spec after the user adds or removes one. */
    public void setOnEdit(java.util.function.Consumer<List<String>> c) {
        onEdit = c;
    }

    /** The breakpoints as written, in order. */
    public List<String> specs() {
        return entries.stream().map(e -> e.breakpoint().spec()).toList();
    }

    /** Adds {@code text}; false (and the reason under the field, with its column) when it cannot be read. */
    public boolean add(String text) {
        if (text.isBlank()) return false;
        try {
            Breakpoint b = parser.apply(text);
            if (specs().contains(b.spec())) {
                error.setText("already set: " + b.spec());
                spec.clear();
                return false;
            }
            entries.add(new Entry(b, steps(b)));
            error.setText("");
            spec.clear();
            onEdit.accept(specs());
            return true;
        } catch (DebugError e) {
            error.setText("column " + e.col() + ": " + e.getMessage());
            return false;
        }
    }

    /** Shows why {@code target} is as it is: the steps that wrote it, newest first; a double-click jumps there. */
    public void showHistory(String target, int upTo, List<kstep.debug.Why.Cause> causes, java.util.function.IntConsumer jumpTo) {
        historyHead.setText("Why is " + target + " so at step " + upTo + "? " + (causes.isEmpty() ? "Nothing wrote it yet."
            : causes.size() + (causes.size() == 1 ? " write" : " writes") + ", the latest first (double-click to go there):"));
        history.getItems().setAll(causes);
        jump = jumpTo;
    }

    public List<kstep.debug.Why.Cause> history() {
        return List.copyOf(history.getItems());
    }

    /** Called with every step where some breakpoint stops, whenever the list or the run changes. */
    public void setOnHits(java.util.function.Consumer<List<Integer>> c) {
        entries.addListener((javafx.collections.ListChangeListener<Entry>) ch -> c.accept(allHits()));
    }

    /** Every step where some breakpoint stops, in order. */
    public List<Integer> allHits() {
        java.util.TreeSet<Integer> all = new java.util.TreeSet<>();
        for (Entry e : entries) all.addAll(e.hits());
        return List.copyOf(all);
    }

    public List<Breakpoint> breakpoints() {
        return entries.stream().map(Entry::breakpoint).toList();
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    public String errorText() {
        return error.getText();
    }
}
