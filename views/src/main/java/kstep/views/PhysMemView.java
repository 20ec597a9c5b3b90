package kstep.views;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javafx.geometry.Insets;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Pane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import kstep.mm.AddressSpace;
import kstep.mm.FrameInfo;
import kstep.mm.MmState;
import kstep.mm.PageTableTree;
import kstep.mm.Pgdat;

/**
 * Physical memory: the free-page gauge with the zone's min, low and high watermarks; every frame as a square
 * coloured by what holds it (a process's anonymous memory, the page cache, page tables, the zero page) with
 * its state marked (dirty, referenced, in the swap cache, isolated by kswapd, the one kswapd looks at); the
 * LRU lists as queues from head (newest) to tail (reclaimed first). Frames changed this step are outlined.
 * Clicking a frame selects it for every memory view; hovering shows its struct page.
 */
public final class PhysMemView extends VBox implements kstep.views.annotate.AnchorSource {
    static final double GAUGE_H = 30;
    static final int ANCHORED_FRAMES = 4096;
    static final double LRU_ROW = 20;
    static final Color[] PROCESS = {Color.web("#4f8fe6"), Color.web("#e07b39"), Color.web("#8250df"), Color.web("#d63384"), Color.web("#1a7f37")};
    static final Color FILE = Color.web("#57a773");
    static final Color TABLE = Color.web("#8c959f");
    static final Color ZERO = Color.web("#24292f");
    static final Color FREE = Color.web("#f6f8fa");
    static final Color CHANGED = Color.web("#bf8700");
    static final Color KSWAPD = Color.web("#cf222e");
    static final Color SELECTED = Color.web("#0969da");

    private final Label title = new Label("Physical memory");
    private final Label stats = new Label(" ");
    private final Label detail = new Label(" ");
    private final Canvas gauge = new Canvas(600, GAUGE_H);
    private final Canvas grid = new Canvas(600, 200);
    private final Canvas lrus = new Canvas(600, 5 * LRU_ROW + 4);
    private final Pane gridHolder = new Pane(grid);
    private final MmSelection selection;
    private MmState state;
    private Pgdat node;
    private Set<Integer> changed = Set.of();
    private Map<Integer, Integer> processOfFrame = Map.of();
    private double cell = 14;
    private int columns = 32;
    private int hovered = -1;

    public PhysMemView(MmSelection selection) {
        super(6);
        this.selection = selection;
        setId("phys-mem");
        getStyleClass().add("phys-mem");
        setPadding(new Insets(8));
        title.getStyleClass().add("pane-title");
        detail.setId("phys-detail");
        detail.setWrapText(true);
        detail.setMinHeight(34);
        gauge.widthProperty().bind(widthProperty().subtract(16));
        lrus.widthProperty().bind(widthProperty().subtract(16));
        grid.widthProperty().bind(widthProperty().subtract(16));
        for (Canvas c : new Canvas[] {gauge, grid, lrus}) c.widthProperty().addListener((o, a, b) -> draw());
        grid.addEventHandler(MouseEvent.MOUSE_MOVED, e -> {
            hovered = frameAt(e.getX(), e.getY());
            showDetail();
        });
        grid.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
            int f = frameAt(e.getX(), e.getY());
            if (f >= 0) selection.select(new MmSelection.Frame(f));
        });
        selection.addListener(() -> {
            draw();
            showDetail();
        });
        stats.setId("phys-stats");
        getChildren().addAll(title, stats, gauge, gridHolder, legend(), lrus, detail);
    }

    private static javafx.scene.layout.FlowPane legend() {
        javafx.scene.layout.FlowPane box = new javafx.scene.layout.FlowPane(12, 4);
        box.setId("phys-legend");
        String[][] keys = {{"anonymous (colour of its process)", "#4f8fe6"}, {"page cache", "#57a773"}, {"page table", "#8c959f"},
            {"zero page", "#24292f"}, {"free", "#f6f8fa"}};
        for (String[] k : keys) {
            javafx.scene.shape.Rectangle r = new javafx.scene.shape.Rectangle(12, 12, Color.web(k[1]));
            r.setStroke(Color.web("#d0d7de"));
            Label l = new Label(k[0]);
            l.setMinWidth(Label.USE_PREF_SIZE);
            box.getChildren().add(new javafx.scene.layout.HBox(4, r, l));
        }
        Label marks = new Label("▲ dirty  • referenced  ┆ swap cache  ▢ isolated  ■ kswapd looks at it");
        marks.setMinWidth(Label.USE_PREF_SIZE);
        box.getChildren().add(marks);
        return box;
    }

    /** Shows the memory of the step's World; frames whose state changed since the step before are outlined. */
    public void show(StepView v) {
        state = v.world().ext(MmState.KEY, MmState.class);
        node = state == null ? null : state.node();
        if (node == null) {
            title.setText("Physical memory: none in this scenario");
            draw();
            return;
        }
        MmState before = v.previous() == null ? null : v.previous().ext(MmState.KEY, MmState.class);
        changed = before == null ? Set.of() : changedFrames(before.node(), node);
        processOfFrame = owners(state);
        title.setText("Physical memory: " + node.frames() + " frames");
        stats.setText(String.format("%d free · watermarks min %d, low %d, high %d · page cache %d%s", node.nrFree(), node.min(), node.low(),
            node.high(), node.pageCacheSize(), node.swapSlots() > 0 ? String.format(" · swap %d of %d slots used", node.swapUsed(), node.swapSlots()) : ""));
        draw();
        showDetail();
    }

    /** The frames whose kind, flags or counts differ between two nodes. */
    static Set<Integer> changedFrames(Pgdat a, Pgdat b) {
        Set<Integer> out = new HashSet<>();
        int n = Math.min(a.frames(), b.frames());
        for (int p = 0; p < n; p++) {
            if (!a.kindOf(p).equals(b.kindOf(p)) || a.referenced(p) != b.referenced(p) || a.dirty(p) != b.dirty(p)
                || a.ownerOf(p) != b.ownerOf(p)) out.add(p);
        }
        for (int l = 0; l < 5; l++) {
            List<Integer> x = a.lruList(l);
            List<Integer> y = b.lruList(l);
            if (!x.equals(y)) {
                Set<Integer> moved = new HashSet<>(y);
                moved.removeAll(x);
                out.addAll(moved);
            }
        }
        if (b.scanning() >= 0) out.add(b.scanning());
        return out;
    }

    /** Which process's colour each anonymous frame gets: the first that maps it. */
    private static Map<Integer, Integer> owners(MmState st) {
        Map<Integer, Integer> out = new HashMap<>();
        int i = 0;
        for (AddressSpace mm : st.processes().values()) {
            int idx = i++;
            for (PageTableTree.Entry e : mm.pageTables().ptes()) if (e.frame() >= 0) out.putIfAbsent(e.frame(), idx);
        }
        return out;
    }

    /** The frames the selection covers: a VMA's mapped frames, or the selected frame. */
    private Set<Integer> selectedFrames() {
        Set<Integer> out = new HashSet<>();
        if (state == null) return out;
        MmSelection.Target t = selection.get();
        if (t instanceof MmSelection.Frame f) out.add(f.pfn());
        if (t instanceof MmSelection.Range r) {
            AddressSpace mm = state.mm(r.process());
            if (mm != null) {
                for (PageTableTree.Entry e : mm.pageTables().ptes()) {
                    if (e.start() >= r.start() && e.start() < r.end() && e.frame() > 0) out.add(e.frame());
                }
            }
        }
        return out;
    }

    private int frameAt(double x, double y) {
        if (node == null) return -1;
        int col = (int) (x / cell);
        int row = (int) (y / cell);
        if (col < 0 || col >= columns || row < 0) return -1;
        int f = row * columns + col;
        return f < node.frames() ? f : -1;
    }

    private void showDetail() {
        if (node == null) {
            detail.setText(" ");
            return;
        }
        int f = hovered >= 0 ? hovered : selection.get() instanceof MmSelection.Frame s ? s.pfn() : -1;
        if (f >= 0 && f < node.frames()) {
            detail.setText(frameInfo(f).describe());
        } else if (node.scanning() >= 0) {
            detail.setText("kswapd is looking at frame " + node.scanning() + "; isolated " + node.isolated());
        } else {
            detail.setText("hover a frame for its struct page; click it to see who maps it");
        }
    }

    /**
     * Each frame's square, "frame:6", for annotations and the right-click menu ("break when frame 6 changes").
     * Only for a node of at most {@value #ANCHORED_FRAMES} frames: the layer asks after every layout, and a
     * gigabyte's 262,144 squares are too small to point at anyway.
     */
    @Override
    public Map<String, javafx.geometry.Bounds> anchors() {
        Map<String, javafx.geometry.Bounds> out = new java.util.LinkedHashMap<>();
        if (node == null || node.frames() > ANCHORED_FRAMES) return out;
        for (int f = 0; f < node.frames(); f++) {
            javafx.geometry.Bounds b = sceneToLocal(grid.localToScene(new javafx.geometry.BoundingBox((f % columns) * cell, (f / columns) * cell, cell, cell)));
            if (b != null) out.put("frame:" + f, b);
        }
        return out;
    }

    public FrameInfo frameInfo(int pfn) {
        return node.frame(pfn, state::nameOf);
    }

    private Color colour(int p) {
        return switch (node.kindOf(p)) {
            case "anon" -> PROCESS[processOfFrame.getOrDefault(p, 0) % PROCESS.length];
            case "file" -> FILE;
            case "pagetable" -> TABLE;
            case "zero" -> ZERO;
            default -> FREE;
        };
    }

    /** Draws the gauge, the frame grid and the LRU queues. */
    public void draw() {
        drawGauge();
        drawGrid();
        drawLrus();
    }

    private void drawGauge() {
        GraphicsContext g = gauge.getGraphicsContext2D();
        double w = gauge.getWidth();
        g.setFill(Color.WHITE);
        g.fillRect(0, 0, w, GAUGE_H);
        if (node == null) return;
        double scale = (w - 2) / Math.max(1, node.frames());
        g.setFill(Color.web("#eaeef2"));
        g.fillRect(1, 6, w - 2, 12);
        g.setFill(node.nrFree() <= node.min() ? KSWAPD : node.nrFree() <= node.low() ? Color.web("#d4a72c") : Color.web("#2da44e"));
        g.fillRect(1, 6, node.nrFree() * scale, 12);
        g.setFont(Font.font(10));
        g.setTextBaseline(VPos.TOP);
        g.setTextAlign(TextAlignment.CENTER);
        long[] marks = {node.min(), node.low(), node.high()};
        String[] names = {"min", "low", "high"};
        double lastRight = -1e9;
        for (int i = 0; i < 3; i++) {
            double x = 1 + marks[i] * scale;
            g.setStroke(Color.web("#24292f"));
            g.setLineWidth(1.5);
            g.strokeLine(x, 3, x, 21);
            // labels that would overlap their left neighbour are left out (close watermarks on a small memory)
            if (x - 12 > lastRight) {
                g.setFill(Color.web("#24292f"));
                g.fillText(names[i], x, 20);
                lastRight = x + 12;
            }
        }
        g.setTextAlign(TextAlignment.LEFT);
        g.fillText("free " + node.nrFree(), Math.min(w - 60, node.nrFree() * scale + 4), 6);
    }

    private void drawGrid() {
        GraphicsContext g = grid.getGraphicsContext2D();
        double w = grid.getWidth();
        if (node == null) {
            grid.setHeight(20);
            g.clearRect(0, 0, w, 20);
            return;
        }
        int n = node.frames();
        // squares as large as fit, between 3 and 16 pixels, at most 12 rows tall for small memories
        cell = Math.max(3, Math.min(16, Math.floor(Math.sqrt(w * 240.0 / n))));
        columns = Math.max(1, (int) (w / cell));
        int rows = (n + columns - 1) / columns;
        double h = rows * cell;
        grid.setHeight(h);
        gridHolder.setMinHeight(h);
        gridHolder.setPrefHeight(h);
        g.setFill(Color.WHITE);
        g.fillRect(0, 0, w, h);
        Set<Integer> sel = selectedFrames();
        Set<Integer> isolated = new HashSet<>(node.isolated());
        for (int p = 0; p < n; p++) {
            double x = (p % columns) * cell;
            double y = (p / columns) * cell;
            g.setFill(colour(p));
            g.fillRect(x + 0.5, y + 0.5, cell - 1, cell - 1);
            if (cell >= 8) {
                if (node.dirty(p)) {
                    g.setFill(Color.web("#24292f"));
                    g.fillPolygon(new double[] {x + cell - 1, x + cell - 6, x + cell - 1}, new double[] {y + 1, y + 1, y + 6}, 3);
                }
                if (node.referenced(p)) {
                    g.setFill(Color.WHITE);
                    g.fillOval(x + 2, y + cell - 6, 4, 4);
                }
                if (frameSwapCached(p)) {
                    g.setStroke(Color.web("#6e40c9"));
                    g.setLineDashes(2, 2);
                    g.setLineWidth(1);
                    g.strokeRect(x + 1.5, y + 1.5, cell - 3, cell - 3);
                    g.setLineDashes();
                }
            }
            if (isolated.contains(p)) outline(g, x, y, Color.web("#d4a72c"), 2);
            if (changed.contains(p)) outline(g, x, y, CHANGED, 2);
            if (sel.contains(p)) outline(g, x, y, SELECTED, 2.5);
            if (p == node.scanning()) outline(g, x, y, KSWAPD, 3);
        }
    }

    private boolean frameSwapCached(int p) {
        return node.inSwapCache(p);
    }

    private void outline(GraphicsContext g, double x, double y, Color c, double lw) {
        g.setStroke(c);
        g.setLineWidth(lw);
        g.strokeRect(x + lw / 2, y + lw / 2, cell - lw, cell - lw);
    }

    private void drawLrus() {
        GraphicsContext g = lrus.getGraphicsContext2D();
        double w = lrus.getWidth();
        g.setFill(Color.WHITE);
        g.fillRect(0, 0, w, lrus.getHeight());
        if (node == null) return;
        g.setFont(Font.font("DejaVu Sans Mono", 10));
        g.setTextBaseline(VPos.CENTER);
        int[] order = {1, 0, 3, 2, 4};
        for (int r = 0; r < order.length; r++) {
            int l = order[r];
            double y = 2 + r * LRU_ROW;
            g.setFill(Color.web("#24292f"));
            g.setTextAlign(TextAlignment.LEFT);
            List<Integer> list = node.lruList(l);
            g.fillText(String.format("%-13s %3d", Pgdat.lruName(l), list.size()), 0, y + LRU_ROW / 2);
            double x = 120;
            double bw = 26;
            int fit = (int) ((w - x - 40) / (bw + 2));
            for (int i = 0; i < list.size() && i < fit; i++) {
                int p = list.get(i);
                g.setFill(colour(p));
                g.fillRect(x, y + 2, bw, LRU_ROW - 4);
                if (changed.contains(p)) {
                    g.setStroke(CHANGED);
                    g.setLineWidth(2);
                    g.strokeRect(x + 1, y + 3, bw - 2, LRU_ROW - 6);
                }
                g.setFill(Color.WHITE);
                g.setTextAlign(TextAlignment.CENTER);
                g.fillText(Integer.toString(p), x + bw / 2, y + LRU_ROW / 2);
                x += bw + 2;
            }
            if (list.size() > fit) {
                g.setFill(Color.web("#57606a"));
                g.setTextAlign(TextAlignment.LEFT);
                g.fillText("… " + (list.size() - fit), x + 2, y + LRU_ROW / 2);
            } else if (!list.isEmpty()) {
                g.setFill(Color.web("#57606a"));
                g.setTextAlign(TextAlignment.LEFT);
                g.fillText("tail", x + 2, y + LRU_ROW / 2);
            }
        }
    }

    // ------------------------------------------------------------------ for tests
    public String titleText() {
        return title.getText() + " · " + stats.getText();
    }

    public String detailText() {
        return detail.getText();
    }

    public Set<Integer> changedNow() {
        return Set.copyOf(changed);
    }

    public Set<Integer> highlighted() {
        return selectedFrames();
    }

    /** Canvas coordinates of frame {@code pfn}'s centre (for tests that click it). */
    public double[] centreOf(int pfn) {
        return new double[] {(pfn % columns) * cell + cell / 2, (pfn / columns) * cell + cell / 2};
    }

    public Canvas gridCanvas() {
        return grid;
    }

    public List<String> lruText() {
        List<String> out = new ArrayList<>();
        if (node == null) return out;
        for (int l = 0; l < 5; l++) out.add(Pgdat.lruName(l) + " " + node.lruList(l));
        return out;
    }
}
