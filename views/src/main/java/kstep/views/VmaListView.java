package kstep.views;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javafx.geometry.Insets;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import kstep.engine.Frame;
import kstep.engine.KObject;
import kstep.engine.Task;
import kstep.engine.Value;
import kstep.engine.World;
import kstep.mm.linux23.OldMemory;

/**
 * A Linux 2.3 mm's vma list as the 1999 scenario needs it: mm->mmap and each vma's vm_next as boxes and
 * arrows, mm->mmap_cache, and every task's pointer into it (kswapd's vma in swap_out_vma(), the writer's
 * mpnt and prev) as labelled arrows. A vma taken off the list but still pointed at hangs below it; a freed
 * one is crossed out with the step it was freed at; one a writer has half-updated is orange. Above, who
 * holds the big kernel lock, mmap_sem and page_table_lock.
 */
public final class VmaListView extends VBox {
    static final double BOX_W = 132;
    static final double BOX_H = 58;
    static final double GAP = 34;
    static final double TOP = 12;
    static final double LINE = 13;

    private final Label title = new Label("vma list");
    private final Label locks = new Label(" ");
    private final Canvas canvas = new Canvas(900, 260);
    private final List<String> boxTexts = new ArrayList<>();
    private final List<String> pointerTexts = new ArrayList<>();

    public VmaListView() {
        super(6);
        setId("vma-list");
        setPadding(new Insets(8));
        title.getStyleClass().add("pane-title");
        locks.setId("vma-list-locks");
        locks.setWrapText(true);
        locks.setMinHeight(Label.USE_PREF_SIZE);
        getChildren().addAll(title, locks, canvas);
    }

    /** A vma box: where it is drawn and what it is. */
    private record Box(KObject vma, double x, double y, boolean listed) { }

    public void show(StepView v) {
        World w = v.world();
        OldMemory m = w.ext(OldMemory.KEY, OldMemory.class);
        boxTexts.clear();
        pointerTexts.clear();
        GraphicsContext g = canvas.getGraphicsContext2D();
        if (m == null || m.mms().isEmpty()) {
            title.setText("vma list: not a Linux 2.3 scenario");
            g.clearRect(0, 0, canvas.getWidth(), canvas.getHeight());
            return;
        }
        KObject mm = w.object(m.mms().get(0));
        title.setText("vma list of " + mm.name() + " (map_count " + mm.getLong("map_count") + ", rss " + mm.getLong("rss") + ", swap_address "
            + String.format("0x%x", mm.getLong("swap_address")) + ")");
        locks.setText(lockLine(w, mm));
        // the list itself, then anything tasks point at that is not on it
        Map<Integer, Box> boxes = new LinkedHashMap<>();
        double x = 80;
        for (Value p = mm.get("mmap"); p instanceof Value.Ref r && !boxes.containsKey(r.id()); ) {
            KObject vma = w.object(r.id());
            boxes.put(vma.id(), new Box(vma, x, TOP, true));
            x += BOX_W + GAP;
            if (vma.freed()) break;
            p = vma.get("vm_next");
        }
        Map<String, Integer> pointers = pointers(w, mm);
        Map<Integer, Integer> perBox = new LinkedHashMap<>();
        for (int id : pointers.values()) perBox.merge(id, 1, Integer::sum);
        int most = 0;
        for (Map.Entry<Integer, Integer> e : perBox.entrySet()) if (boxes.containsKey(e.getKey())) most = Math.max(most, e.getValue());
        // the vmas off the list go below the list's pointer labels
        double offTop = TOP + BOX_H + 16 + LINE * most + 18;
        double ox = 80;
        int mostOff = 0;
        for (int id : pointers.values()) {
            if (boxes.containsKey(id)) continue;
            boxes.put(id, new Box(w.object(id), ox, offTop, false));
            mostOff = Math.max(mostOff, perBox.get(id));
            ox += BOX_W + GAP;
        }
        double width = Math.max(Math.max(x, ox) + 40, 600);
        canvas.setWidth(width);
        canvas.setHeight(offTop + BOX_H + 16 + LINE * mostOff + 8);
        g.setFill(Color.WHITE);
        g.fillRect(0, 0, canvas.getWidth(), canvas.getHeight());
        g.setFont(Font.font("DejaVu Sans Mono", 11));
        g.setTextBaseline(VPos.CENTER);
        // mm->mmap
        g.setFill(Color.web("#24292f"));
        g.setTextAlign(TextAlignment.LEFT);
        g.fillText("mm->mmap", 4, TOP + BOX_H / 2);
        Box prev = null;
        for (Box b : boxes.values()) {
            if (!b.listed()) continue;
            arrow(g, prev == null ? 66 : prev.x() + BOX_W, TOP + BOX_H / 2, b.x(), TOP + BOX_H / 2, Color.web("#57606a"));
            prev = b;
        }
        for (Box b : boxes.values()) drawBox(g, w, m, b);
        // the pointers tasks and the cache hold
        Map<Integer, Integer> stacked = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> p : pointers.entrySet()) {
            Box b = boxes.get(p.getValue());
            if (b == null) continue;
            int n = stacked.merge(p.getValue(), 1, Integer::sum) - 1;
            double ly = b.y() + BOX_H + 12 + n * LINE;
            boolean kswapd = p.getKey().startsWith("kswapd");
            g.setFill(kswapd ? Color.web("#cf222e") : p.getKey().startsWith("mmap_cache") ? Color.web("#57606a") : Color.web("#0969da"));
            g.setTextAlign(TextAlignment.CENTER);
            g.fillText("↑ " + p.getKey(), b.x() + BOX_W / 2, ly);
            pointerTexts.add(p.getKey() + " -> " + b.vma().name());
        }
    }

    private void drawBox(GraphicsContext g, World w, OldMemory m, Box b) {
        KObject v = b.vma();
        boolean changing = m.changing().containsKey(v.id());
        Color fill = v.freed() ? Color.web("#eaeef2") : changing ? Color.web("#ffd8b5") : b.listed() ? Color.web("#ddf4ff") : Color.web("#fff8c5");
        g.setFill(fill);
        g.fillRoundRect(b.x(), b.y(), BOX_W, BOX_H, 8, 8);
        g.setStroke(v.freed() ? Color.web("#8c959f") : Color.web("#54aeff"));
        g.setLineWidth(1.5);
        g.strokeRoundRect(b.x(), b.y(), BOX_W, BOX_H, 8, 8);
        g.setFill(v.freed() ? Color.web("#8c959f") : Color.web("#24292f"));
        g.setTextAlign(TextAlignment.CENTER);
        long flags = v.getLong("vm_flags");
        String perms = ((flags & 1) != 0 ? "r" : "-") + ((flags & 2) != 0 ? "w" : "-") + ((flags & 4) != 0 ? "x" : "-") + ((flags & 0x2000) != 0 ? " locked" : "");
        String state = v.freed() ? "freed at step " + (v.freedBy() == null ? "?" : v.freedBy().step()) : changing ? "half-updated" : b.listed() ? "" : "off the list";
        String range = String.format("%x-%x", v.getLong("vm_start"), v.getLong("vm_end"));
        g.fillText(v.name() + "  " + perms, b.x() + BOX_W / 2, b.y() + 13);
        g.fillText(range, b.x() + BOX_W / 2, b.y() + 29);
        g.fillText(state, b.x() + BOX_W / 2, b.y() + 45);
        if (v.freed()) {
            g.setStroke(Color.web("#cf222e"));
            g.setLineWidth(1.5);
            g.strokeLine(b.x() + 6, b.y() + 6, b.x() + BOX_W - 6, b.y() + BOX_H - 6);
        }
        boxTexts.add(v.name() + " " + perms + " " + range + (state.isEmpty() ? "" : " (" + state + ")"));
    }

    private static void arrow(GraphicsContext g, double x0, double y0, double x1, double y1, Color c) {
        g.setStroke(c);
        g.setLineWidth(1.5);
        g.strokeLine(x0, y0, x1 - 2, y1);
        g.setFill(c);
        g.fillPolygon(new double[] {x1, x1 - 8, x1 - 8}, new double[] {y1, y1 - 4, y1 + 4}, 3);
    }

    /** "task: function.local" (and "mmap_cache") -> the vma it points at. */
    private static Map<String, Integer> pointers(World w, KObject mm) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (mm.get("mmap_cache") instanceof Value.Ref r) out.put("mmap_cache", r.id());
        for (Task t : w.tasks()) {
            if (t.isIdle()) continue;
            String comm = w.taskStruct(t).text("comm");
            for (Frame f : t.stack()) {
                for (int i = 0; i < f.localCount(); i++) {
                    if (!(f.local(i) instanceof Value.Ref r)) continue;
                    KObject o = w.object(r.id());
                    if (o == null || !o.type().name().equals("vm_area_struct")) continue;
                    String name = f.function().localName(i);
                    if (name.startsWith("$")) continue;
                    out.put(comm + ": " + f.function().name() + "." + name, r.id());
                }
            }
        }
        return out;
    }

    private static String lockLine(World w, KObject mm) {
        List<String> parts = new ArrayList<>();
        KObject bkl = w.named("kernel_flag");
        if (bkl != null) parts.add("big kernel lock: " + holder(w, bkl.get("owner")));
        KObject sem = w.object(((Value.Ref) mm.get("mmap_sem")).id());
        List<String> h = new ArrayList<>();
        if (sem.get("holders") instanceof Value.Seq s) for (Value v : s.items()) h.add(holder(w, v));
        parts.add("mmap_sem: " + (h.isEmpty() ? "free" : String.join(", ", h)));
        KObject ptl = w.object(((Value.Ref) mm.get("page_table_lock")).id());
        parts.add("page_table_lock (the vmlist lock): " + holder(w, ptl.get("owner")));
        return String.join("\n", parts);
    }

    private static String holder(World w, Value owner) {
        if (owner instanceof Value.Ref r) return "held by " + w.object(r.id()).text("comm");
        return "free";
    }

    // ------------------------------------------------------------------ for tests
    public String titleText() {
        return title.getText();
    }

    public String lockText() {
        return locks.getText();
    }

    public List<String> boxes() {
        return List.copyOf(boxTexts);
    }

    public List<String> pointers() {
        return List.copyOf(pointerTexts);
    }
}
