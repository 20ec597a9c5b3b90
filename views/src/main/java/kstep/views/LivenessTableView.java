package kstep.views;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javafx.geometry.Bounds;
import javafx.geometry.Insets;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.paint.Color;
import javafx.scene.shape.CubicCurve;
import javafx.scene.shape.Polygon;

import kstep.bpf.ArgTrack;
import kstep.bpf.ArgTracking;
import kstep.bpf.Disasm;
import kstep.bpf.Insn;
import kstep.bpf.LiveRegs;
import kstep.bpf.StackLiveness;

/**
 * The liveness table: one row an instruction, a column for each of r0-r10 and for each stack slot a frame of
 * the chosen call chain uses. A filled cell is live before the instruction (compute_live_registers() for
 * registers, the kernel's stack liveness for slots), an outlined one is written by it (a register it defines,
 * a slot it must write whole). The call chain is chosen above: "(0)" is the main program, "(5,10)" the
 * subprogram at 10 called from insn 5.
 *
 * <p>For the stack-args kernels the chains are the static analysis' instances ("(d1,cs11)": depth 1, called
 * from insn 11), every instruction of the program has a row (the instance's slots are filled in its own
 * range), an r11 column shows the stack-argument slots (filled: a value stored for a call that passes it, or
 * an incoming argument still to be loaded; outlined: stored here), a side column gives each instruction's
 * arg-tracking values (where r1..r9, the outgoing slots and the spill slots point), and arrows run from a
 * caller's stack-argument stores to the callee's loads.
 */
public final class LivenessTableView extends BorderPane {
    private static final int R11_COL = 12;

    private final ComboBox<String> chain = new ComboBox<>();
    private final GridPane grid = new GridPane();
    private final Pane arrows = new Pane();
    private final Map<Integer, Label> r11Cells = new HashMap<>();
    private final List<ArgTracking.Flow> shownFlows = new ArrayList<>();
    private List<Insn> insns = List.of();
    private LiveRegs regs;
    private Map<Integer, String> live = Map.of();
    private List<StackLiveness.Chain> chains = List.of();
    private ArgTracking.Summary summary;

    public LivenessTableView() {
        setId("liveness-table");
        chain.setId("liveness-chain");
        chain.getSelectionModel().selectedIndexProperty().addListener((o, a, b) -> {
            if (b.intValue() >= 0) draw(b.intValue());
        });
        Label legend = new Label("filled: live before the instruction · outlined: written by it");
        legend.getStyleClass().add("pane-subtitle");
        HBox top = new HBox(8, new Label("call chain:"), chain, legend);
        top.setPadding(new Insets(2, 4, 4, 4));
        setTop(top);
        grid.setHgap(2);
        grid.setVgap(1);
        grid.getStyleClass().add("event-list");
        arrows.setMouseTransparent(true);
        arrows.setId("liveness-arrows");
        // the arrows follow the cells: drawn after the grid has placed them
        Pane body = new Pane(grid, arrows) {
            @Override
            protected void layoutChildren() {
                super.layoutChildren();
                grid.layout();
                drawArrows();
            }
        };
        setCenter(new ScrollPane(body));
    }

    /**
     * Shows the liveness of {@code program}: {@code liveMasks} is the verifier's "Live regs before insn:" table
     * ("0.2......."), {@code defs} gives what each instruction writes, {@code stackChains} the stack liveness.
     */
    public void set(List<Insn> program, Map<Integer, String> liveMasks, LiveRegs defs, List<StackLiveness.Chain> stackChains) {
        set(program, liveMasks, defs, stackChains, null);
    }

    /** As {@link #set(List, Map, LiveRegs, List)}, with the stack-args kernels' static analysis (null for 6.18). */
    public void set(List<Insn> program, Map<Integer, String> liveMasks, LiveRegs defs, List<StackLiveness.Chain> stackChains, ArgTracking.Summary staticLiveness) {
        insns = program;
        regs = defs;
        live = liveMasks;
        chains = stackChains;
        summary = staticLiveness;
        chain.getItems().clear();
        for (int i = 0; i < chains.size(); i++) {
            chain.getItems().add(summary == null ? chains.get(i).name() : "subprog#" + summary.instances().get(i).subprog() + " " + chains.get(i).name());
        }
        if (chains.isEmpty()) {
            grid.getChildren().clear();
            r11Cells.clear();
            shownFlows.clear();
            grid.add(new Label("(the program touches no stack: registers only)"), 0, 0);
            drawRegisters(0, insns.size());
        } else {
            chain.getSelectionModel().clearSelection();
            chain.getSelectionModel().select(0);
        }
    }

    /** Selects call chain (or instance) {@code i} of the list above the table. */
    public void selectChain(int i) {
        chain.getSelectionModel().select(i);
    }

    /** The cells' texts for row {@code insn}: "R0 ■", "fp-8 □"... as the table shows them (for tests). */
    public List<String> row(int insn) {
        List<String> out = new ArrayList<>();
        for (javafx.scene.Node n : grid.getChildren()) {
            Integer r = GridPane.getRowIndex(n), c = GridPane.getColumnIndex(n);
            if (r != null && c != null && c > 0 && n.getUserData() instanceof String key && key.startsWith(insn + ":")) out.add(key.substring(key.indexOf(':') + 1));
        }
        return out;
    }

    /** The stack-argument arrows drawn: "store -> load" pairs of instruction numbers (for tests). */
    public List<String> arrows() {
        List<String> out = new ArrayList<>();
        for (ArgTracking.Flow f : shownFlows) out.add(f.store() + " -> " + f.load());
        return out;
    }

    private void draw(int index) {
        StackLiveness.Chain c = chains.get(index);
        boolean all = summary != null;
        drawRegisters(all ? 0 : c.start(), all ? insns.size() : c.end());
        int firstRow = all ? 0 : c.start();
        int col = R11_COL + (all ? 1 : 0);
        for (int f = 0; f < c.liveBefore().length; f++) {
            long used = 0;
            for (int i = 0; i < c.liveBefore()[f].length; i++) used |= c.liveBefore()[f][i] | c.mustWrite()[f][i];
            for (int spi = 0; spi < 64; spi++) {
                if ((used & (1L << spi)) == 0) continue;
                String name = (c.liveBefore().length > 1 ? "f" + f + " " : "") + "fp" + (-(spi + 1) * 8);
                grid.add(head(name), col, 0);
                int row = 1;
                for (int i = firstRow; i < (all ? insns.size() : c.end()); i++) {
                    if (second(i)) continue;
                    if (i >= c.start() && i < c.end()) {
                        boolean isLive = (c.liveBefore()[f][i - c.start()] & (1L << spi)) != 0, written = (c.mustWrite()[f][i - c.start()] & (1L << spi)) != 0;
                        grid.add(cell(i, name, isLive, written), col, row);
                    }
                    row++;
                }
                col++;
            }
        }
        if (all) drawArgTracking(summary.instances().get(index), col);
    }

    /** The arg-tracking column: each instruction's pointer values on entry, as the analysis converged for this instance. */
    private void drawArgTracking(ArgTracking.InstanceView in, int col) {
        grid.add(head("arg tracking (" + in.name() + ")"), col, 0);
        int row = 1;
        for (int i = 0; i < insns.size(); i++) {
            if (second(i)) continue;
            if (i >= in.start() && i < in.end() && in.atIn() != null) {
                String text = argText(in.atIn()[i - in.start()], in.atStackIn()[i - in.start()]);
                Label l = new Label(text);
                l.setMinWidth(Label.USE_PREF_SIZE);
                l.setStyle("-fx-text-fill: #8250df; -fx-padding: 0 0 0 6;");
                l.setUserData(i + ":args " + text);
                grid.add(l, col, row);
            }
            row++;
        }
        shownFlows.clear();
        shownFlows.addAll(summary.flows());
        requestLayout();
    }

    /** "r1=fp0-8 sa0=fp0-8 fp-16=fp0-8": every value derived from a frame pointer. */
    static String argText(ArgTrack[] at, ArgTrack[] stack) {
        StringBuilder b = new StringBuilder();
        if (!at[0].visited()) return "(not reached)";
        for (int r = 0; r < 10; r++) if (at[r].isFp()) b.append(b.length() > 0 ? " " : "").append('r').append(r).append('=').append(at[r]);
        for (int s = 0; s < ArgTracking.MAX_STACK_ARG_SLOTS; s++) if (at[11 + s].isFp()) b.append(b.length() > 0 ? " " : "").append("sa").append(s).append('=').append(at[11 + s]);
        for (int s = 0; s < stack.length; s++) if (stack[s].isFp()) b.append(b.length() > 0 ? " " : "").append("fp").append(-(s + 1) * 8).append('=').append(stack[s]);
        return b.toString();
    }

    private boolean second(int i) {
        return i > 0 && insns.get(i - 1).isLdImm64();
    }

    private void drawRegisters(int start, int end) {
        grid.getChildren().clear();
        r11Cells.clear();
        shownFlows.clear();
        grid.add(head("insn"), 0, 0);
        for (int r = 0; r <= 10; r++) grid.add(head("r" + r), r + 1, 0);
        if (summary != null) grid.add(head("r11"), R11_COL, 0);
        List<String> texts = Disasm.program(insns);
        int row = 1;
        for (int i = start; i < end && i < insns.size(); i++) {
            if (texts.get(i) == null) continue;
            Label t = new Label(String.format("%3d: %s", i, texts.get(i)));
            t.setMinWidth(Label.USE_PREF_SIZE);
            grid.add(t, 0, row);
            for (int r = 0; r <= 10; r++) {
                String mask = live.getOrDefault(i, "..........");
                boolean isLive = r < 10 && mask.charAt(r) != '.', written = (regs.defs(i) & (1 << r)) != 0;
                grid.add(cell(i, "r" + r, isLive, written), r + 1, row);
            }
            if (summary != null) {
                Label c = cell(i, "r11", summary.r11Live()[i] != 0, summary.r11Written()[i] != 0);
                r11Cells.put(i, c);
                grid.add(c, R11_COL, row);
            }
            row++;
        }
    }

    /** One arrow a flow: from the store's r11 cell, bulging right, into the load's r11 cell. */
    private void drawArrows() {
        arrows.getChildren().clear();
        for (ArgTracking.Flow f : shownFlows) {
            Label from = r11Cells.get(f.store()), to = r11Cells.get(f.load());
            if (from == null || to == null) continue;
            Bounds a = from.getBoundsInParent(), b = to.getBoundsInParent();
            double x1 = grid.getLayoutX() + a.getMaxX(), y1 = grid.getLayoutY() + a.getCenterY();
            double x2 = grid.getLayoutX() + b.getMaxX(), y2 = grid.getLayoutY() + b.getCenterY();
            double bulge = 28 + 6 * f.slot();
            CubicCurve c = new CubicCurve(x1, y1, x1 + bulge, y1, x2 + bulge, y2, x2 + 2, y2);
            c.setFill(null);
            c.setStroke(Color.web("#8250df"));
            c.setStrokeWidth(1.6);
            Polygon head = new Polygon(x2 + 1, y2, x2 + 8, y2 - 4, x2 + 8, y2 + 4);
            head.setFill(Color.web("#8250df"));
            arrows.getChildren().addAll(c, head);
        }
    }

    private static Label head(String s) {
        Label l = new Label(s);
        l.setMinWidth(Label.USE_PREF_SIZE);
        l.setStyle("-fx-font-weight: bold; -fx-padding: 0 2 0 2;");
        return l;
    }

    private static Label cell(int insn, String name, boolean live, boolean written) {
        Label l = new Label(" ");
        l.setMinSize(18, 14);
        l.setPrefSize(18, 14);
        String style = "-fx-background-radius: 2; -fx-border-radius: 2;";
        if (live) style += "-fx-background-color: #54aeff;";
        else style += "-fx-background-color: #f6f8fa;";
        if (written) style += "-fx-border-color: #cf222e; -fx-border-width: 2;";
        l.setStyle(style);
        l.setUserData(insn + ":" + name + " " + (live ? "■" : "·") + (written ? "□" : ""));
        return l;
    }
}
