package kstep.views;

import java.util.ArrayList;
import java.util.List;

import javafx.geometry.Insets;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;

import kstep.bpf.Disasm;
import kstep.bpf.Insn;
import kstep.bpf.LiveRegs;
import kstep.bpf.StackLiveness;

/**
 * The liveness table: one row an instruction, a column for each of r0-r10 and for each stack slot a frame of
 * the chosen call chain uses. A filled cell is live before the instruction (compute_live_registers() for
 * registers, 6.18's stack liveness for slots), an outlined one is written by it (a register it defines, a
 * slot it must write whole). The call chain is chosen above: "(0)" is the main program, "(5,10)" the
 * subprogram at 10 called from insn 5.
 */
public final class LivenessTableView extends BorderPane {
    private final ComboBox<String> chain = new ComboBox<>();
    private final GridPane grid = new GridPane();
    private List<Insn> insns = List.of();
    private LiveRegs regs;
    private java.util.Map<Integer, String> live = java.util.Map.of();
    private List<StackLiveness.Chain> chains = List.of();

    public LivenessTableView() {
        setId("liveness-table");
        chain.setId("liveness-chain");
        chain.getSelectionModel().selectedIndexProperty().addListener((o, a, b) -> {
            if (b.intValue() >= 0) draw(chains.get(b.intValue()));
        });
        Label legend = new Label("filled: live before the instruction · outlined: written by it");
        legend.getStyleClass().add("pane-subtitle");
        HBox top = new HBox(8, new Label("call chain:"), chain, legend);
        top.setPadding(new Insets(2, 4, 4, 4));
        setTop(top);
        grid.setHgap(2);
        grid.setVgap(1);
        grid.getStyleClass().add("event-list");
        setCenter(new ScrollPane(grid));
    }

    /**
     * Shows the liveness of {@code program}: {@code liveMasks} is the verifier's "Live regs before insn:" table
     * ("0.2......."), {@code defs} gives what each instruction writes, {@code stackChains} the stack liveness.
     */
    public void set(List<Insn> program, java.util.Map<Integer, String> liveMasks, LiveRegs defs, List<StackLiveness.Chain> stackChains) {
        insns = program;
        regs = defs;
        live = liveMasks;
        chains = stackChains;
        chain.getItems().clear();
        for (StackLiveness.Chain c : chains) chain.getItems().add(c.name());
        if (chains.isEmpty()) {
            grid.getChildren().clear();
            grid.add(new Label("(the program touches no stack: registers only)"), 0, 0);
            drawRegisters(0, insns.size());
        } else {
            chain.getSelectionModel().select(0);
        }
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

    private void draw(StackLiveness.Chain c) {
        drawRegisters(c.start(), c.end());
        int col = 12;
        for (int f = 0; f < c.liveBefore().length; f++) {
            long used = 0;
            for (int i = 0; i < c.liveBefore()[f].length; i++) used |= c.liveBefore()[f][i] | c.mustWrite()[f][i];
            for (int spi = 0; spi < 64; spi++) {
                if ((used & (1L << spi)) == 0) continue;
                String name = (c.liveBefore().length > 1 ? "f" + f + " " : "") + "fp" + (-(spi + 1) * 8);
                Label h = head(name);
                grid.add(h, col, 0);
                int row = 1;
                for (int i = c.start(); i < c.end(); i++) {
                    if (second(i)) continue;
                    boolean live = (c.liveBefore()[f][i - c.start()] & (1L << spi)) != 0, written = (c.mustWrite()[f][i - c.start()] & (1L << spi)) != 0;
                    grid.add(cell(i, name, live, written), col, row++);
                }
                col++;
            }
        }
    }

    private boolean second(int i) {
        return i > 0 && insns.get(i - 1).isLdImm64();
    }

    private void drawRegisters(int start, int end) {
        grid.getChildren().clear();
        grid.add(head("insn"), 0, 0);
        for (int r = 0; r <= 10; r++) grid.add(head("r" + r), r + 1, 0);
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
            row++;
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
