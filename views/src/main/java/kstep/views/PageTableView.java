package kstep.views;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.TreeCell;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

import kstep.mm.AddressSpace;
import kstep.mm.MmState;
import kstep.mm.PageTableTree;
import kstep.mm.Pte;

/**
 * A process's page tables as an expandable tree, PGD down to PTE, each entry with the address range it maps,
 * its raw value and its bits decoded (P RW US A D NX...; a swap entry's type and offset). Above it, the walk
 * of this step's access, PGD entry to frame, revealed level by level. Entries this step changed are marked;
 * entries the memory selection covers (a VMA's PTEs, the PTEs mapping a frame) are highlighted.
 */
public final class PageTableView extends VBox {
    /** A row of the tree: a table, or one of its entries. */
    public record Row(String text, PageTableTree.Entry entry, int level, boolean changed) {
        @Override
        public String toString() {
            return text;
        }
    }

    private final Label title = new Label("Page tables");
    private final ChoiceBox<String> process = new ChoiceBox<>();
    private final HBox walk = new HBox(4);
    private final TreeView<Row> tree = new TreeView<>();
    private final MmSelection selection;
    private final List<Label> walkSteps = new ArrayList<>();
    private Timeline walkAnimation;
    private boolean animate = true;
    private StepView last;
    private boolean updating;
    private MmState state;

    public PageTableView(MmSelection selection) {
        super(6);
        this.selection = selection;
        setId("page-tables");
        getStyleClass().add("page-tables");
        setPadding(new Insets(8));
        title.getStyleClass().add("pane-title");
        process.setId("pt-process");
        process.valueProperty().addListener((o, a, b) -> {
            if (!updating && b != null && last != null) show(last);
        });
        HBox bar = new HBox(8, title, process);
        bar.setAlignment(Pos.CENTER_LEFT);
        walk.setId("pt-walk");
        walk.setAlignment(Pos.CENTER_LEFT);
        walk.setMinHeight(26);
        tree.setId("pt-tree");
        tree.setShowRoot(true);
        tree.setCellFactory(t -> new TreeCell<>() {
            @Override
            protected void updateItem(Row r, boolean empty) {
                super.updateItem(r, empty);
                getStyleClass().removeAll("changed-row", "pt-selected");
                getProperties().remove(kstep.views.annotate.Anchors.KEY);
                if (empty || r == null) {
                    setText(null);
                    return;
                }
                // annotations point at an entry by level and the address it maps, which outlives the cell
                if (r.entry() != null) kstep.views.annotate.Anchors.tag(this, "pt:" + r.level() + ":" + Long.toHexString(r.entry().start()));
                setText(r.text());
                if (r.changed()) getStyleClass().add("changed-row");
                if (selected(r)) getStyleClass().add("pt-selected");
            }
        });
        selection.addListener(() -> tree.refresh());
        VBox.setVgrow(tree, Priority.ALWAYS);
        getChildren().addAll(bar, walk, tree);
    }

    /** Turns the walk's level-by-level reveal off (tests and exports show the whole walk at once). */
    public void setAnimated(boolean on) {
        animate = on;
    }

    private boolean selected(Row r) {
        if (r.entry() == null || r.level() != 1) return false;
        MmSelection.Target t = selection.get();
        String proc = process.getValue();
        if (t instanceof MmSelection.Range range) return range.contains(proc, r.entry().start());
        if (t instanceof MmSelection.Frame f) return r.entry().frame() == f.pfn() && Pte.present(r.entry().value());
        return false;
    }

    public void show(StepView v) {
        last = v;
        state = v.world().ext(MmState.KEY, MmState.class);
        if (state == null || state.processes().isEmpty()) {
            title.setText("Page tables: no process in this scenario");
            tree.setRoot(null);
            walk.getChildren().clear();
            return;
        }
        updating = true;
        List<String> names = new ArrayList<>(state.processes().keySet());
        if (!process.getItems().equals(names)) process.getItems().setAll(names);
        MmState.Access acc = state.lastAccess();
        boolean accessNow = acc != null && acc.step() == v.world().stepNo() && v.record() != null;
        // follow the process that just made an access
        if (accessNow && names.contains(acc.process())) process.setValue(acc.process());
        if (process.getValue() == null || !names.contains(process.getValue())) process.setValue(names.get(0));
        updating = false;
        String proc = process.getValue();
        AddressSpace mm = state.mm(proc);
        PageTableTree now = mm.pageTables();
        Map<String, Long> before = new HashMap<>();
        MmState prev = v.previous() == null ? null : v.previous().ext(MmState.KEY, MmState.class);
        AddressSpace then = prev == null ? null : prev.mm(proc);
        if (then != null) index(then.pageTables().root(), before);
        boolean compare = then != null;
        int ptes = now.ptes().size();
        title.setText("Page tables of " + proc + ": PGD in frame " + now.root().pfn() + ", " + ptes + " PTE" + (ptes == 1 ? "" : "s") + " in use");
        TreeItem<Row> root = item(now.root(), null, before, compare, ptes <= 256);
        root.setExpanded(true);
        tree.setRoot(root);
        showWalk(accessNow ? now.walk(acc.addr()) : null, accessNow ? acc : null, now);
    }

    /** Entry values by level and start address, for what changed. */
    private static void index(PageTableTree.Table t, Map<String, Long> out) {
        for (PageTableTree.Entry e : t.entries()) {
            out.put(t.level() + ":" + e.start(), e.value());
            if (e.child() != null) index(e.child(), out);
        }
    }

    private TreeItem<Row> item(PageTableTree.Table t, PageTableTree.Entry up, Map<String, Long> before, boolean compare, boolean expand) {
        String text = up == null ? String.format("%s (frame %d)", t.name(), t.pfn())
            : String.format("%s[%d] %s → %s table in frame %d", Pte.levelName(t.level() + 1), up.index(), range(up), t.name(), t.pfn());
        boolean changed = up != null && compare && !java.util.Objects.equals(before.get((t.level() + 1) + ":" + up.start()), up.value());
        TableItem item = new TableItem(new Row(text, up, t.level() + 1, changed), t, before, compare, expand);
        // open the levels that changed this step, or everything when the tables are small
        item.setExpanded(expand || changed || subtreeChanged(t, before, compare));
        return item;
    }

    private static boolean subtreeChanged(PageTableTree.Table t, Map<String, Long> before, boolean compare) {
        if (!compare) return false;
        for (PageTableTree.Entry e : t.entries()) {
            if (!java.util.Objects.equals(before.get(t.level() + ":" + e.start()), e.value())) return true;
            if (e.child() != null && subtreeChanged(e.child(), before, compare)) return true;
        }
        return false;
    }

    /** A table's row, whose entries become rows only when it is opened (a 1 GiB mapping has 262,144 PTEs). */
    private final class TableItem extends TreeItem<Row> {
        private final PageTableTree.Table table;
        private final Map<String, Long> before;
        private final boolean compare;
        private final boolean expand;
        private boolean built;

        TableItem(Row r, PageTableTree.Table table, Map<String, Long> before, boolean compare, boolean expand) {
            super(r);
            this.table = table;
            this.before = before;
            this.compare = compare;
            this.expand = expand;
        }

        @Override
        public boolean isLeaf() {
            return table.entries().isEmpty();
        }

        @Override
        public javafx.collections.ObservableList<TreeItem<Row>> getChildren() {
            if (!built) {
                built = true;
                List<TreeItem<Row>> kids = new ArrayList<>();
                for (PageTableTree.Entry e : table.entries()) {
                    boolean ch = compare && !java.util.Objects.equals(before.get(table.level() + ":" + e.start()), e.value());
                    if (e.child() != null) kids.add(item(e.child(), e, before, compare, expand));
                    else kids.add(new TreeItem<>(new Row(pteText(table, e), e, table.level(), ch)));
                }
                super.getChildren().setAll(kids);
            }
            return super.getChildren();
        }
    }

    private static String range(PageTableTree.Entry e) {
        return String.format("0x%x-0x%x", e.start(), e.end());
    }

    private static String pteText(PageTableTree.Table t, PageTableTree.Entry e) {
        String target = Pte.present(e.value()) ? "frame " + e.frame() : Pte.isSwap(e.value()) ? "swapped out" : "";
        return String.format("%s[%d] 0x%x: %016x → %s  %s", t.name(), e.index(), e.start(), e.value(), target, e.bits());
    }

    /** The walk strip: each level's entry in turn, then the frame (or where the walk stopped). */
    private void showWalk(List<PageTableTree.Entry> path, MmState.Access acc, PageTableTree tree) {
        if (walkAnimation != null) walkAnimation.stop();
        walk.getChildren().clear();
        walkSteps.clear();
        if (path == null) {
            Label l = new Label("no access this step");
            l.getStyleClass().add("pt-walk-idle");
            walk.getChildren().add(l);
            return;
        }
        Label head = new Label(String.format("%s 0x%x:", acc.write() ? "write" : "read", acc.addr()));
        head.getStyleClass().add("pt-walk-head");
        walk.getChildren().add(head);
        PageTableTree.Table t = tree.root();
        for (int i = 0; i < path.size() && t != null; i++) {
            PageTableTree.Entry e = path.get(i);
            String text = t.name() + "[" + Pte.index(acc.addr(), t.level()) + "]" + (e == null ? " empty" : "");
            if (e != null && t.level() == 1) text += Pte.present(e.value()) ? " → frame " + e.frame() : " → " + e.bits();
            Label l = new Label(text);
            l.getStyleClass().add(e == null ? "pt-walk-miss" : "pt-walk-step");
            walkSteps.add(l);
            t = e == null ? null : e.child();
        }
        // reveal the walk level by level only in a window on screen (not in an export or a snapshot)
        boolean onScreen = getScene() != null && getScene().getWindow() != null && getScene().getWindow().isShowing();
        if (!animate || !onScreen) {
            walk.getChildren().addAll(walkSteps);
            return;
        }
        walkAnimation = new Timeline();
        for (int i = 0; i < walkSteps.size(); i++) {
            Label l = walkSteps.get(i);
            walkAnimation.getKeyFrames().add(new KeyFrame(Duration.millis(180 * (i + 1)), ev -> walk.getChildren().add(l)));
        }
        walkAnimation.play();
    }

    // ------------------------------------------------------------------ for tests
    public String titleText() {
        return title.getText();
    }

    /** The walk strip as text, once it has been revealed. */
    public String walkText() {
        List<String> out = new ArrayList<>();
        for (javafx.scene.Node n : walk.getChildren()) if (n instanceof Label l) out.add(l.getText());
        return String.join(" ", out);
    }

    /** Every row of the tree, depth first: its text, and whether it is marked changed or selected. */
    public List<String> rows() {
        List<String> out = new ArrayList<>();
        if (tree.getRoot() != null) rows(tree.getRoot(), 0, out);
        return out;
    }

    private void rows(TreeItem<Row> i, int depth, List<String> out) {
        Row r = i.getValue();
        out.add("  ".repeat(depth) + r.text() + (r.changed() ? "  [changed]" : "") + (selected(r) ? "  [selected]" : ""));
        for (TreeItem<Row> c : i.getChildren()) rows(c, depth + 1, out);
    }

    public TreeView<Row> treeView() {
        return tree;
    }
}
