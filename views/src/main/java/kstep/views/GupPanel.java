package kstep.views;

import java.util.ArrayList;
import java.util.List;

import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.VBox;

import kstep.mm.GupFlags;
import kstep.mm.GupSnapshot;

/**
 * get_user_pages at the cursor, for each task inside it: the call chain from its caller in, the flags of the
 * innermost frame bit by bit (GUP's internal flags marked), the pages array filling up with each page's
 * refcount and pins, {@code *locked} and who holds the mmap lock. Clicking a page selects its frame in the
 * memory and page-table views.
 */
public final class GupPanel extends VBox {
    private final MmSelection selection;
    private final Label title = new Label("get_user_pages");
    private final VBox body = new VBox(4);
    private final List<String> rows = new ArrayList<>();

    public GupPanel(MmSelection selection) {
        super(6);
        this.selection = selection;
        setId("gup-panel");
        setPadding(new Insets(8));
        title.getStyleClass().add("pane-title");
        getChildren().addAll(title, body);
    }

    public void show(StepView v) {
        body.getChildren().clear();
        rows.clear();
        GupSnapshot s = GupSnapshot.of(v.world());
        if (s.calls().isEmpty()) {
            add(new Label("No task is inside get_user_pages at this step."), "idle");
            return;
        }
        for (GupSnapshot.Call c : s.calls()) {
            Label head = new Label(c.task() + (c.process().isEmpty() ? "" : " → " + c.process() + "'s mm"));
            head.getStyleClass().add("pane-title");
            add(head, "task " + c.task());
            Label chain = new Label(String.join(" → ", c.chain()));
            chain.setWrapText(true);
            add(chain, "chain " + chain.getText());
            add(new Label(String.format("gup_flags 0x%x = %s", c.flags(), GupFlags.names(c.flags()))), "flags " + GupFlags.names(c.flags()));
            FlowPane bits = new FlowPane(4, 4);
            for (GupFlags.Bit b : c.bits()) {
                Label chip = new Label(b.name().substring(5) + (b.internal() ? "*" : ""));
                chip.setStyle("-fx-padding: 1 5 1 5; -fx-border-radius: 3; -fx-background-radius: 3; -fx-border-color: "
                    + (b.internal() ? "#8a5a00" : "#355f8c") + "; -fx-background-color: " + (b.set() ? (b.internal() ? "#ffd98a" : "#a8cdf5") : "transparent")
                    + "; -fx-text-fill: " + (b.set() ? "black" : "#8c8c8c") + ";");
                chip.setId("foll-" + b.name());
                bits.getChildren().add(chip);
            }
            body.getChildren().add(bits);
            add(new Label("* internal: only GUP sets it; a caller that passes one gets WARN_ON_ONCE and -EINVAL (FOLL_TOUCH since 6.7)"), "legend");
            add(new Label("pages: " + (c.pagesLength() == 0 ? "NULL" : c.pages().size() + " of " + c.pagesLength() + " filled")), "pages " + c.pages().size() + "/" + c.pagesLength());
            for (GupSnapshot.PageRef p : c.pages()) {
                String text = String.format("  pages[%d] = 0x%x → frame %d, refcount %d%s", p.index(), p.page(), p.pfn(), p.refcount(),
                    p.pins() > 0 ? ", pinned (refcount ≥ GUP_PIN_COUNTING_BIAS: " + p.pins() + ")" : p.refcount() == 0 ? ", free: a stale pointer" : "");
                Label row = new Label(text);
                row.setOnMouseClicked(e -> selection.select(new MmSelection.Frame(p.pfn())));
                row.setStyle("-fx-cursor: hand;");
                add(row, text.strip());
            }
            add(new Label("locked: " + c.locked()), "locked " + c.locked());
            if (!c.mmapLock().isEmpty()) add(new Label(c.mmapLock()), c.mmapLock());
        }
    }

    private void add(Label l, String row) {
        body.getChildren().add(l);
        rows.add(row);
    }

    /** What the panel shows, a line each (for tests and the exporter's checks). */
    public List<String> rows() {
        return List.copyOf(rows);
    }
}
