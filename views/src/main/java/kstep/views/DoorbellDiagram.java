package kstep.views;

import java.util.List;
import java.util.Map;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import kstep.engine.ExternalEvent;
import kstep.engine.PreemptCount;
import kstep.vgic.VgicSnapshot;
import kstep.vgic.VpeState;

/**
 * The GICv4 picture: physical CPUs with their redistributor's GICR_VPENDBASER bits, each vCPU with its thread,
 * the vPE's residency state machine, its doorbell and VPT, the guest, and the device that can raise a vLPI.
 * Whatever the current step changed is outlined.
 */
public final class DoorbellDiagram extends VBox {
    private final Label title = new Label();
    private final HBox cpuRow = new HBox(8);
    private final VBox vcpuRows = new VBox(8);
    private final FlowPane deviceRow = new FlowPane(8, 4);
    private VgicSnapshot shown;

    public DoorbellDiagram() {
        getStyleClass().add("diagram");
        setId("doorbell-diagram");
        setSpacing(8);
        setPadding(new Insets(8));
        title.getStyleClass().add("pane-title");
        getChildren().addAll(title, cpuRow, vcpuRows, deviceRow);
    }

    /** What the diagram last drew (tests assert on it). */
    public VgicSnapshot snapshot() {
        return shown;
    }

    public void show(StepView v, Map<String, ExternalEvent> events) {
        VgicSnapshot s = VgicSnapshot.of(v.world(), events);
        shown = s;
        cpuRow.getChildren().clear();
        vcpuRows.getChildren().clear();
        deviceRow.getChildren().clear();
        if (s == null) {
            title.setText("No vGIC in this scenario");
            return;
        }
        title.setText("GICv" + (s.v41() ? "4.1" : "4.0") + " vPE residency and doorbells");
        for (VgicSnapshot.PCpu c : s.cpus()) cpuRow.getChildren().add(cpuCard(c, v, s.v41()));
        for (VgicSnapshot.VCpu vc : s.vcpus()) vcpuRows.getChildren().add(vcpuRow(vc, v, s.v41()));
        for (VgicSnapshot.Device d : s.devices()) {
            Label l = new Label("device → ITS: " + d.description() + "  [event " + d.event() + (d.left() == null ? "" : ", " + d.left() + " left") + "]");
            l.setWrapText(true);
            l.getStyleClass().add("device");
            deviceRow.getChildren().add(l);
        }
    }

    private static VBox card(String titleText, String id) {
        VBox box = new VBox(2);
        box.getStyleClass().add("card");
        box.setId(id);
        kstep.views.annotate.Anchors.tag(box, "vgic:" + id);
        Label t = new Label(titleText);
        t.getStyleClass().add("card-title");
        box.getChildren().add(t);
        return box;
    }

    private static Label line(String text, boolean changed) {
        Label l = new Label(text);
        l.setWrapText(true);
        l.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        l.getStyleClass().add("card-line");
        if (changed) l.getStyleClass().add("changed-field");
        return l;
    }

    private VBox cpuCard(VgicSnapshot.PCpu c, StepView v, boolean v41) {
        String cpu = "cpu" + c.id();
        VBox card = card("pCPU " + c.id(), "pcpu" + c.id());
        if (v.changed(cpu) || (c.gicr() != null && v.changed(c.gicr()))) card.getStyleClass().add("changed");
        card.getChildren().add(line("runs " + c.running() + (c.idle() ? " (idle, WFI)" : ""), v.changed(cpu, "current")));
        card.getChildren().add(line(c.context() + " context · irqs " + (c.irqsOff() ? "off" : "on"), v.changed(cpu, "irqs")));
        card.getChildren().add(line("preempt_count " + PreemptCount.describe(c.preemptCount()), v.changed(cpu, "preempt_count")));
        card.getChildren().add(line("pending irqs: " + (c.pending().isEmpty() ? "none" : String.join(", ", c.pending())), v.changed(cpu, "pending")));
        card.getChildren().add(line("runqueue: " + (c.runqueue().isEmpty() ? "empty" : String.join(", ", c.runqueue())), v.changed(cpu, "runqueue")));
        if (c.gicr() != null) {
            FlowPane bits = new FlowPane(3, 2);
            bits.setAlignment(Pos.CENTER_LEFT);
            Label name = new Label("GICR_VPENDBASER");
            name.getStyleClass().add("reg-name");
            Label id = new Label("VPEID " + c.vpeId());
            id.getStyleClass().add("reg-name");
            bits.getChildren().addAll(name, bit("Valid", c.valid()), bit(v41 ? "DB" : "IDAI", c.db()), bit("PendingLast", c.pendingLast()),
                bit("Dirty", c.dirty()), id);
            if (v.changed(c.gicr(), "vpendbaser")) bits.getStyleClass().add("changed-field");
            card.getChildren().add(bits);
        }
        HBox.setHgrow(card, Priority.ALWAYS);
        card.setMaxWidth(Double.MAX_VALUE);
        card.setPrefWidth(100);
        return card;
    }

    private static Label bit(String name, boolean on) {
        Label l = new Label(name);
        l.getStyleClass().addAll("reg-bit", on ? "bit-on" : "bit-off");
        return l;
    }

    private VBox vcpuRow(VgicSnapshot.VCpu vc, StepView v, boolean v41) {
        String vpeObj = vc.name() + ".its_vpe";
        VBox thread = card("vCPU " + vc.name(), "vcpu-" + vc.name());
        if (v.changed(vc.name())) thread.getStyleClass().add("changed");
        thread.getChildren().add(line("thread " + vc.thread(), false));
        thread.getChildren().add(line(vc.threadState(), threadChanged(v)));
        thread.getChildren().add(line("mode: " + vc.mode() + (vc.inWfi() ? " · IN_WFI set" : ""),
            v.changed(vc.name(), "mode") || v.changed(vc.name(), "sflags") || v.changed(vc.name(), "flags")));
        thread.getChildren().add(line("guest: " + (vc.mode().equals("in guest") ? "running" : "not running")
            + " · vLPIs taken " + vc.guestTaken() + " (waits for " + join(vc.vlpis()) + ")", v.changed(vc.name(), "guest_vlpis")));

        VBox vpe = card(vc.vpe() + ": " + vc.state(), "vpe-" + vc.name());
        if (v.changed(vpeObj) || v.changed(vpeObj + ".vpe_lock")) vpe.getStyleClass().add("changed");
        vpe.getChildren().add(line(vc.state().meaning(), false));
        vpe.getChildren().add(line("resident " + vc.resident() + " · ready " + vc.ready() + " · pending_last " + vc.pendingLast(),
            v.changed(vpeObj, "resident") || v.changed(vpeObj, "ready") || v.changed(vpeObj, "pending_last")));
        vpe.getChildren().add(line("doorbell: " + vc.doorbell() + (vc.doorbellCpu() >= 0 ? " → cpu" + vc.doorbellCpu() : ""), false));
        vpe.getChildren().add(line("VPT: " + (vc.vptPending().isEmpty() ? "empty" : "vLPI " + join(vc.vptPending()) + " pending"),
            v.changed(vpeObj, "vpt_pending")));
        for (VBox b : List.of(thread, vpe)) {
            HBox.setHgrow(b, Priority.ALWAYS);
            b.setMaxWidth(Double.MAX_VALUE);
            b.setPrefWidth(100);
        }
        HBox cards = new HBox(8, thread, vpe);
        VBox sm = stateMachine(vc.state(), v41);
        sm.setId("vpe-states-" + vc.name());
        VBox row = new VBox(6, cards, sm);
        row.getStyleClass().add("vcpu-row");
        return row;
    }

    private static boolean threadChanged(StepView v) {
        for (var e : v.events()) if (e.kind() == kstep.engine.Event.Kind.SWITCH || "__state".equals(e.field()) || "on_rq".equals(e.field())) return true;
        return false;
    }

    private static String join(List<Long> l) {
        StringBuilder b = new StringBuilder();
        for (Long x : l) {
            if (b.length() > 0) b.append(", ");
            b.append(x);
        }
        return b.toString();
    }

    /**
     * The residency cycle left to right: NR_NODB --load--> RES_DIRTY --commit--> RES_READY --put(db)--> NR_DB,
     * with the current state filled. A put without a doorbell goes back to NR_NODB.
     */
    private static VBox stateMachine(VpeState cur, boolean v41) {
        HBox h = new HBox(4);
        h.setAlignment(Pos.CENTER_LEFT);
        h.getChildren().addAll(pill(VpeState.NR_NODB, cur), arrow("load →"), pill(VpeState.RES_DIRTY, cur), arrow("commit →"),
            pill(VpeState.RES_READY, cur), arrow("put(db) →"), pill(VpeState.NR_DB, cur));
        Label legend = arrow(v41 ? "A put without a doorbell goes to NR_NODB; a doorbell fires once, then NR_DB becomes NR_NODB."
            : "GICv4.0: the doorbell is an interrupt KVM enables for put(db) and disables when it fires.");
        legend.setWrapText(true);
        legend.setMinWidth(0);
        VBox box = new VBox(2, h, legend);
        box.getStyleClass().add("state-machine");
        return box;
    }

    private static Label pill(VpeState s, VpeState cur) {
        Label l = new Label(s.name());
        l.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        l.getStyleClass().add("pill");
        if (s == cur) l.getStyleClass().add("pill-current");
        l.setId("state-" + s.name());
        return l;
    }

    private static Label arrow(String text) {
        Label l = new Label(text);
        l.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        l.getStyleClass().add("arrow");
        return l;
    }
}
