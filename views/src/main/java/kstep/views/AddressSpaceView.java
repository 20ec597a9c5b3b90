package kstep.views;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.ToggleButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import kstep.mm.AddressSpace;
import kstep.mm.MapLayout;
import kstep.mm.MmState;
import kstep.mm.ProcMaps;
import kstep.mm.Vma;
import kstep.mm.VmFlags;
import kstep.mm.VmaChanges;

/**
 * A process's address space: every VMA as a bar along the address axis, to scale with long gaps collapsed
 * (or in log scale), coloured by kind (anonymous, file, shared, stack, heap) with locked ones outlined red,
 * named, with every field on hover, zoomed with the wheel and panned by dragging. The VMAs this step made,
 * split, merged or changed are outlined; below, /proc/PID/maps line by line with those rows marked. It only
 * draws what is visible, so it stays smooth at sysctl_max_map_count VMAs.
 */
public final class AddressSpaceView extends VBox implements kstep.views.annotate.AnchorSource {
    static final double BAR_TOP = 26;
    static final double BAR_H = 46;

    private final Label title = new Label("Address space");
    private final ChoiceBox<String> process = new ChoiceBox<>();
    private final ToggleButton logScale = new ToggleButton("log scale");
    private final Label detail = new Label(" ");
    private final Pane canvasHolder = new Pane();
    private final Canvas canvas = new Canvas(600, BAR_TOP + BAR_H + 28);
    private final TableView<Vma> table = new TableView<>();
    private AddressSpace mm;
    private List<Vma> vmas = List.of();
    private Set<Vma> changed = Set.of();
    private MapLayout layout;
    private String changeText = "";
    /** The visible window in layout units: [offset, offset + span). */
    private double offset;
    private double span = 1;
    private double dragX = Double.NaN;
    /** Set once the user zooms or pans: until then every step fits the whole map. */
    private boolean userZoomed;
    private StepView lastView;
    private boolean updating;
    /** The memory views' shared selection (colour-linking), or null when this view stands alone. */
    private MmSelection selection;
    private double pressX = Double.NaN;

    public AddressSpaceView() {
        super(6);
        getStyleClass().add("address-space");
        setId("address-space");
        setPadding(new Insets(8));
        title.getStyleClass().add("pane-title");
        process.setId("mm-process");
        process.valueProperty().addListener((o, a, b) -> {
            if (!updating && b != null && lastView != null) show(lastView);
        });
        logScale.setId("mm-log-scale");
        logScale.selectedProperty().addListener((o, a, b) -> {
            relayout();
            fit();
        });
        Button fit = new Button("fit");
        fit.setId("mm-fit");
        fit.setOnAction(e -> fit());
        Button zoomIn = new Button("+");
        zoomIn.setOnAction(e -> zoom(0.5, canvas.getWidth() / 2));
        Button zoomOut = new Button("−");
        zoomOut.setOnAction(e -> zoom(2, canvas.getWidth() / 2));
        HBox bar = new HBox(6, title, process, logScale, fit, zoomIn, zoomOut);
        bar.setAlignment(Pos.CENTER_LEFT);
        detail.getStyleClass().add("mm-detail");
        detail.setId("mm-detail");
        detail.setWrapText(true);
        detail.setMinHeight(34);
        canvasHolder.getChildren().add(canvas);
        canvasHolder.setMinHeight(canvas.getHeight());
        canvasHolder.setPrefHeight(canvas.getHeight());
        canvas.widthProperty().bind(canvasHolder.widthProperty());
        canvas.widthProperty().addListener((o, a, b) -> draw());
        canvas.addEventHandler(ScrollEvent.SCROLL, e -> zoom(e.getDeltaY() > 0 ? 0.8 : 1.25, e.getX()));
        canvas.addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            dragX = e.getX();
            pressX = e.getX();
        });
        canvas.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
            // a click, not the end of a drag: select the VMA for every memory view
            if (selection == null || Double.isNaN(pressX) || Math.abs(e.getX() - pressX) > 3) return;
            Vma v = vmaAt(e.getX());
            if (v != null) selection.select(new MmSelection.Range(process.getValue(), v.start(), v.end()));
        });
        canvas.addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> {
            if (!Double.isNaN(dragX)) {
                offset -= (e.getX() - dragX) * span / canvas.getWidth();
                userZoomed = true;
                dragX = e.getX();
                clampAndDraw();
            }
        });
        canvas.addEventHandler(MouseEvent.MOUSE_RELEASED, e -> dragX = Double.NaN);
        canvas.addEventHandler(MouseEvent.MOUSE_MOVED, e -> hover(e.getX()));
        table.setId("mm-table");
        table.setPlaceholder(new Label("no VMAs"));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(column("start-end", 160, v -> String.format("%08x-%08x", v.start(), v.end())));
        table.getColumns().add(column("perms", 50, v -> VmFlags.perms(v.flags())));
        table.getColumns().add(column("size", 70, v -> size(v.end() - v.start())));
        table.getColumns().add(column("VmFlags", 170, v -> VmFlags.mnemonics(v.flags()).strip()));
        table.getColumns().add(column("name", 140, v -> {
            String n = mm == null ? null : ProcMaps.name(mm, v);
            return n == null ? "" : n;
        }));
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(Vma v, boolean empty) {
                super.updateItem(v, empty);
                getStyleClass().remove("changed-row");
                if (!empty && v != null && changed.contains(v)) getStyleClass().add("changed-row");
            }
        });
        table.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) detail.setText(details(b));
        });
        VBox.setVgrow(table, Priority.ALWAYS);
        getChildren().addAll(bar, canvasHolder, legend(), detail, table);
    }

    /** What the colours and outlines mean. */
    private static javafx.scene.layout.FlowPane legend() {
        javafx.scene.layout.FlowPane box = new javafx.scene.layout.FlowPane(12, 4);
        box.setId("mm-legend");
        String[][] kinds = {{"anon", "anonymous"}, {"file", "file"}, {"shared", "shared"}, {"heap", "heap"}, {"stack", "stack"}, {"none", "no access"}};
        for (String[] k : kinds) box.getChildren().add(key(new javafx.scene.shape.Rectangle(12, 12, colour(k[0])), k[1]));
        javafx.scene.shape.Rectangle locked = new javafx.scene.shape.Rectangle(12, 12, Color.TRANSPARENT);
        locked.setStroke(LOCKED);
        locked.setStrokeWidth(2);
        box.getChildren().add(key(locked, "locked"));
        javafx.scene.shape.Rectangle changedKey = new javafx.scene.shape.Rectangle(12, 12, Color.TRANSPARENT);
        changedKey.setStroke(CHANGED);
        changedKey.setStrokeWidth(3);
        box.getChildren().add(key(changedKey, "changed this step"));
        return box;
    }

    private static HBox key(javafx.scene.shape.Rectangle swatch, String text) {
        Label l = new Label(text);
        l.getStyleClass().add("mm-legend-label");
        l.setMinWidth(Label.USE_PREF_SIZE);
        HBox k = new HBox(4, swatch, l);
        k.setAlignment(Pos.CENTER_LEFT);
        return k;
    }

    private static TableColumn<Vma, String> column(String name, double width, java.util.function.Function<Vma, String> f) {
        TableColumn<Vma, String> c = new TableColumn<>(name);
        c.setPrefWidth(width);
        c.setSortable(false);
        c.setCellValueFactory(cd -> new ReadOnlyStringWrapper(f.apply(cd.getValue())));
        return c;
    }

    /** Joins the memory views' selection: a click selects a VMA; what others select is outlined here. */
    public void setSelection(MmSelection s) {
        selection = s;
        s.addListener(this::draw);
    }

    /** The address ranges of this process the selection covers: the selected VMA, or the pages mapping the selected frame. */
    private List<long[]> selectedRanges() {
        List<long[]> out = new ArrayList<>();
        if (selection == null || mm == null) return out;
        MmSelection.Target t = selection.get();
        String proc = process.getValue();
        if (t instanceof MmSelection.Range r && r.process().equals(proc)) out.add(new long[] {r.start(), r.end()});
        if (t instanceof MmSelection.Frame f && mm.node() != null && f.pfn() < mm.node().frames()) {
            for (kstep.mm.FrameInfo.Mapped m : mm.node().frame(f.pfn(), x -> x == mm ? proc : "").mappedBy()) {
                if (m.process().equals(proc)) out.add(new long[] {m.addr(), m.addr() + AddressSpace.PAGE_SIZE});
            }
        }
        return out;
    }

    private static boolean overlaps(List<long[]> ranges, Vma v) {
        for (long[] r : ranges) if (r[0] < v.end() && v.start() < r[1]) return true;
        return false;
    }

    // ------------------------------------------------------------------ reading the engine
    /** Shows the address space of a step: the chosen process of the World's mm state, changes against the step before. */
    public void show(StepView v) {
        lastView = v;
        fileFields = java.util.Map.of();
        MmState st = v.world().ext(MmState.KEY, MmState.class);
        if (st == null || st.processes().isEmpty()) {
            set(null, List.of(), "no address space in this scenario");
            return;
        }
        updating = true;
        List<String> names = new ArrayList<>(st.processes().keySet());
        if (!process.getItems().equals(names)) process.getItems().setAll(names);
        if (process.getValue() == null || !names.contains(process.getValue())) process.setValue(names.get(0));
        updating = false;
        String name = process.getValue();
        AddressSpace now = st.mm(name);
        MmState before = v.previous() == null ? null : v.previous().ext(MmState.KEY, MmState.class);
        AddressSpace then = before == null ? null : before.mm(name);
        List<Vma> prev = then == null ? List.of() : then.vmas();
        List<Vma> cur = now.vmas();
        changeText = then == null ? "" : VmaChanges.describe(prev, cur);
        set(now, then == null ? List.of() : VmaChanges.changed(prev, cur), name + ": " + cur.size() + " VMAs");
    }

    /** smaps fields of a process read from a file, by VMA start (empty for a step's address space). */
    private java.util.Map<Long, java.util.Map<String, String>> fileFields = java.util.Map.of();

    /** Shows an address space read from a process or a maps file: no step, nothing changed. */
    public void show(AddressSpace space, String name) {
        show(space, name, java.util.Map.of());
    }

    /** As {@link #show(AddressSpace, String)}, with the smaps fields of each VMA for the hover line. */
    public void show(AddressSpace space, String name, java.util.Map<Long, java.util.Map<String, String>> fields) {
        lastView = null;
        fileFields = fields;
        updating = true;
        process.getItems().setAll(name);
        process.setValue(name);
        updating = false;
        changeText = "";
        set(space, List.of(), name + ": " + space.mapCount() + " VMAs");
    }

    private void set(AddressSpace space, List<Vma> changedNow, String heading) {
        mm = space;
        vmas = space == null ? List.of() : space.vmas();
        changed = new HashSet<>(changedNow);
        title.setText(heading);
        table.getItems().setAll(vmas);
        detail.setText(changeText.isEmpty() ? "hover a VMA for its fields" : "this step: " + changeText);
        relayout();
        if (!userZoomed) fit();
        else clampAndDraw();
    }

    private void relayout() {
        layout = MapLayout.of(vmas, logScale.isSelected() ? MapLayout.Mode.LOG : MapLayout.Mode.LINEAR);
    }

    // ------------------------------------------------------------------ zoom, pan, hover
    /** Fits the whole map into the view. */
    public void fit() {
        userZoomed = false;
        offset = 0;
        span = layout == null || layout.total() <= 0 ? 1 : layout.total();
        draw();
    }

    /** Shows {@code fraction} of the whole map, centred at {@code centre} (0 to 1 along it). */
    public void zoomTo(double centre, double fraction) {
        if (layout == null) return;
        userZoomed = true;
        span = Math.max(2, layout.total() * fraction);
        offset = layout.total() * centre - span / 2;
        clampAndDraw();
    }

    private void zoom(double factor, double atX) {
        if (layout == null) return;
        userZoomed = true;
        double u = offset + atX / Math.max(1, canvas.getWidth()) * span;
        span = Math.max(2, Math.min(Math.max(layout.total(), 2), span * factor));
        offset = u - atX / Math.max(1, canvas.getWidth()) * span;
        clampAndDraw();
    }

    private void clampAndDraw() {
        if (layout != null) offset = Math.max(0, Math.min(offset, Math.max(0, layout.total() - span)));
        draw();
    }

    /** Each VMA drawn now as {@code vma:START} (hex), for annotations; its bar's box in this view's coordinates. */
    @Override
    public java.util.Map<String, javafx.geometry.Bounds> anchors() {
        java.util.Map<String, javafx.geometry.Bounds> out = new java.util.LinkedHashMap<>();
        if (layout == null || vmas.isEmpty()) return out;
        double scale = canvas.getWidth() / span;
        for (int i = layout.firstEndingAfter(offset); i < layout.size() && layout.from(i) < offset + span; i++) {
            double x0 = Math.max(0, (layout.from(i) - offset) * scale);
            double x1 = Math.min(canvas.getWidth(), (layout.to(i) - offset) * scale);
            if (x1 - x0 < 1) continue;
            javafx.geometry.Bounds b = sceneToLocal(canvas.localToScene(new javafx.geometry.BoundingBox(x0, BAR_TOP, x1 - x0, BAR_H)));
            if (b != null) out.putIfAbsent("vma:" + Long.toHexString(vmas.get(i).start()), b);
        }
        return out;
    }

    /** The VMA under canvas x, or null. */
    public Vma vmaAt(double x) {
        if (layout == null) return null;
        int i = layout.at(offset + x / Math.max(1, canvas.getWidth()) * span);
        return i < 0 ? null : vmas.get(i);
    }

    private void hover(double x) {
        Vma v = vmaAt(x);
        if (v != null) detail.setText(details(v));
    }

    /** Every field of a VMA, as the hover line shows it. */
    public String details(Vma v) {
        String name = mm == null ? null : ProcMaps.name(mm, v);
        java.util.Map<String, String> f = fileFields.get(v.start());
        if (f != null) {
            // a real process: what its smaps said
            return String.format("%08x-%08x %s  %s  pgoff 0x%x  Rss %s  Pss %s  Anonymous %s  Swap %s  VmFlags %s%s", v.start(), v.end(),
                VmFlags.perms(v.flags()), size(v.end() - v.start()), v.pgoff(), f.getOrDefault("Rss", "?"), f.getOrDefault("Pss", "?"),
                f.getOrDefault("Anonymous", "?"), f.getOrDefault("Swap", "?"), VmFlags.mnemonics(v.flags()).strip(), name == null ? "" : "  " + name);
        }
        long rss = mm == null ? 0 : mm.pages(v.start(), v.end()).size();
        return String.format("%08x-%08x %s  %s  pgoff 0x%x  %s  anon_vma %s  resident %d of %d pages  VmFlags %s%s",
            v.start(), v.end(), VmFlags.perms(v.flags()), size(v.end() - v.start()), v.pgoff(),
            v.file() == null ? "anonymous" : "file " + v.file().name(), v.anonVma() == 0 ? "none" : "#" + v.anonVma(), rss, v.pages(),
            VmFlags.mnemonics(v.flags()).strip(), name == null ? "" : "  " + name);
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) return (bytes >> 30) + " GiB";
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) return (bytes >> 20) + " MiB";
        return (bytes >> 10) + " KiB";
    }

    // ------------------------------------------------------------------ drawing
    /** The kind a VMA is drawn as: its colour and legend word. */
    static String kind(AddressSpace mm, Vma v) {
        String n = mm == null ? null : ProcMaps.name(mm, v);
        if ("[stack]".equals(n)) return "stack";
        if ("[heap]".equals(n)) return "heap";
        if ((v.flags() & VmFlags.VM_MAYSHARE) != 0) return "shared";
        if (v.file() != null) return "file";
        if ((v.flags() & VmFlags.VM_ACCESS_FLAGS) == 0) return "none";
        return "anon";
    }

    private static final Color STACK = Color.web("#f2a33a");
    private static final Color HEAP = Color.web("#2da44e");
    private static final Color SHARED = Color.web("#8250df");
    private static final Color FILE = Color.web("#57a773");
    private static final Color NONE = Color.web("#d0d7de");
    private static final Color ANON = Color.web("#4f8fe6");
    private static final Color GAP = Color.web("#8c959f");
    private static final Color LOCKED = Color.web("#cf222e");
    private static final Color CHANGED = Color.web("#bf8700");
    private static final Color SELECTED = Color.web("#0969da");
    private static final Color TEXT = Color.web("#24292f");
    private static final Color QUIET = Color.web("#57606a");

    static Color colour(String kind) {
        return switch (kind) {
            case "stack" -> STACK;
            case "heap" -> HEAP;
            case "shared" -> SHARED;
            case "file" -> FILE;
            case "none" -> NONE;
            default -> ANON;
        };
    }

    /** Draws the visible part of the map. Public for the benchmark and the tests. */
    public void draw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth();
        g.setFill(Color.WHITE);
        g.fillRect(0, 0, w, canvas.getHeight());
        if (layout == null || vmas.isEmpty()) {
            g.setFill(QUIET);
            g.setFont(Font.font(12));
            g.setTextAlign(TextAlignment.LEFT);
            g.fillText("no VMAs", 8, BAR_TOP + 20);
            return;
        }
        MapLayout.Mode mode = logScale.isSelected() ? MapLayout.Mode.LOG : MapLayout.Mode.LINEAR;
        double scale = w / span;
        g.setFont(Font.font("DejaVu Sans Mono", 10));
        g.setTextBaseline(VPos.CENTER);
        int first = layout.firstEndingAfter(offset);
        double lastLabel = -1e9;
        List<long[]> sel = selectedRanges();
        // zoomed out, dozens of VMAs share a pixel column: draw one bar per column and kind
        int lastPixel = Integer.MIN_VALUE;
        String lastKind = null;
        int lastGapPixel = Integer.MIN_VALUE;
        for (int i = first; i < layout.size() && layout.from(i) < offset + span; i++) {
            Vma v = vmas.get(i);
            double x0 = (layout.from(i) - offset) * scale;
            double x1 = (layout.to(i) - offset) * scale;
            String k = kind(mm, v);
            boolean picked = !sel.isEmpty() && overlaps(sel, v);
            boolean marked = (v.flags() & VmFlags.VM_LOCKED) != 0 || changed.contains(v) || picked;
            if (x1 - x0 < 1 && (int) x0 == lastPixel && k.equals(lastKind) && !marked) continue;
            lastPixel = (int) x0;
            lastKind = k;
            if (layout.collapsed(i, mode) && (int) x0 != lastGapPixel) {
                lastGapPixel = (int) x0;
                double gx = (layout.gapAt(i) - offset) * scale;
                double gw = MapLayout.BREAK * scale;
                g.setStroke(GAP);
                g.setLineWidth(1);
                g.strokeLine(gx + gw * 0.35, BAR_TOP + 6, gx + gw * 0.5, BAR_TOP + BAR_H - 6);
                g.strokeLine(gx + gw * 0.5, BAR_TOP + 6, gx + gw * 0.65, BAR_TOP + BAR_H - 6);
            }
            double bw = Math.max(1, x1 - x0 - (x1 - x0 > 3 ? 1 : 0));
            g.setFill(colour(k));
            g.fillRect(x0, BAR_TOP, bw, BAR_H);
            if ((v.flags() & VmFlags.VM_LOCKED) != 0) {
                g.setStroke(LOCKED);
                g.setLineWidth(2);
                g.strokeRect(x0 + 1, BAR_TOP + 1, Math.max(1, bw - 2), BAR_H - 2);
            }
            if (changed.contains(v)) {
                g.setStroke(CHANGED);
                g.setLineWidth(3);
                g.strokeRect(x0 - 1, BAR_TOP - 4, bw + 2, BAR_H + 8);
            }
            if (picked) {
                g.setStroke(SELECTED);
                g.setLineWidth(3);
                g.strokeRect(x0 + 1.5, BAR_TOP + 1.5, Math.max(1, bw - 3), BAR_H - 3);
            }
            if (bw > 34) {
                g.setFill(Color.WHITE);
                g.setTextAlign(TextAlignment.CENTER);
                // the anon_vma decides what may merge: show it where it exists
                boolean av = v.anonVma() != 0 && bw > 70;
                double top = BAR_TOP + BAR_H / 2 - (av ? 13 : 7);
                g.fillText(VmFlags.perms(v.flags()), x0 + bw / 2, top);
                g.fillText(size(v.end() - v.start()), x0 + bw / 2, top + 13);
                if (av) g.fillText("anon_vma " + v.anonVma(), x0 + bw / 2, top + 26);
            }
            if (x0 - lastLabel > 86 && x0 >= -20) {
                g.setFill(TEXT);
                g.setTextAlign(TextAlignment.LEFT);
                g.fillText(String.format("%x", v.start()), Math.max(0, x0), BAR_TOP - 12);
                String n = mm == null ? null : ProcMaps.name(mm, v);
                if (n != null && bw > 50) g.fillText(shortName(n), Math.max(0, x0), BAR_TOP + BAR_H + 12);
                lastLabel = x0;
            }
        }
    }

    private static String shortName(String path) {
        int slash = path.lastIndexOf('/');
        return slash >= 0 && !path.startsWith("[") ? path.substring(slash + 1) : path;
    }

    // ------------------------------------------------------------------ for tests
    public List<Vma> shown() {
        return vmas;
    }

    public Set<Vma> changedNow() {
        return java.util.Collections.unmodifiableSet(changed);
    }

    public String detailText() {
        return detail.getText();
    }

    public Canvas canvas() {
        return canvas;
    }

    public void setLogScale(boolean on) {
        logScale.setSelected(on);
    }
}
