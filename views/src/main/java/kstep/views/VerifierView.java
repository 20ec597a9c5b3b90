package kstep.views;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;

import org.fxmisc.flowless.VirtualizedScrollPane;
import org.fxmisc.richtext.CodeArea;
import org.fxmisc.richtext.LineNumberFactory;
import org.fxmisc.richtext.model.StyleSpans;
import org.fxmisc.richtext.model.StyleSpansBuilder;

import kstep.bpf.Disasm;
import kstep.bpf.Insn;
import kstep.bpf.Verifier;
import kstep.bpf.VerifierState;
import kstep.bpf.VerifierStep;

/**
 * The verifier workbench: the program in an editor (kernel syntax coloured, the rejected instruction's line
 * underlined with the kernel's message), every instruction with the state it was last simulated in up to the
 * current step (registers it changed in red, old -> new, the ones it read in blue, precise scalars bold),
 * the exploration as a tree of paths (branches pushed, pruned, exits, the error), and the log in the
 * kernel's format, linked both ways with the steps, with the running kernel's log beside it when known.
 * The view reads a {@link Verifier.Result}; "Verify" hands the edited text to the app.
 */
public final class VerifierView extends BorderPane {
    /** The running kernel's answer, when it could be asked. */
    public record Kernel(boolean accepted, String error, String log) { }

    private final CodeArea editor = new CodeArea();
    private final Label title = new Label();
    private final LivenessTableView liveness = new LivenessTableView();
    private final Label message = new Label();
    private final Label verdict = new Label();
    private final Label kernelVerdict = new Label();
    private final Label position = new Label();
    private final Slider slider = new Slider();
    private final GridPane table = new GridPane();
    private final TreeView<String> tree = new TreeView<>();
    private final ListView<String> log = new ListView<>();
    private final ListView<String> kernelLog = new ListView<>();
    private final Map<TreeItem<String>, Integer> treeSteps = new HashMap<>();
    private final List<Label> rowHeads = new ArrayList<>();
    private final List<TextFlow> rowStates = new ArrayList<>();
    private final Label why = new Label();
    private final javafx.scene.control.ChoiceBox<kstep.bpf.VerifierStop> stopAt = new javafx.scene.control.ChoiceBox<>();
    private final javafx.scene.control.TextField stopArg = new javafx.scene.control.TextField();
    private final DefUseArrows arrows = new DefUseArrows(this::rowHead);
    // the instructions of the def-use chain shown, until the cursor moves
    private java.util.Set<Integer> whyInsns = java.util.Set.of();
    private final List<Integer> rowInsn = new ArrayList<>();
    private final List<Integer> lineStarts = new ArrayList<>();
    private Consumer<String> onVerify = s -> { };
    private List<Insn> insns = List.of();
    private List<VerifierStep> steps = List.of();
    private int[] sourceLine = new int[0];
    private String logText = "";
    private int cursor;
    private int errorLine = -1;
    private boolean syncing;
    private final kstep.views.annotate.AnnotatedPane centre;
    private final kstep.views.annotate.AnnotationLayer annotations;
    private String annotationVariant = "6.18";

    private static final String WHY_HINT = "Click a register (R0 ...) or a stack slot (fp-8) in the table: why it holds what it holds."
        + " Right-click it to stop where it changes.";

    public VerifierView() {
        setId("verifier-view");
        setPadding(new Insets(6));
        title.setText("BPF verifier workbench — Linux 6.18, privileged loader (root)");
        title.getStyleClass().add("pane-title");
        Button verify = new Button("Verify");
        verify.setId("verifier-verify");
        verify.setOnAction(e -> onVerify.accept(editor.getText()));
        Button back = new Button("◀ Back");
        back.setId("verifier-back");
        back.setOnAction(e -> show(cursor - 1));
        Button step = new Button("Step ▶");
        step.setId("verifier-step");
        step.setOnAction(e -> show(cursor + 1));
        slider.setId("verifier-slider");
        slider.valueProperty().addListener((o, a, b) -> {
            if (!syncing && (int) Math.round(b.doubleValue()) != cursor) show((int) Math.round(b.doubleValue()));
        });
        HBox.setHgrow(slider, Priority.ALWAYS);
        verdict.setId("verifier-verdict");
        kernelVerdict.setId("verifier-kernel");
        position.setId("verifier-position");
        position.getStyleClass().add("step-label");
        stopAt.setId("verifier-stop-at");
        stopAt.getItems().setAll(kstep.bpf.VerifierStop.values());
        stopAt.setValue(kstep.bpf.VerifierStop.PRUNED);
        stopArg.setId("verifier-stop-arg");
        stopArg.setPrefColumnCount(4);
        stopArg.setPromptText("insn");
        stopArg.setDisable(true);
        stopAt.valueProperty().addListener((o, a, b) -> {
            stopArg.setDisable(b == null || !b.takesArgument());
            stopArg.setPromptText(b == kstep.bpf.VerifierStop.CHANGED ? "r3, fp-8" : "insn");
        });
        Button reverse = ToolButton.of("◀◀", "verifier-reverse", "Back to the last step before this one where the chosen thing happens", () -> stopAt(true));
        Button cont = ToolButton.of("▶▶", "verifier-continue", "On to the next step where the chosen thing happens (a state pruned, a branch pushed, ...)",
            () -> stopAt(false));
        HBox bar = new HBox(8, verify, back, step, new Label("stop at"), stopAt, stopArg, reverse, cont, slider, position);

        editor.setId("verifier-editor");
        editor.getStyleClass().add("model-code");
        editor.setParagraphGraphicFactory(LineNumberFactory.get(editor));
        editor.textProperty().addListener((o, a, b) -> editor.setStyleSpans(0, highlight(b)));
        message.setId("verifier-message");
        message.setWrapText(true);
        message.getStyleClass().add("outcome-finding");
        VBox left = new VBox(4, pane("program"), new VirtualizedScrollPane<>(editor), message);
        VBox.setVgrow(left.getChildren().get(1), Priority.ALWAYS);

        table.setId("verifier-table");
        table.setHgap(8);
        table.setVgap(1);
        table.getStyleClass().add("event-list");
        javafx.scene.layout.StackPane withArrows = new javafx.scene.layout.StackPane(table, arrows);
        withArrows.setAlignment(javafx.geometry.Pos.TOP_LEFT);
        ScrollPane tbl = new ScrollPane(withArrows);
        tbl.setFitToWidth(true);
        why.setId("verifier-why");
        why.setWrapText(true);
        why.getStyleClass().add("note-from");
        why.setText(WHY_HINT);
        VBox states = new VBox(4, pane("instructions, as last simulated up to this step (red: changed, blue: read)"), tbl, why);
        VBox.setVgrow(tbl, Priority.ALWAYS);
        javafx.scene.control.Tab statesTab = new javafx.scene.control.Tab("states", states);
        javafx.scene.control.Tab liveTab = new javafx.scene.control.Tab("liveness", liveness);
        statesTab.setClosable(false);
        liveTab.setClosable(false);
        javafx.scene.control.TabPane middle = new javafx.scene.control.TabPane(statesTab, liveTab);
        middle.setId("verifier-tabs");

        tree.setId("verifier-tree");
        tree.getStyleClass().add("event-list");
        tree.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            Integer s = b == null ? null : treeSteps.get(b);
            if (!syncing && s != null) show(s);
        });
        VBox right = new VBox(4, pane("exploration: paths, branches, pruning"), tree);
        VBox.setVgrow(tree, Priority.ALWAYS);

        log.setId("verifier-log");
        log.getStyleClass().add("event-list");
        log.setCellFactory(l -> new LogCell());
        log.getSelectionModel().selectedIndexProperty().addListener((o, a, b) -> {
            if (!syncing && b.intValue() >= 0) showLogLine(b.intValue());
        });
        kernelLog.setId("verifier-kernel-log");
        kernelLog.getStyleClass().add("event-list");
        kernelLog.setCellFactory(l -> new KernelCell());
        VBox ours = new VBox(2, pane("kstep's log"), log);
        VBox theirs = new VBox(2, pane("the running kernel's log"), kernelLog);
        VBox.setVgrow(log, Priority.ALWAYS);
        VBox.setVgrow(kernelLog, Priority.ALWAYS);
        SplitPane logs = new SplitPane(ours, theirs);

        SplitPane top = new SplitPane(left, middle, right);
        top.setDividerPositions(0.27, 0.74);
        SplitPane all = new SplitPane(top, logs);
        all.setOrientation(Orientation.VERTICAL);
        all.setDividerPositions(0.64);
        // annotations are drawn over the three panes and the logs, anchored to instruction rows and states
        centre = new kstep.views.annotate.AnnotatedPane(all, "verifier");
        annotations = centre.layer();
        annotations.setStep(annotationVariant, 0);
        centre.keysFrom(this, e -> editor.isFocused());
        bar.getChildren().add(centre.toggle());
        setTop(new VBox(4, title, new HBox(16, verdict, kernelVerdict), bar, annotations.palette()));
        setCenter(centre);
    }

    private static Node pane(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("pane-title");
        HBox h = new HBox(l);
        h.getStyleClass().add("pane-head");
        return h;
    }

    /** The annotation layer over the workbench (its steps are the verifier's steps). */
    public kstep.views.annotate.AnnotationLayer annotations() {
        return annotations;
    }

    /** The name annotations file this program's steps under: the kernel and loader they belong to. */
    public void setAnnotationVariant(String name) {
        annotationVariant = name;
        annotations.setStep(name, cursor);
    }

    /** What "Verify" does with the editor's text (the app parses and verifies it, then calls {@link #setResult}). */
    public void setOnVerify(Consumer<String> c) {
        onVerify = Objects.requireNonNull(c);
    }

    /** Puts {@code source} in the editor (the program's text as the user wrote it). */
    public void setSource(String source) {
        editor.replaceText(source);
        editor.moveTo(0);
    }

    /** A program that could not be read: the message, and its line underlined. */
    public void setInputError(String msg, int line) {
        message.setText(msg);
        verdict.setText("not a program");
        verdict.getStyleClass().setAll("outcome-finding");
        clearUnderline();
        if (line >= 1 && line <= editor.getParagraphs().size()) {
            errorLine = line - 1;
            styleLines(-1);
        }
    }

    private void clearUnderline() {
        errorLine = -1;
        for (int i = 0; i < editor.getParagraphs().size(); i++) editor.setParagraphStyle(i, List.of());
    }

    /** The editor's line styles: the rejected instruction underlined, the current one marked. */
    private void styleLines(int current) {
        for (int i = 0; i < editor.getParagraphs().size(); i++) {
            List<String> st = new ArrayList<>();
            if (i == errorLine) st.add("error-line");
            if (i == current) st.add("current-line");
            editor.setParagraphStyle(i, st);
        }
    }

    /** The editor's text. */
    public String sourceText() {
        return editor.getText();
    }

    /** Shows a verification of {@code program}; {@code kernel} may be null. The cursor goes to the last step. */
    public void setResult(List<Insn> program, Verifier.Result r, Kernel kernel, boolean privileged) {
        String kernelName = switch (r.variant()) {
            case LINUX_6_18 -> "Linux 6.18";
            case STACK_ARGS -> "Linux 6.18 + the stack-arguments series (not the running kernel)";
            case STACK_ARGS_UNPATCHED -> "Linux 6.18 + the stack-arguments series without patch 04/18 (not the running kernel)";
        };
        title.setText("BPF verifier workbench — " + kernelName + ", " + (privileged ? "privileged loader (root)" : "unprivileged loader"));
        insns = program;
        steps = r.steps();
        logText = r.log();
        // another program: a chain shown for the last one means nothing here
        whyInsns = java.util.Set.of();
        setArrows(List.of());
        why.setText(WHY_HINT);
        sourceLine = sourceLines(editor.getText(), program);
        verdict.setText("kstep: " + (r.accepted() ? "accepted" : "rejected — " + r.error()) + " (" + r.processed() + " insns processed)");
        verdict.getStyleClass().setAll(r.accepted() ? "outcome-ok" : "outcome-finding");
        if (kernel == null) {
            kernelVerdict.setText("kernel: not asked (needs Linux, cc and root)");
            kernelVerdict.getStyleClass().setAll("pane-subtitle");
        } else {
            boolean same = kernel.accepted() == r.accepted() && kernel.error().equals(r.error());
            kernelVerdict.setText("kernel: " + (kernel.accepted() ? "accepted" : "rejected — " + kernel.error()) + (same ? "  (the same)" : "  (DIFFERENT)"));
            kernelVerdict.getStyleClass().setAll(same ? "outcome-ok" : "outcome-finding");
        }
        message.setText(r.log().isEmpty() && !r.accepted() ? "an unprivileged loader may load only socket filters (bpf_prog_load(): -EPERM, no log)" : "");
        clearUnderline();
        for (VerifierStep s : steps) {
            if (s instanceof VerifierStep.Failed f && f.insn() >= 0 && f.insn() < sourceLine.length && sourceLine[f.insn()] >= 0) {
                errorLine = sourceLine[f.insn()];
                message.setText("line " + (sourceLine[f.insn()] + 1) + ", insn " + f.insn() + ": " + f.error());
            }
        }
        buildTable();
        buildTree();
        liveness.set(program, r.liveRegs(), kstep.bpf.LiveRegs.of(new kstep.bpf.BpfProgram("p", kstep.bpf.BpfProgram.ProgType.SOCKET_FILTER, program)),
            r.chains(), r.argTracking());
        lineStarts.clear();
        List<String> lines = new ArrayList<>();
        int pos = 0;
        for (String l : logText.split("\n", -1)) {
            lineStarts.add(pos);
            lines.add(l);
            pos += l.length() + 1;
        }
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
            lineStarts.remove(lineStarts.size() - 1);
        }
        log.getItems().setAll(lines);
        if (kernel == null) kernelLog.getItems().setAll("(the kernel was not asked)");
        else kernelLog.getItems().setAll(kernel.log().split("\n"));
        slider.setMax(Math.max(0, steps.size() - 1));
        show(steps.size() - 1);
    }

    /** The editor line (0-based) of each instruction slot: a line a slot, two for a 64-bit load; -1 for none. */
    static int[] sourceLines(String text, List<Insn> program) {
        int[] out = new int[program.size()];
        java.util.Arrays.fill(out, -1);
        String[] lines = text.split("\n", -1);
        int insn = 0;
        boolean hex = true;
        for (String l : lines) {
            String s = l.replaceAll("(#|;|//).*", "").strip();
            if (!s.isEmpty() && !s.matches("[0-9a-fA-F]{16}")) hex = false;
        }
        for (int i = 0; i < lines.length && insn < program.size(); i++) {
            String s = lines[i].replaceAll(hex ? "#.*" : "(;|//).*", "").strip();
            if (s.isEmpty()) continue;
            out[insn] = i;
            insn += !hex && program.get(insn).isLdImm64() ? 2 : 1;
        }
        return out;
    }

    private void buildTable() {
        table.getChildren().clear();
        rowHeads.clear();
        rowStates.clear();
        rowInsn.clear();
        List<String> texts = Disasm.program(insns);
        int row = 0;
        for (int i = 0; i < insns.size(); i++) {
            if (texts.get(i) == null) continue;
            Label head = kstep.views.annotate.Anchors.tag(new Label(String.format("%3d: %s", i, texts.get(i))), "insn:" + i);
            head.setId("verifier-row-" + i);
            head.setMinWidth(Label.USE_PREF_SIZE);
            int insn = i;
            head.setOnMouseClicked(e -> showInsn(insn));
            TextFlow state = kstep.views.annotate.Anchors.tag(new TextFlow(), "state:" + i);
            state.setId("verifier-state-" + i);
            table.add(head, 0, row);
            table.add(state, 1, row);
            rowHeads.add(head);
            rowStates.add(state);
            rowInsn.add(i);
            row++;
        }
    }

    private void buildTree() {
        treeSteps.clear();
        Map<Integer, TreeItem<String>> paths = new HashMap<>();
        TreeItem<String> root = new TreeItem<>("path 0 — from insn 0");
        root.setExpanded(true);
        paths.put(0, root);
        treeSteps.put(root, 0);
        for (int k = 0; k < steps.size(); k++) {
            VerifierStep s = steps.get(k);
            if (s instanceof VerifierStep.Pushed p) {
                TreeItem<String> parent = paths.getOrDefault(p.path(), root);
                TreeItem<String> child = new TreeItem<>("path " + p.child() + " — branch to insn " + p.target() + ", pushed at insn " + p.insn());
                child.setExpanded(true);
                parent.getChildren().add(child);
                paths.put(p.child(), child);
                treeSteps.put(child, k);
            } else if (s instanceof VerifierStep.Popped p) {
                TreeItem<String> item = paths.get(p.path());
                if (item != null) {
                    TreeItem<String> leaf = new TreeItem<>("explored from step " + k);
                    item.getChildren().add(0, leaf);
                    treeSteps.put(leaf, k);
                }
            } else if (s instanceof VerifierStep.Pruned p) {
                leaf(paths, root, p.path(), "pruned at insn " + p.insn() + ": path " + p.checkpoint() + "'s checkpoint there covers it", k);
            } else if (s instanceof VerifierStep.Exited p) {
                leaf(paths, root, p.path(), "exit at insn " + p.insn(), k);
            } else if (s instanceof VerifierStep.Failed p) {
                boolean spec = p.error().endsWith("(speculative: the path ends, the program is not refused)");
                leaf(paths, root, p.path(), (spec ? "speculative path ends at insn " : "REJECTED at insn ") + p.insn() + ": " + p.error(), k);
            }
        }
        tree.setRoot(root);
    }

    private void leaf(Map<Integer, TreeItem<String>> paths, TreeItem<String> root, int path, String text, int step) {
        TreeItem<String> leaf = new TreeItem<>(text);
        paths.getOrDefault(path, root).getChildren().add(leaf);
        treeSteps.put(leaf, step);
    }

    public int steps() {
        return steps.size();
    }

    /** The message under the editor: the rejected instruction's line and the kernel's words. */
    public String messageText() {
        return message.getText();
    }

    /** The selected line of kstep's log. */
    public String selectedLogLine() {
        return log.getSelectionModel().getSelectedItem();
    }

    /** The liveness tab's table. */
    public LivenessTableView livenessTable() {
        return liveness;
    }

    /** The exploration tree's lines, depth-first, indented two spaces a level. */
    public List<String> treeLines() {
        List<String> out = new ArrayList<>();
        walk(tree.getRoot(), 0, out);
        return out;
    }

    private static void walk(TreeItem<String> t, int depth, List<String> out) {
        if (t == null) return;
        out.add("  ".repeat(depth) + t.getValue());
        for (TreeItem<String> c : t.getChildren()) walk(c, depth + 1, out);
    }

    /** kstep's log, a line an item. */
    public List<String> logLines() {
        return List.copyOf(log.getItems());
    }

    /** Selects line {@code i} of kstep's log, as a click does: the step that wrote it is shown. */
    public void selectLogLine(int i) {
        log.getSelectionModel().select(i);
    }

    public int cursor() {
        return cursor;
    }

    /** The line over the table: which step of how many, and what it did. */
    public String positionText() {
        return position.getText();
    }

    /** The text of the state column of instruction {@code insn}, as shown now. */
    public String stateText(int insn) {
        int r = rowInsn.indexOf(insn);
        if (r < 0) return "";
        StringBuilder b = new StringBuilder();
        for (Node n : rowStates.get(r).getChildren()) b.append(((Text) n).getText());
        return b.toString();
    }

    /** Moves to step {@code k} (clamped): the table, the tree and the log follow. */
    public void show(int k) {
        if (steps.isEmpty()) {
            cursor = 0;
            position.setText("no steps");
            return;
        }
        int was = cursor;
        cursor = Math.max(0, Math.min(k, steps.size() - 1));
        if (cursor != was) {
            whyInsns = java.util.Set.of();
            setArrows(List.of());
            why.setText(WHY_HINT);
        }
        annotations.setStep(annotationVariant, cursor);
        syncing = true;
        try {
            slider.setValue(cursor);
            VerifierStep cur = steps.get(cursor);
            position.setText("step " + (cursor + 1) + "/" + steps.size() + " — " + describe(cur));
            VerifierStep.Simulated[] last = new VerifierStep.Simulated[insns.size()];
            for (int i = 0; i <= cursor; i++) if (steps.get(i) instanceof VerifierStep.Simulated s && s.insn() < last.length) last[s.insn()] = s;
            for (int r = 0; r < rowInsn.size(); r++) {
                int insn = rowInsn.get(r);
                fill(rowStates.get(r), last[insn], insns.get(insn), this::explain, this::valueMenu);
                rowHeads.get(r).setStyle((insn == cur.insn() ? "-fx-background-color: #fff1a8; -fx-font-weight: bold;"
                    : last[insn] != null ? "-fx-background-color: #ddf4ff;" : "")
                    + (whyInsns.contains(insn) ? " -fx-border-color: #8250df; -fx-border-width: 0 0 0 5; -fx-padding: 0 0 0 3;" : ""));
            }
            for (Map.Entry<TreeItem<String>, Integer> e : treeSteps.entrySet()) {
                if (e.getValue() == cursor) tree.getSelectionModel().select(e.getKey());
            }
            int line = lineAt(Math.max(0, cur.logPos() - 1));
            if (line >= 0) {
                log.getSelectionModel().select(line);
                log.scrollTo(Math.max(0, line - 3));
                if (line < kernelLog.getItems().size()) {
                    kernelLog.getSelectionModel().select(line);
                    kernelLog.scrollTo(Math.max(0, line - 3));
                }
            }
            int src = cur.insn() >= 0 && cur.insn() < sourceLine.length ? sourceLine[cur.insn()] : -1;
            styleLines(src);
            if (src >= 0) editor.moveTo(src, 0);
        } finally {
            syncing = false;
        }
    }

    private static String describe(VerifierStep s) {
        if (s instanceof VerifierStep.Simulated x) return "path " + x.path() + " simulates insn " + x.insn();
        if (s instanceof VerifierStep.Pushed x) return "path " + x.path() + " pushes a branch to insn " + x.target();
        if (s instanceof VerifierStep.Popped x) return "path " + x.path() + " taken up at insn " + x.insn();
        if (s instanceof VerifierStep.Pruned x) return "path " + x.path() + " pruned at insn " + x.insn();
        if (s instanceof VerifierStep.Exited x) return "path " + x.path() + " exits at insn " + x.insn();
        VerifierStep.Failed f = (VerifierStep.Failed) s;
        return "rejected at insn " + f.insn() + ": " + f.error();
    }

    private int lineAt(int pos) {
        int line = -1;
        for (int i = 0; i < lineStarts.size() && lineStarts.get(i) <= pos; i++) line = i;
        return line;
    }

    private void showLogLine(int line) {
        int start = lineStarts.get(line);
        for (int k = 0; k < steps.size(); k++) {
            if (steps.get(k).logPos() > start) {
                show(k);
                return;
            }
        }
        show(steps.size() - 1);
    }

    private void showInsn(int insn) {
        for (int k = cursor; k >= 0; k--) {
            if (steps.get(k) instanceof VerifierStep.Simulated s && s.insn() == insn) {
                show(k);
                return;
            }
        }
        for (int k = cursor + 1; k < steps.size(); k++) {
            if (steps.get(k) instanceof VerifierStep.Simulated s && s.insn() == insn) {
                show(k);
                return;
            }
        }
    }

    /** The registers an instruction reads (its operands and, for a call, r1-r5; exit reads r0). */
    static List<Integer> reads(Insn in) {
        return kstep.bpf.RegisterWhy.reads(in);
    }

    /**
     * ▶▶ / ◀◀: the next (or previous) step where the chosen thing happens; says so under the table when there is
     * none. Returns the step moved to, or -1.
     */
    public int stopAt(boolean back) {
        kstep.bpf.VerifierStop s = stopAt.getValue();
        String arg = stopArg.getText().strip();
        if (s.takesArgument() && s.problem(arg) != null) {
            why.setText(s.problem(arg));
            return -1;
        }
        String what = s == kstep.bpf.VerifierStop.CHANGED ? "change of " + arg : s + (s.takesArgument() ? " " + arg : "");
        int k = s.next(steps, cursor, back, arg);
        if (k < 0) {
            why.setText("No " + what + (back ? " before" : " after") + " step " + (cursor + 1) + " (" + s.count(steps, arg) + " in all).");
            return -1;
        }
        show(k);
        why.setText("Stopped at step " + (k + 1) + ": " + what + (s == kstep.bpf.VerifierStop.CHANGED ? " (" + value(k, arg) + ")" : "")
            + " (" + s.count(steps, arg) + " in all).");
        return k;
    }

    private String value(int k, String arg) {
        VerifierStep.Simulated x = (VerifierStep.Simulated) steps.get(k);
        String a = kstep.bpf.VerifierStop.value(x.before(), arg);
        String b = kstep.bpf.VerifierStop.value(x.after(), arg);
        return (a == null ? "—" : a) + " -> " + (b == null ? "—" : b);
    }

    /** Chooses what ▶▶ and ◀◀ stop at; {@code arg} is the instruction or the register or slot ("r3", "fp-8"), or "". */
    public void setStopAt(kstep.bpf.VerifierStop s, String arg) {
        stopAt.setValue(s);
        stopArg.setText(arg == null ? "" : arg);
    }

    /** The menu a right-click on a register or slot in the table gets: stop where it changes, or why it is so. */
    private void valueMenu(String name, javafx.scene.input.MouseEvent e) {
        javafx.scene.control.ContextMenu m = new javafx.scene.control.ContextMenu();
        m.setId("verifier-value-menu");
        javafx.scene.control.MenuItem watch = new javafx.scene.control.MenuItem("Stop when " + name + " changes (▶▶ and ◀◀)");
        watch.setOnAction(x -> {
            setStopAt(kstep.bpf.VerifierStop.CHANGED, name.toLowerCase(java.util.Locale.ROOT));
            why.setText("▶▶ and ◀◀ now stop where " + name + " changes (" + kstep.bpf.VerifierStop.CHANGED.count(steps, name) + " steps).");
        });
        javafx.scene.control.MenuItem whyItem = new javafx.scene.control.MenuItem("Why does " + name + " hold this?");
        whyItem.setOnAction(x -> explain(name));
        m.getItems().addAll(watch, whyItem);
        m.show((Node) e.getSource(), e.getScreenX(), e.getScreenY());
        e.consume();
    }

    /**
     * Why register {@code reg} holds its value at this step: the instruction that set it on this path and, behind
     * it, the ones that set what it read (their rows get a purple bar, and arrows from each definition to its
     * use). Returns the sentence shown.
     */
    public String explain(int reg) {
        return explain("R" + reg);
    }

    /** {@link #explain(int)} for a register ("R3") or a stack slot of the current frame ("fp-8"). */
    public String explain(String name) {
        boolean slot = !name.matches("[Rr]([0-9]|10)");
        int reg = slot ? -1 : Integer.parseInt(name.substring(1));
        kstep.bpf.RegisterWhy.Def d = slot ? kstep.bpf.RegisterWhy.ofSlot(steps, insns, cursor, name) : kstep.bpf.RegisterWhy.of(steps, insns, cursor, reg);
        List<DefUseArrows.Edge> edges = new ArrayList<>();
        if (d == null) {
            whyInsns = java.util.Set.of();
            why.setText(reg == 10 ? "R10 is the frame pointer: read-only, set by the kernel."
                : slot ? name + " was not written on this path." : name + " was not set on this path: it is as the program started (R1 the context).");
        } else {
            java.util.Set<Integer> in = new java.util.TreeSet<>();
            why.setText(d.name() + " = " + d.value() + ": " + chain(d, in, edges));
            whyInsns = in;
            int here = steps.get(cursor).insn();
            if (here >= 0 && here != d.insn()) edges.add(0, new DefUseArrows.Edge(d.insn(), here, d.name()));
        }
        setArrows(edges);
        show(cursor); // redraws the rows with the chain's bars
        return why.getText();
    }

    // the table makes room on its left for the arrows' gutter
    private void setArrows(List<DefUseArrows.Edge> edges) {
        table.setPadding(new Insets(0, 0, 0, arrows.set(edges)));
    }

    /** The def-use arrows drawn now, "from -> to what" ("4 -> 7 R2"). */
    public List<String> arrows() {
        return arrows.edges().stream().map(Object::toString).toList();
    }

    private Node rowHead(int insn) {
        int r = rowInsn.indexOf(insn);
        return r < 0 ? null : rowHeads.get(r);
    }

    private String chain(kstep.bpf.RegisterWhy.Def d, java.util.Set<Integer> insnsSeen, List<DefUseArrows.Edge> edges) {
        insnsSeen.add(d.insn());
        String text = Disasm.program(insns).get(d.insn()).replaceFirst("^\\([0-9a-f]{2}\\) ", "");
        StringBuilder b = new StringBuilder("set at insn " + d.insn() + " `" + text + "` (step " + (d.step() + 1) + ")");
        if (!d.from().isEmpty()) {
            b.append(", from ");
            for (int i = 0; i < d.from().size(); i++) {
                kstep.bpf.RegisterWhy.Def f = d.from().get(i);
                if (f.insn() != d.insn()) edges.add(new DefUseArrows.Edge(f.insn(), d.insn(), f.name()));
                b.append(i > 0 ? "; " : "").append(f.name()).append(" ").append(chain(f, insnsSeen, edges));
            }
        }
        return b.toString();
    }

    private static void fill(TextFlow flow, VerifierStep.Simulated s, Insn in, Consumer<String> onValue,
                             java.util.function.BiConsumer<String, javafx.scene.input.MouseEvent> onMenu) {
        flow.getChildren().clear();
        if (s == null) {
            flow.getChildren().add(text("not reached yet", Color.web("#8c959f"), false));
            return;
        }
        VerifierState a = s.before(), b = s.after();
        int fa = a.curframeNo(), fb = b.curframeNo();
        if (fb != fa) flow.getChildren().add(text("frame" + fa + " → frame" + fb + "  ", Color.web("#6639ba"), true));
        List<Integer> reads = reads(in);
        for (int r = 0; r <= 10; r++) {
            String x = a.register(fa, r), y = b.register(fb, r);
            if (fa == fb && !Objects.equals(x, y)) {
                Text t = text("R" + r + ": " + (x == null ? "—" : x) + " -> " + (y == null ? "—" : y) + "  ", Color.web("#cf222e"),
                    y != null && b.precise(fb, r));
                clickable(t, "R" + r, onValue, onMenu);
                flow.getChildren().add(t);
            } else if (reads.contains(r) && x != null) {
                Text t = text("R" + r + "=" + x + "  ", Color.web("#0550ae"), a.precise(fa, r));
                clickable(t, "R" + r, onValue, onMenu);
                flow.getChildren().add(t);
            }
        }
        // stack slots changed in any frame both states have (a callee may write its caller's stack through a pointer)
        for (int f = 0; f <= Math.min(fa, fb); f++) {
            Map<String, String> sa = a.stack(f), sb = b.stack(f);
            String where = f == fb ? "" : "frame" + f + " ";
            for (Map.Entry<String, String> e : sb.entrySet()) {
                String old = sa.get(e.getKey());
                if (e.getValue().equals(old)) continue;
                Text t = text(where + e.getKey() + ": " + (old == null ? "????????" : old) + " -> " + e.getValue() + "  ", Color.web("#cf222e"), false);
                // the why and the watch follow the current frame's slots
                if (f == fb) clickable(t, e.getKey(), onValue, onMenu);
                flow.getChildren().add(t);
            }
        }
        if (flow.getChildren().isEmpty()) flow.getChildren().add(text("(no change)", Color.web("#57606a"), false));
    }

    private static void clickable(Text t, String name, Consumer<String> onValue, java.util.function.BiConsumer<String, javafx.scene.input.MouseEvent> onMenu) {
        t.setCursor(javafx.scene.Cursor.HAND);
        t.setOnMouseClicked(e -> {
            if (e.getButton() == javafx.scene.input.MouseButton.PRIMARY) onValue.accept(name);
        });
        t.setOnMousePressed(e -> {
            if (e.isSecondaryButtonDown()) onMenu.accept(name, e);
        });
        t.setId(name.startsWith("R") ? "reg-" + name.substring(1) : "slot-" + name);
    }

    private static Text text(String s, Color c, boolean bold) {
        Text t = new Text(s);
        t.setFill(c);
        t.setStyle("-fx-font-family: 'DejaVu Sans Mono', monospace; -fx-font-size: 11px;" + (bold ? " -fx-font-weight: bold;" : ""));
        return t;
    }

    /** A log line: the error and the pruning lines stand out. */
    private static final class LogCell extends ListCell<String> {
        @Override
        protected void updateItem(String s, boolean empty) {
            super.updateItem(s, empty);
            setText(empty ? null : s);
            if (empty || s == null) {
                setStyle("");
                return;
            }
            if (s.endsWith(": safe") || s.startsWith("from ")) setStyle("-fx-text-fill: #1a7f37;");
            else if (s.startsWith("mark_precise") || s.startsWith("(") || s.startsWith("SCC")) setStyle("-fx-text-fill: #6e7781;");
            else setStyle("");
        }
    }

    /** A line of the kernel's log, marked when kstep's log has a different line at the same place. */
    private final class KernelCell extends ListCell<String> {
        @Override
        protected void updateItem(String s, boolean empty) {
            super.updateItem(s, empty);
            setText(empty ? null : s);
            int i = getIndex();
            boolean differs = !empty && s != null && (i >= log.getItems().size() || !norm(log.getItems().get(i)).equals(norm(s)));
            setStyle(differs ? "-fx-background-color: #ffebe9;" : "");
        }
    }

    private static String norm(String s) {
        return s.replaceAll("0xffff88[0-9a-f]{10}", "MAP");
    }

    // ------------------------------------------------------------------ the verifier log's syntax, coloured
    private static final Pattern SYNTAX = Pattern.compile(
        "(?<COMMENT>//[^\n]*|;[^\n]*)"
            + "|(?<KEYWORD>\\b(goto|call|exit|if|gotol|lock|may_goto)\\b)"
            + "|(?<TYPE>\\((u8|u16|u32|u64|s8|s16|s32|s64) \\*\\)|\\b(be16|be32|be64|le16|le32|le64|bswap16|bswap32|bswap64)\\b)"
            + "|(?<REG>\\b[rw](10|[0-9])\\b)"
            + "|(?<NUMBER>-?\\b(0x[0-9a-fA-F]+|[0-9]+)\\b)");

    static StyleSpans<Collection<String>> highlight(String text) {
        Matcher m = SYNTAX.matcher(text);
        int last = 0;
        StyleSpansBuilder<Collection<String>> b = new StyleSpansBuilder<>();
        while (m.find()) {
            String cls = m.group("COMMENT") != null ? "comment" : m.group("KEYWORD") != null ? "keyword" : m.group("TYPE") != null ? "type"
                : m.group("REG") != null ? "preproc" : "number";
            b.add(Collections.emptyList(), m.start() - last);
            b.add(Collections.singleton(cls), m.end() - m.start());
            last = m.end();
        }
        b.add(Collections.emptyList(), text.length() - last);
        return b.create();
    }
}
