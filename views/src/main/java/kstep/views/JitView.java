package kstep.views;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javafx.geometry.Bounds;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.CubicCurve;
import javafx.scene.shape.Polygon;

import kstep.bpf.jit.X86Jit;

/**
 * The JIT side by side, as Compiler Explorer shows a compiler: the BPF instructions on the left, the
 * x86-64 machine code they became on the right (offset, bytes, Intel syntax), each BPF instruction and its
 * machine code in the same colour; hovering either side lights up both. Arrows in the gutters follow the
 * jumps (BPF jumps on the left, x86 jumps within the image on the right); the prologue and each epilogue
 * are labelled. Given the running kernel's image, a column shows its bytes beside kstep's, the ones that
 * differ red and those the kernel chooses (calls, the return thunk) grey.
 */
public final class JitView extends BorderPane {
    private static final String[] PALETTE = {"#ddf4ff", "#fff8c5", "#dafbe1", "#fbefff", "#ffebe9", "#e6f6ff", "#fdf0d5", "#eef0ff"};

    private final VBox bpf = new VBox(), x86 = new VBox(), arm = new VBox();
    private final Pane bpfArrows = new Pane(), x86Arrows = new Pane(), armArrows = new Pane();
    private final Map<Integer, HBox> armRowAt = new HashMap<>();
    private final List<int[]> armJumps = new ArrayList<>();
    private final Label title = new Label("x86-64 JIT");
    private final Label status = new Label();
    private final Map<Integer, List<HBox>> rowsOf = new HashMap<>();
    private final Map<Integer, HBox> bpfRowOf = new HashMap<>();
    /** x86 rows by image offset, for the arrows. */
    private final Map<Integer, HBox> x86RowAt = new HashMap<>();
    private final List<int[]> bpfJumps = new ArrayList<>(), x86Jumps = new ArrayList<>();
    private int highlighted = Integer.MIN_VALUE;
    private int differing;
    private final kstep.views.annotate.AnnotatedPane annotated;
    /** A listing has no steps: its annotations are filed under this name, at step 0. */
    public static final String ANNOTATION_VARIANT = "jit";

    /** The annotation layer over the listings. */
    public kstep.views.annotate.AnnotationLayer annotations() {
        return annotated.layer();
    }

    public JitView() {
        setId("jit-view");
        title.getStyleClass().add("pane-title");
        status.getStyleClass().add("pane-subtitle");
        status.setId("jit-status");
        VBox head = new VBox(2, title, status);
        head.getStyleClass().add("pane-head");
        setTop(head);
        bpf.getStyleClass().add("model-code");
        x86.getStyleClass().add("model-code");
        arm.getStyleClass().add("model-code");
        bpfArrows.setMouseTransparent(true);
        x86Arrows.setMouseTransparent(true);
        armArrows.setMouseTransparent(true);
        SplitPane split = new SplitPane(scroll(bpf, bpfArrows, 0), scroll(x86, x86Arrows, 1), scroll(arm, armArrows, 2));
        split.setDividerPositions(0.25, 0.66);
        // marks over the three listings, anchored to BPF instructions and the first machine instruction of each
        annotated = new kstep.views.annotate.AnnotatedPane(split, "jit");
        annotated.layer().setStep(ANNOTATION_VARIANT, 0);
        annotated.keysFrom(this, e -> false);
        head.getChildren().add(new javafx.scene.layout.HBox(8, annotated.toggle(), annotated.layer().palette()));
        setCenter(annotated);
    }

    private ScrollPane scroll(VBox rows, Pane arrows, int pane) {
        Pane body = new Pane(rows, arrows) {
            @Override
            protected void layoutChildren() {
                super.layoutChildren();
                rows.relocate(pane == 0 ? 54 : 70, 0);
                rows.layout();
                drawArrows(pane);
            }
        };
        ScrollPane s = new ScrollPane(body);
        s.getStyleClass().add("code-pane");
        return s;
    }

    /**
     * Shows {@code image}: {@code bpfTexts} is each BPF instruction's text (null for a 64-bit load's second
     * slot), {@code bpfTargets} each instruction's jump target (-1 when it does not jump), {@code kernelJited}
     * the running kernel's image as hex, or null when it was not asked.
     */
    public void set(String heading, List<String> bpfTexts, List<Integer> bpfTargets, X86Jit.Image image, String kernelJited) {
        set(heading, bpfTexts, bpfTargets, image, null, kernelJited);
    }

    /** As {@link #set(String, List, List, X86Jit.Image, String)}, with the arm64 image in a third pane (null: none). */
    public void set(String heading, List<String> bpfTexts, List<Integer> bpfTargets, X86Jit.Image image, X86Jit.Image arm64, String kernelJited) {
        title.setText(heading);
        bpf.getChildren().clear();
        x86.getChildren().clear();
        arm.getChildren().clear();
        armRowAt.clear();
        armJumps.clear();
        rowsOf.clear();
        bpfRowOf.clear();
        x86RowAt.clear();
        bpfJumps.clear();
        x86Jumps.clear();
        differing = 0;
        x86.getChildren().add(header(kernelJited != null));
        bpf.getChildren().add(headLabel("BPF (as the verifier rewrote it)"));
        java.util.Set<Integer> external = new java.util.HashSet<>();
        for (int off : image.externalRel32()) for (int i = 0; i < 4; i++) external.add(off + i);
        int functions = 0;
        for (X86Jit.Line l : image.listing()) {
            String color = l.insn() < 0 ? "#eaeef2" : PALETTE[l.insn() % PALETTE.length];
            if (l.insn() < 0) {
                functions++;
                bpf.getChildren().add(bpfRow(-1 - functions, (functions == 1 ? "prologue" : "prologue of subprogram " + (functions - 1)), color));
            } else {
                bpf.getChildren().add(bpfRow(l.insn(), String.format("%4d: %s", l.insn(), bpfTexts.get(l.insn())), color));
                int t = l.insn() < bpfTargets.size() ? bpfTargets.get(l.insn()) : -1;
                if (t >= 0) bpfJumps.add(new int[] {l.insn(), t});
            }
            int key = l.insn() < 0 ? -1 - functions : l.insn();
            int off = l.offset();
            boolean epilogue = l.intel().contains("leave");
            for (int k = 0; k < l.intel().size(); k++) {
                int len = l.lengths().get(k);
                String text = l.intel().get(k);
                HBox row = x86Row(key, off, l.bytes(), off - l.offset(), len, text, color, kernelJited, external);
                if (k == 0 && l.insn() >= 0) kstep.views.annotate.Anchors.tag(row, "x86:" + l.insn());
                if (epilogue && k == l.intel().size() - 1) row.getChildren().add(note("epilogue"));
                if (l.insn() < 0 && k == l.intel().size() - 1) row.getChildren().add(note("prologue: patchable nops, frame, stack, callee-saved registers"));
                x86.getChildren().add(row);
                x86RowAt.put(off, row);
                int target = jumpTarget(text);
                if (target >= 0) x86Jumps.add(new int[] {off, target});
                off += len;
            }
        }
        if (arm64 != null) armRows(arm64);
        if (kernelJited == null) status.setText("kstep's image, " + image.bytes().length + " bytes; the running kernel was not asked (--compare)");
        else if (differing == 0) status.setText("kstep's image, " + image.bytes().length + " bytes: the same as the running kernel's (calls and the return thunk are the kernel's, grey)");
        else status.setText("kstep's image differs from the running kernel's in " + differing + " bytes (red)");
        requestLayout();
    }

    /** The arm64 pane: offset, the 32-bit word, llvm's text; its prologue with the x86 one, each epilogue on its own. */
    private void armRows(X86Jit.Image img) {
        Label o = headLabel("off");
        o.setMinWidth(44);
        Label w = headLabel("word");
        w.setMinWidth(76);
        HBox head = new HBox(8, o, w, headLabel("arm64 (as llvm-objdump prints it)"));
        head.setPadding(new Insets(0, 6, 0, 4));
        arm.getChildren().add(head);
        int function = 0;
        for (X86Jit.Line l : img.listing()) {
            if (l.insn() == -1) function++;
            int key = l.insn() == -1 ? -1 - function : l.insn() == -2 ? -100 - function : l.insn();
            String color = l.insn() < 0 ? "#eaeef2" : PALETTE[l.insn() % PALETTE.length];
            for (int k = 0; k < l.intel().size(); k++) {
                int off = l.offset() + 4 * k, p = 4 * k;
                Label ol = new Label(String.format("%4x:", off));
                ol.setMinWidth(44);
                Label wl = new Label(String.format("%02x%02x%02x%02x", l.bytes()[p + 3] & 0xff, l.bytes()[p + 2] & 0xff, l.bytes()[p + 1] & 0xff, l.bytes()[p] & 0xff));
                wl.setMinWidth(76);
                String text = l.intel().get(k);
                Label t = new Label(text);
                t.setMinWidth(Label.USE_PREF_SIZE);
                HBox row = new HBox(8, ol, wl, t);
                if (l.insn() == -1 && k == l.intel().size() - 1) row.getChildren().add(note("prologue: bti, frame record, tail-call counter, callee-saved registers"));
                if (l.insn() == -2 && k == 0) row.getChildren().add(note("epilogue (every exit branches here), then the PLT"));
                row.setPadding(new Insets(0, 6, 0, 4));
                row.setStyle(base(color));
                row.setUserData(key);
                row.getStyleClass().add("jit-arm-row");
                if (k == 0 && l.insn() >= 0) kstep.views.annotate.Anchors.tag(row, "arm64:" + l.insn());
                row.setOnMouseEntered(e -> highlight(key));
                row.setOnMouseExited(e -> highlight(Integer.MIN_VALUE));
                rowsOf.computeIfAbsent(key, q -> new ArrayList<>()).add(row);
                arm.getChildren().add(row);
                armRowAt.put(off, row);
                int target = armTarget(text);
                if (target >= 0) armJumps.add(new int[] {off, target});
            }
        }
    }

    /** The image offset an arm64 "b 0x40", "b.eq 0x40" or "cbz x1, 0x40" goes to, or -1 (a call: the kernel's). */
    private static int armTarget(String text) {
        if (!(text.startsWith("b ") || text.startsWith("b.") || text.startsWith("cbz") || text.startsWith("cbnz"))) return -1;
        int at = text.lastIndexOf(" 0x");
        return at < 0 ? -1 : Integer.parseInt(text.substring(at + 3), 16);
    }

    /** The image offset a "jmp 0x1d" or "je 0x2a" goes to, or -1. */
    private static int jumpTarget(String intel) {
        if (!intel.startsWith("j") || intel.contains("<") || intel.contains("__")) return -1;
        int sp = intel.indexOf(" 0x");
        if (sp < 0) return -1;
        return Integer.parseInt(intel.substring(sp + 3), 16);
    }

    private static Label headLabel(String s) {
        Label l = new Label(s);
        l.setStyle("-fx-font-weight: bold; -fx-text-fill: #57606a;");
        l.setMinWidth(Label.USE_PREF_SIZE);
        return l;
    }

    /** The x86 pane's column heads. */
    private static HBox header(boolean kernel) {
        Label o = headLabel("off");
        o.setMinWidth(44);
        Label m = headLabel("kstep's bytes");
        m.setMinWidth(170);
        HBox h = new HBox(8, o, m, headLabel("x86-64 (Intel syntax)"));
        if (kernel) {
            Label k = headLabel("the kernel's bytes");
            k.setMinWidth(170);
            h.getChildren().add(1, k);
        }
        h.setPadding(new Insets(0, 6, 0, 4));
        return h;
    }

    private static Label note(String s) {
        Label l = new Label("  ← " + s);
        l.setStyle("-fx-text-fill: #57606a; -fx-font-style: italic;");
        return l;
    }

    private HBox bpfRow(int key, String text, String color) {
        Label l = new Label(text);
        l.setMinWidth(Label.USE_PREF_SIZE);
        HBox row = new HBox(l);
        row.setPadding(new Insets(0, 6, 0, 4));
        row.setStyle(base(color));
        row.setUserData(key);
        row.getStyleClass().add("jit-bpf-row");
        if (key >= 0) kstep.views.annotate.Anchors.tag(row, "bpf:" + key);
        row.setOnMouseEntered(e -> highlight(key));
        row.setOnMouseExited(e -> highlight(Integer.MIN_VALUE));
        rowsOf.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
        bpfRowOf.put(key, row);
        return row;
    }

    private HBox x86Row(int key, int off, byte[] bytes, int from, int len, String text, String color, String kernel, java.util.Set<Integer> external) {
        Label o = new Label(String.format("%4x:", off));
        o.setMinWidth(44);
        HBox mine = new HBox();
        mine.setMinWidth(170);
        for (int i = 0; i < len; i++) {
            Label b = new Label(String.format("%02x ", bytes[from + i] & 0xff));
            if (external.contains(off + i)) b.setStyle("-fx-text-fill: #8c959f;");
            mine.getChildren().add(b);
        }
        Label t = new Label(text);
        t.setMinWidth(Label.USE_PREF_SIZE);
        HBox row = new HBox(8, o, mine, t);
        if (kernel != null) {
            HBox k = new HBox();
            k.setMinWidth(170);
            for (int i = 0; i < len; i++) {
                int p = (off + i) * 2;
                String kb = p + 2 <= kernel.length() ? kernel.substring(p, p + 2) : "--";
                Label b = new Label(kb + " ");
                boolean ext = external.contains(off + i);
                boolean same = kb.equals(String.format("%02x", bytes[from + i] & 0xff));
                if (ext) b.setStyle("-fx-text-fill: #8c959f;");
                else if (!same) {
                    b.setStyle("-fx-text-fill: #cf222e; -fx-font-weight: bold;");
                    b.getStyleClass().add("jit-byte-differs");
                    differing++;
                }
                k.getChildren().add(b);
            }
            row.getChildren().add(1, k);
        }
        row.setPadding(new Insets(0, 6, 0, 4));
        row.setStyle(base(color));
        row.setUserData(key);
        row.getStyleClass().add("jit-x86-row");
        row.setOnMouseEntered(e -> highlight(key));
        row.setOnMouseExited(e -> highlight(Integer.MIN_VALUE));
        rowsOf.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
        return row;
    }

    private static String base(String color) {
        return "-fx-background-color: " + color + ";";
    }

    /** Lights up instruction {@code key}'s rows on both sides (MIN_VALUE: none). */
    public void highlight(int key) {
        if (highlighted != Integer.MIN_VALUE) for (HBox r : rowsOf.getOrDefault(highlighted, List.of())) {
            r.getStyleClass().remove("jit-lit");
            r.setStyle(r.getStyle().replace("-fx-border-color: #1f6feb; -fx-border-width: 1 0 1 0;", ""));
        }
        highlighted = key;
        if (key != Integer.MIN_VALUE) for (HBox r : rowsOf.getOrDefault(key, List.of())) {
            r.getStyleClass().add("jit-lit");
            r.setStyle(r.getStyle() + "-fx-border-color: #1f6feb; -fx-border-width: 1 0 1 0;");
        }
    }

    /** The rows lit now: "bpf 3", "x86 19"... (for tests). */
    public List<String> lit() {
        List<String> out = new ArrayList<>();
        for (Node n : bpf.getChildren()) if (n.getStyleClass().contains("jit-lit")) out.add("bpf " + n.getUserData());
        for (Node n : x86.getChildren()) if (n.getStyleClass().contains("jit-lit")) out.add("x86 " + ((Label) ((HBox) n).getChildren().get(0)).getText().strip().replace(":", ""));
        for (Node n : arm.getChildren()) if (n.getStyleClass().contains("jit-lit")) out.add("arm64 " + ((Label) ((HBox) n).getChildren().get(0)).getText().strip().replace(":", ""));
        return out;
    }

    /** The number of x86 rows and the bytes that differ from the kernel's (for tests). */
    public int x86Rows() {
        return x86.getChildren().size() - 1;
    }

    public int differingBytes() {
        return differing;
    }

    /** The jump arrows drawn: BPF "from->to" instruction pairs, then x86 offset pairs (for tests). */
    public List<String> jumps() {
        List<String> out = new ArrayList<>();
        for (int[] j : bpfJumps) out.add("bpf " + j[0] + "->" + j[1]);
        for (int[] j : x86Jumps) out.add(String.format("x86 %x->%x", j[0], j[1]));
        for (int[] j : armJumps) out.add(String.format("arm64 %x->%x", j[0], j[1]));
        return out;
    }

    private void drawArrows(int pane) {
        Pane layer = pane == 0 ? bpfArrows : pane == 1 ? x86Arrows : armArrows;
        VBox rows = pane == 0 ? bpf : pane == 1 ? x86 : arm;
        layer.getChildren().clear();
        int lane = 0;
        for (int[] j : pane == 0 ? bpfJumps : pane == 1 ? x86Jumps : armJumps) {
            Map<Integer, HBox> at = pane == 0 ? bpfRowOf : pane == 1 ? x86RowAt : armRowAt;
            Node from = at.get(j[0]);
            Node to = at.get(j[1]);
            if (from == null || to == null) continue;
            Bounds a = from.getBoundsInParent(), b = to.getBoundsInParent();
            double x = rows.getLayoutX() - 2, y1 = rows.getLayoutY() + a.getCenterY(), y2 = rows.getLayoutY() + b.getCenterY();
            double reach = 10 + 7 * (lane++ % 6);
            CubicCurve c = new CubicCurve(x, y1, x - reach, y1, x - reach, y2, x - 1, y2);
            c.setFill(null);
            c.setStroke(Color.web(y2 < y1 ? "#cf222e" : "#1f6feb"));
            c.setStrokeWidth(1.3);
            Polygon head = new Polygon(x, y2, x - 6, y2 - 3.5, x - 6, y2 + 3.5);
            head.setFill(c.getStroke());
            layer.getChildren().addAll(c, head);
        }
    }
}
