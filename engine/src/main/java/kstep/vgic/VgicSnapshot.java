package kstep.vgic;

import java.util.ArrayList;
import java.util.List;

import kstep.engine.Cpu;
import kstep.engine.Frame;
import kstep.engine.KObject;
import kstep.engine.Task;
import kstep.engine.Value;
import kstep.engine.World;

/**
 * The vGIC part of a World, read out for the doorbell diagram: physical CPUs with their redistributor,
 * vCPUs with their thread, vPE state, doorbell and VPT, and the guest's side.
 */
public record VgicSnapshot(boolean v41, List<PCpu> cpus, List<VCpu> vcpus, List<Device> devices) {

    /** A physical CPU: what runs, its context, pending interrupts, runqueue and GICR_VPENDBASER. */
    public record PCpu(int id, String running, boolean idle, String context, int preemptCount, boolean irqsOff,
                       List<String> pending, List<String> runqueue, String gicr, long vpendbaser) {
        public boolean valid() {
            return (vpendbaser & Redistributor.VALID) != 0;
        }

        public boolean db() {
            return (vpendbaser & Redistributor.DB) != 0;
        }

        public boolean pendingLast() {
            return (vpendbaser & Redistributor.PENDING_LAST) != 0;
        }

        public boolean dirty() {
            return (vpendbaser & Redistributor.DIRTY) != 0;
        }

        public long vpeId() {
            return vpendbaser & Redistributor.VPEID;
        }
    }

    /** A vCPU, its thread and its vPE. */
    public record VCpu(String name, String vpe, String thread, String threadState, String mode, boolean inWfi,
                       VpeState state, boolean resident, boolean ready, boolean pendingLast, int doorbellIrq,
                       int doorbellCpu, String doorbell, List<Long> vptPending, List<Long> vlpis, long guestTaken) { }

    /** A device event the scheduler may still fire, and how often. */
    public record Device(String event, String description, Integer left) { }

    /** Reads the snapshot; null when the World has no vGIC. */
    public static VgicSnapshot of(World w, java.util.Map<String, kstep.engine.ExternalEvent> events) {
        if (w.named("kvm_vgic_global_state") == null) return null;
        boolean v41 = Vgic.v41(w);
        List<PCpu> cpus = new ArrayList<>();
        for (int c = 0; c < w.cpuCount(); c++) {
            Cpu cpu = w.cpu(c);
            Task t = w.current(c);
            List<String> pend = new ArrayList<>();
            for (int irq : cpu.pendingIrqs()) pend.add(w.irqName(irq));
            List<String> rq = new ArrayList<>();
            for (int ti : cpu.runqueue()) rq.add(comm(w.taskStruct(w.task(ti))));
            KObject g = Redistributor.of(w, c);
            cpus.add(new PCpu(c, comm(w.taskStruct(t)), t.isIdle(), cpu.context(), cpu.preemptCount(), cpu.irqsDisabled(),
                pend, rq, g == null ? null : g.name(), g == null ? 0 : Redistributor.vpendbaser(g)));
        }
        List<VCpu> vcpus = new ArrayList<>();
        for (KObject vcpu : Vgic.vcpus(w)) {
            KObject vpe = Vgic.vpeOf(w, vcpu);
            boolean resident = Redistributor.residentOn(w, vpe) != null;
            int doorbell = (int) vpe.getLong("irq");
            KObject desc = w.irqDesc(doorbell);
            int dbCpu = desc == null ? -1 : (int) desc.getLong("cpu");
            boolean armed;
            if (v41) {
                KObject host = Redistributor.lastHost(w, vpe);
                armed = host != null && (Redistributor.vpendbaser(host) & Redistributor.DB) != 0;
            } else {
                armed = desc != null && desc.getLong("depth") == 0;
            }
            VpeState st = resident ? (vpe.getBool("ready") ? VpeState.RES_READY : VpeState.RES_DIRTY)
                : armed ? VpeState.NR_DB : VpeState.NR_NODB;
            boolean dbPending = false;
            for (int c = 0; c < w.cpuCount(); c++) if (w.cpu(c).pendingIrqs().contains(doorbell)) dbPending = true;
            String db = dbPending ? "fired: irq " + doorbell + " pending" : armed ? "armed (irq " + doorbell + ")" : "not armed";
            List<Long> all = new ArrayList<>();
            List<Long> pending = new ArrayList<>();
            long bits = vpe.getLong("vpt_pending");
            for (KObject v : Vgic.vlpisOf(w, vcpu)) {
                all.add(v.getLong("intid"));
                if ((bits & (1L << v.getLong("bit"))) != 0) pending.add(v.getLong("intid"));
            }
            String thread = "-";
            String state = "no thread has run it yet";
            if (vcpu.get("pid") instanceof Value.Ref r) {
                KObject ts = w.object(r.id());
                thread = comm(ts) + " (pid " + ts.getLong("pid") + ")";
                state = threadState(w, ts);
            }
            long mode = vcpu.getLong("mode");
            String modeText = mode == w.program().constant("IN_GUEST_MODE") ? "in guest"
                : mode == w.program().constant("EXITING_GUEST_MODE") ? "exiting guest" : "host";
            long inWfiFlag = w.program().constant("IN_WFI");
            long inWfi515 = w.program().constant("KVM_ARM64_VCPU_IN_WFI");
            boolean inWfi = (vcpu.getLong("sflags") & inWfiFlag) != 0 || (vcpu.getLong("flags") & inWfi515) != 0;
            vcpus.add(new VCpu(vcpu.name(), "vpe" + vpe.getLong("vpe_id"), thread, state, modeText, inWfi, st, resident,
                vpe.getBool("ready"), vpe.getBool("pending_last"), doorbell, dbCpu, db, pending, all, vcpu.getLong("guest_vlpis")));
        }
        List<Device> devices = new ArrayList<>();
        if (events != null) for (var e : events.values()) devices.add(new Device(e.name(), e.description(), w.budget(e.name())));
        return new VgicSnapshot(v41, cpus, vcpus, devices);
    }

    private static String comm(KObject ts) {
        return ts.text("comm");
    }

    /** "running on cpu0", "runnable on cpu0", "sleeping in kvm_vcpu_block (TASK_INTERRUPTIBLE)", "exited". */
    static String threadState(World w, KObject ts) {
        Task t = w.taskOfObject(ts.id());
        if (t == null) return "?";
        long state = ts.getLong("__state");
        for (int c = 0; c < w.cpuCount(); c++) if (w.cpu(c).current() == t.index()) {
            return state == w.program().constant("TASK_RUNNING") ? "running on cpu" + c
                : "on cpu" + c + ", going to sleep (" + stateName(w, state) + ")";
        }
        if (state == w.program().constant("TASK_DEAD")) return "exited";
        if (ts.getLong("on_rq") != 0) return "runnable, waiting for cpu" + ts.getLong("cpu");
        String where = "schedule";
        List<Frame> st = t.stack();
        for (int i = st.size() - 1; i >= 0; i--) {
            String fn = st.get(i).function().name();
            if (!fn.equals("schedule") && !fn.equals("__schedule")) {
                where = fn;
                break;
            }
        }
        return "sleeping in " + where + " (" + stateName(w, state) + ")";
    }

    private static String stateName(World w, long s) {
        if (s == w.program().constant("TASK_INTERRUPTIBLE")) return "TASK_INTERRUPTIBLE";
        if (s == w.program().constant("TASK_UNINTERRUPTIBLE")) return "TASK_UNINTERRUPTIBLE";
        return "0x" + Long.toHexString(s);
    }
}
