package kstep.views;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntFunction;

import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import org.fxmisc.flowless.VirtualizedScrollPane;
import org.fxmisc.richtext.CodeArea;
import org.fxmisc.richtext.LineNumberFactory;

import kstep.engine.Cpu;
import kstep.engine.Frame;
import kstep.engine.KObject;
import kstep.engine.Op;
import kstep.engine.PreemptCount;
import kstep.engine.StructType;
import kstep.engine.Task;
import kstep.engine.Value;
import kstep.engine.World;
import kstep.lang.ModelSource;

/**
 * One CPU's view of the code: a header (the task it runs, its context, preempt_count, interrupts), the model
 * file of the innermost frame with the line about to run highlighted, and the call stack with each frame's
 * locals. Lines the current variant does not compile are dimmed; lines that differ between variants carry a
 * marker in the gutter. Clicking a frame shows where that frame is.
 */
public final class CodePane extends VBox implements kstep.views.annotate.AnchorSource {
    private final int cpu;
    private final Label header = new Label();
    private final Label subheader = new Label();
    private final CodeArea area = new CodeArea();
    private final ListView<FrameRow> stack = new ListView<>();
    private String shownFile;
    private String shownVariant;
    private BitSet differing = new BitSet();
    private BitSet inactive = new BitSet();
    private int currentLine = -1;
    private int executedLine = -1;
    private StepView view;

    /** A call-stack row: the frame's function, where it is, and its locals. */
    public record FrameRow(String function, String file, int line, String locals, Frame.Kind kind) {
        @Override
        public String toString() {
            String k = kind == Frame.Kind.IRQ ? "  [irq]" : kind == Frame.Kind.PREEMPT ? "  [preempted]" : "";
            return function + "  " + file + ":" + line + k + (locals.isEmpty() ? "" : "   " + locals);
        }
    }

    public CodePane(int cpu) {
        this.cpu = cpu;
        getStyleClass().add("code-pane");
        setId("code-cpu" + cpu);
        header.getStyleClass().add("pane-title");
        subheader.getStyleClass().add("pane-subtitle");
        HBox head = new HBox(10, header, subheader);
        head.setAlignment(Pos.BASELINE_LEFT);
        head.getStyleClass().add("pane-head");
        area.setEditable(false);
        area.getStyleClass().add("model-code");
        area.setId("code-area-cpu" + cpu);
        IntFunction<Node> numbers = LineNumberFactory.get(area);
        area.setParagraphGraphicFactory(line -> {
            Region marker = new Region();
            marker.getStyleClass().add(differing.get(line + 1) ? "diff-marker" : "no-marker");
            if (differing.get(line + 1)) Tooltip.install(marker, new Tooltip("this line differs between the variants"));
            HBox box = new HBox(numbers.apply(line), marker);
            box.getProperties().put(LINE, line + 1);
            box.setAlignment(Pos.CENTER_LEFT);
            return box;
        });
        VirtualizedScrollPane<CodeArea> scroll = new VirtualizedScrollPane<>(area);
        // the first layout gives the area its height: only then can the current line be centred
        area.heightProperty().addListener((o, before, now) -> centre());
        stack.getStyleClass().add("call-stack");
        stack.setId("stack-cpu" + cpu);
        stack.setCellFactory(lv -> new ListCell<>() {
            @Override
            protected void updateItem(FrameRow r, boolean empty) {
                super.updateItem(r, empty);
                setText(empty || r == null ? null : r.toString());
                getStyleClass().removeAll("irq-frame", "preempt-frame");
                if (!empty && r != null && r.kind() == Frame.Kind.IRQ) getStyleClass().add("irq-frame");
                if (!empty && r != null && r.kind() == Frame.Kind.PREEMPT) getStyleClass().add("preempt-frame");
            }
        });
        stack.getSelectionModel().selectedItemProperty().addListener((o, a, r) -> {
            if (r != null && view != null) showFile(r.file(), r.line(), -1);
        });
        SplitPane split = new SplitPane(scroll, stack);
        split.setOrientation(javafx.geometry.Orientation.VERTICAL);
        split.setDividerPositions(0.74);
        VBox.setVgrow(split, Priority.ALWAYS);
        getChildren().addAll(head, split);
    }

    private static final String LINE = "kstep.code-line";

    /**
     * The lines on screen, for annotations: {@code cpuN:line:FILE:LINE}, each the full width of the code, and
     * {@code cpuN} for the whole pane (so an annotation on a line follows it while the pane scrolls).
     */
    @Override
    public java.util.Map<String, javafx.geometry.Bounds> anchors() {
        java.util.Map<String, javafx.geometry.Bounds> out = new java.util.LinkedHashMap<>();
        out.put("cpu" + cpu, getLayoutBounds());
        javafx.geometry.Bounds areaBox = sceneToLocal(area.localToScene(area.getLayoutBounds()));
        if (areaBox == null || shownFile() == null) return out;
        collectLines(area, areaBox, out);
        return out;
    }

    private void collectLines(Node n, javafx.geometry.Bounds areaBox, java.util.Map<String, javafx.geometry.Bounds> out) {
        if (!n.isVisible()) return;
        if (n.getProperties().get(LINE) instanceof Integer line) {
            javafx.geometry.Bounds b = sceneToLocal(n.localToScene(n.getLayoutBounds()));
            double mid = b == null ? -1 : b.getCenterY();
            if (b != null && mid > areaBox.getMinY() && mid < areaBox.getMaxY())
                out.put("cpu" + cpu + ":line:" + shownFile() + ":" + line, new javafx.geometry.BoundingBox(areaBox.getMinX(), b.getMinY(), areaBox.getWidth(), b.getHeight()));
            return;
        }
        if (n instanceof javafx.scene.Parent p) for (Node c : p.getChildrenUnmodifiable()) collectLines(c, areaBox, out);
    }

    public int cpu() {
        return cpu;
    }

    /** The text of the header line (tests and exports read it). */
    public String headerText() {
        return header.getText() + "  " + subheader.getText();
    }

    public CodeArea area() {
        return area;
    }

    /** The 1-based line highlighted as about to run, or -1. */
    public int currentLine() {
        return currentLine;
    }

    public String shownFile() {
        return shownFile;
    }

    public List<FrameRow> frames() {
        return new ArrayList<>(stack.getItems());
    }

    public void show(StepView v) {
        this.view = v;
        World w = v.world();
        if (cpu >= w.cpuCount()) return;
        Cpu c = w.cpu(cpu);
        Task t = w.current(cpu);
        KObject ts = w.taskStruct(t);
        String comm = ts.text("comm");
        header.setText("CPU" + cpu + "  " + comm + (t.isIdle() ? " (idle)" : " (pid " + ts.getLong("pid") + ")"));
        subheader.setText(c.context() + " context · preempt_count " + PreemptCount.describe(c.preemptCount())
            + " · irqs " + (c.irqsDisabled() ? "off" : "on") + (c.pendingIrqs().isEmpty() ? "" : " · pending " + c.pendingIrqs()));
        getStyleClass().remove("changed-pane");
        if (v.record() != null && v.record().cpu() == cpu) getStyleClass().add("changed-pane");

        List<FrameRow> rows = new ArrayList<>();
        List<Frame> frames = t.stack();
        for (int i = frames.size() - 1; i >= 0; i--) {
            Frame f = frames.get(i);
            Op op = f.nextOp();
            int line = op == null ? f.function().pos().line() : op.pos().line();
            rows.add(new FrameRow(f.function().name(), f.function().file().name(), line, locals(w, f), f.kind()));
        }
        stack.getItems().setAll(rows);
        if (rows.isEmpty()) {
            area.replaceText("(no code)");
            shownFile = null;
            currentLine = -1;
            return;
        }
        FrameRow top = rows.get(0);
        int executed = -1;
        if (v.record() != null && v.record().cpu() == cpu && v.record().where().file().equals(top.file()))
            executed = v.record().where().line();
        showFile(top.file(), top.line(), executed);
    }

    private static String locals(World w, Frame f) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < f.localCount(); i++) {
            String n = f.function().localName(i);
            if (n.startsWith("$")) continue;
            if (b.length() > 0) b.append(", ");
            b.append(n).append('=').append(w.show(f.value(w, i), StructType.shapeOf(f.function().localType(i))));
        }
        return b.toString();
    }

    private void showFile(String file, int line, int executed) {
        ModelSource.Preprocessed pre = view.program().file(file);
        if (pre == null) return;
        if (!file.equals(shownFile) || !view.variant().equals(shownVariant)) {
            shownFile = file;
            shownVariant = view.variant();
            differing = view.differingLines().getOrDefault(file, new BitSet());
            inactive = new BitSet();
            List<String> lines = pre.source().lines();
            for (int i = 1; i <= lines.size(); i++) if (!pre.isActive(i)) inactive.set(i);
            area.replaceText(pre.source().text());
            area.setStyleSpans(0, ModelHighlighter.highlight(pre.source().text()));
            for (int i = 0; i < area.getParagraphs().size(); i++) area.setParagraphStyle(i, styles(i + 1, -1, -1));
            currentLine = -1;
            executedLine = -1;
        }
        restyle(currentLine);
        restyle(executedLine);
        currentLine = line;
        executedLine = executed;
        restyle(executedLine);
        restyle(currentLine);
        if (line >= 1 && line <= area.getParagraphs().size()) area.moveTo(line - 1, 0);
        centre();
    }

    /** Scrolls so the line about to run is in the middle of the pane. */
    public void centre() {
        if (currentLine >= 1 && currentLine <= area.getParagraphs().size()) area.showParagraphAtCenter(currentLine - 1);
    }

    private void restyle(int line) {
        if (line >= 1 && line <= area.getParagraphs().size()) area.setParagraphStyle(line - 1, styles(line, currentLine, executedLine));
    }

    private List<String> styles(int line, int current, int executed) {
        List<String> s = new ArrayList<>();
        if (inactive.get(line)) s.add("inactive-line");
        if (line == executed) s.add("executed-line");
        if (line == current) s.add("current-line");
        return s;
    }
}
