package kstep.views;

import java.util.ArrayList;
import java.util.List;

import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import kstep.bpf.BpfProgram;
import kstep.bpf.Disasm;
import kstep.bpf.StepTrace;
import kstep.bpf.Vm;

/**
 * A BPF program's run, one instruction a step, forwards and backwards: the listing in the verifier log's
 * text with the instruction that runs next marked, the eleven registers (changed ones highlighted), the
 * current frame's stack from r10 down (the slots written so far), and the run's result. The view only reads
 * the recorded {@link StepTrace}.
 */
public final class BpfStepView extends BorderPane {
    private final Label title = new Label();
    private final Label position = new Label();
    private final Label result = new Label();
    private final VBox listing = new VBox(1);
    private final GridPane regs = new GridPane();
    private final VBox stack = new VBox(1);
    private final Slider slider = new Slider();
    private final List<Label> lines = new ArrayList<>();
    private final List<Integer> lineSlot = new ArrayList<>();
    private final Label watchText = new Label("right-click a register or a stack slot: stop where it changes");
    private String watching;
    private StepTrace trace;
    private int cursor;

    public BpfStepView() {
        setId("bpf-step-view");
        setPadding(new Insets(8));
        title.getStyleClass().add("pane-title");
        Button back = new Button("◀ Back");
        back.setId("bpf-back");
        back.setOnAction(e -> show(cursor - 1));
        Button step = new Button("Step ▶");
        step.setId("bpf-step");
        step.setOnAction(e -> show(cursor + 1));
        slider.setId("bpf-slider");
        slider.setMin(0);
        slider.valueProperty().addListener((o, a, b) -> {
            if ((int) Math.round(b.doubleValue()) != cursor) show((int) Math.round(b.doubleValue()));
        });
        HBox.setHgrow(slider, Priority.ALWAYS);
        position.setId("bpf-position");
        Button reverse = ToolButton.of("◀◀", "bpf-reverse", "Back to the last step that changed the watched register or slot", () -> toChange(true));
        Button cont = ToolButton.of("▶▶", "bpf-continue", "On to the next step that changes the watched register or slot", () -> toChange(false));
        watchText.setId("bpf-watch");
        watchText.getStyleClass().add("note-from");
        HBox bar = new HBox(8, back, step, reverse, cont, slider, position);
        setTop(new VBox(6, title, bar, watchText));
        ScrollPane lst = new ScrollPane(listing);
        lst.setFitToWidth(true);
        listing.setStyle("-fx-font-family: monospace;");
        regs.setHgap(10);
        regs.setVgap(1);
        regs.setStyle("-fx-font-family: monospace;");
        Label rt = new Label("registers");
        rt.getStyleClass().add("pane-title");
        Label st = new Label("stack (this frame, from r10 down)");
        st.getStyleClass().add("pane-title");
        stack.setStyle("-fx-font-family: monospace;");
        ScrollPane stk = new ScrollPane(stack);
        VBox right = new VBox(6, rt, regs, st, stk);
        right.setPrefWidth(430);
        setCenter(lst);
        setRight(right);
        result.setId("bpf-result");
        setBottom(result);
    }

    /** Shows a recorded run of {@code p}; the cursor goes to the start. */
    public void setTrace(BpfProgram p, StepTrace t) {
        this.trace = t;
        title.setText(p.name() + " (" + p.type().id + "), " + (t.steps().size() - 1) + " instructions run");
        listing.getChildren().clear();
        lines.clear();
        lineSlot.clear();
        List<String> texts = Disasm.program(p.insns());
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) continue;
            Label l = new Label(String.format("%4d: %s", i, texts.get(i)));
            l.setId("bpf-insn-" + i);
            lines.add(l);
            lineSlot.add(i);
            listing.getChildren().add(l);
        }
        slider.setMax(t.steps().size() - 1);
        Vm.Result r = t.result();
        result.setText(r.ok() ? "exit: r0 = 0x" + Long.toHexString(r.r0()) + ", retval " + r.retval()
            : "stopped at insn " + r.errorPc() + ": " + r.error());
        show(0);
    }

    /** Moves the cursor to step {@code n} (0: before the first instruction). */
    public void show(int n) {
        if (trace == null) return;
        List<StepTrace.Step> steps = trace.steps();
        cursor = Math.max(0, Math.min(steps.size() - 1, n));
        slider.setValue(cursor);
        StepTrace.Step s = steps.get(cursor);
        StepTrace.Step prev = cursor == 0 ? null : steps.get(cursor - 1);
        int next = cursor + 1 < steps.size() ? steps.get(cursor + 1).pc() : -1;
        int depth = cursor + 1 < steps.size() ? steps.get(cursor + 1).depth() : s.depth();
        position.setText("step " + cursor + " / " + (steps.size() - 1) + (next >= 0 ? ", next: insn " + next : ", done")
            + (depth > 0 ? " (frame " + depth + ", a bpf-to-bpf call)" : ""));
        for (int i = 0; i < lines.size(); i++) {
            int slot = lineSlot.get(i);
            String style = slot == next ? "-fx-background-color: #ffe680;" : slot == s.pc() ? "-fx-background-color: #e3ecf7;" : "";
            lines.get(i).setStyle(style);
        }
        regs.getChildren().clear();
        long[] r = s.regs();
        for (int i = 0; i < r.length; i++) {
            boolean changed = prev != null && prev.regs()[i] != r[i];
            Label name = new Label("r" + i);
            Label hex = new Label(String.format("0x%016x", r[i]));
            Label dec = new Label(Long.toString(r[i]));
            if (changed) for (Label l : List.of(name, hex, dec)) l.setStyle("-fx-background-color: #ffe680;");
            hex.setId("bpf-r" + i);
            for (Label l : List.of(name, hex, dec)) watchable(l, "r" + i);
            regs.addRow(i, name, hex, dec);
        }
        stack.getChildren().clear();
        byte[] b = s.stack();
        byte[] pb = prev == null || prev.depth() != s.depth() ? null : prev.stack();
        for (int off = 8; off <= b.length; off += 8) {
            int at = b.length - off;
            boolean zero = true, changed = false;
            StringBuilder hex = new StringBuilder();
            for (int k = 7; k >= 0; k--) {
                hex.append(String.format("%02x", b[at + k] & 0xff));
                if (b[at + k] != 0) zero = false;
                if (pb != null && pb[at + k] != b[at + k]) changed = true;
            }
            if (zero && !changed) continue;
            Label l = new Label(String.format("fp-%-3d %s", off, hex));
            l.setId("bpf-stack-" + off);
            watchable(l, "fp-" + off);
            if (changed) l.setStyle("-fx-background-color: #ffe680;");
            stack.getChildren().add(l);
        }
        if (stack.getChildren().isEmpty()) stack.getChildren().add(new Label("(nothing written yet)"));
    }

    public int cursor() {
        return cursor;
    }

    private void watchable(Label l, String what) {
        l.setOnMousePressed(e -> {
            if (!e.isSecondaryButtonDown()) return;
            javafx.scene.control.ContextMenu m = new javafx.scene.control.ContextMenu();
            m.setId("bpf-watch-menu");
            javafx.scene.control.MenuItem it = new javafx.scene.control.MenuItem("Stop when " + what + " changes (▶▶ and ◀◀)");
            it.setOnAction(x -> watch(what));
            m.getItems().add(it);
            m.show(l, e.getScreenX(), e.getScreenY());
            e.consume();
        });
    }

    /** ▶▶ and ◀◀ stop where {@code what} ("r3", "fp-8") changes; says how many steps do. */
    public void watch(String what) {
        if (!StepTrace.watchable(what)) throw new IllegalArgumentException("not a register or an 8-byte stack slot: " + what);
        watching = what;
        int n = 0;
        for (int k = 1; k < trace.steps().size(); k++) if (trace.changed(k, what)) n++;
        watchText.setText("watching " + what + ": " + n + (n == 1 ? " step changes it" : " steps change it") + " (▶▶ the next, ◀◀ the previous)");
    }

    /** ▶▶ / ◀◀: to the next (or previous) step that changed the watched register or slot; returns it, or -1. */
    public int toChange(boolean back) {
        if (watching == null || trace == null) {
            watchText.setText("nothing watched: right-click a register or a stack slot first");
            return -1;
        }
        int k = trace.nextChange(cursor, back, watching);
        if (k < 0) {
            watchText.setText("no step " + (back ? "before" : "after") + " step " + cursor + " changes " + watching);
            return -1;
        }
        StepTrace.Step a = trace.steps().get(k - 1);
        StepTrace.Step b = trace.steps().get(k);
        show(k);
        watchText.setText(String.format("step %d, insn %d changed %s: 0x%x -> 0x%x", k, b.pc(), watching, StepTrace.value(a, watching), StepTrace.value(b, watching)));
        return k;
    }

    public String watchText() {
        return watchText.getText();
    }

    /** The register line as shown: "r0 0x...". */
    public String register(int i) {
        return ((Label) lookup("#bpf-r" + i)).getText();
    }

    public String positionText() {
        return position.getText();
    }

    /** The stack rows shown, "fp-8 0000000000000003" and so on. */
    public List<String> stackRows() {
        List<String> out = new ArrayList<>();
        for (var n : stack.getChildren()) out.add(((Label) n).getText());
        return out;
    }
}
