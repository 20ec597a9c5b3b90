package kstep.vgic;

import java.util.List;
import java.util.Set;

import kstep.engine.Check;
import kstep.engine.Exec;
import kstep.engine.Frame;
import kstep.engine.KObject;
import kstep.engine.Task;
import kstep.engine.Value;
import kstep.engine.World;

/**
 * {@code lost-wakeup}: a vCPU thread sleeps waiting for an interrupt, a vLPI for it is pending in its vPE's
 * VPT, and nothing will ever wake it: the vPE is not resident, no doorbell is armed, pending or being handled.
 * The kernel prints nothing when this happens (the VM just stops making progress, "VMs occasionally fail to
 * boot"), so the message is kstep's, written in the kernel's vocabulary.
 */
final class LostWakeupCheck implements Check {
    /** Functions a sleeping task sits in that are the scheduler's, not the reason it sleeps. */
    private static final Set<String> SCHED = Set.of("schedule", "__schedule", "preempt_schedule_irq", "cond_resched");

    @Override
    public void check(Exec x) {
        World w = x.world();
        long running = w.program().constant("TASK_RUNNING");
        for (KObject vcpu : Vgic.vcpus(w)) {
            if (!(vcpu.get("pid") instanceof Value.Ref r)) continue;
            KObject ts = w.object(r.id());
            Task t = w.taskOfObject(ts.id());
            if (t == null || ts.getLong("__state") == running || ts.getLong("on_rq") != 0 || isCurrent(w, t)) continue;
            KObject vpe = Vgic.vpeOf(w, vcpu);
            long pending = vpe.getLong("vpt_pending");
            if (pending == 0 || vpe.getBool("resident")) continue;
            int doorbell = (int) vpe.getLong("irq");
            if (x.irqPendingAnywhere(doorbell) || doorbellInFlight(w, doorbell) || doorbellArmed(w, vpe, doorbell)) continue;
            x.findingOnce("lost-wakeup:" + ts.getLong("pid"), "lost-wakeup", message(w, vcpu, vpe, ts, t, pending));
        }
    }

    private static boolean isCurrent(World w, Task t) {
        for (int c = 0; c < w.cpuCount(); c++) if (w.cpu(c).current() == t.index()) return true;
        return false;
    }

    /** A CPU is taking the doorbell interrupt or running its handler, which will kick the vCPU awake. */
    private static boolean doorbellInFlight(World w, int doorbell) {
        for (Task t : w.tasks()) {
            for (Frame f : t.stack()) {
                String fn = f.function().name();
                if (fn.equals("vgic_v4_doorbell_handler") || fn.equals("kvm_vcpu_kick")) return true;
                if (fn.equals(kstep.engine.Machine.IRQ_ENTRY) && f.local(0).equals(Value.of(doorbell))) return true;
            }
        }
        return false;
    }

    private static boolean doorbellArmed(World w, KObject vpe, int doorbell) {
        if (Vgic.v41(w)) {
            KObject host = Redistributor.lastHost(w, vpe);
            return host != null && (Redistributor.vpendbaser(host) & Redistributor.DB) != 0;
        }
        KObject desc = w.irqDesc(doorbell);
        return desc != null && desc.getLong("depth") == 0;
    }

    private static String message(World w, KObject vcpu, KObject vpe, KObject ts, Task t, long pending) {
        String where = "schedule";
        List<Frame> stack = t.stack();
        for (int i = stack.size() - 1; i >= 0; i--) {
            String fn = stack.get(i).function().name();
            if (!SCHED.contains(fn)) {
                where = fn;
                break;
            }
        }
        StringBuilder vlpis = new StringBuilder();
        for (KObject v : Vgic.vlpisOf(w, vcpu)) {
            if ((pending & (1L << v.getLong("bit"))) != 0) {
                if (vlpis.length() > 0) vlpis.append(", ");
                vlpis.append(v.getLong("intid"));
            }
        }
        KObject host = Redistributor.lastHost(w, vpe);
        String reg = host == null ? "never scheduled" : "GICR_VPENDBASER of cpu" + host.getLong("cpu") + ": "
            + Redistributor.describe(Redistributor.vpendbaser(host), Vgic.v41(w));
        String comm = ts.text("comm");
        return "lost wake-up: " + comm + " (pid " + ts.getLong("pid") + ") sleeps in " + where + "() in state "
            + (ts.getLong("__state") == w.program().constant("TASK_INTERRUPTIBLE") ? "TASK_INTERRUPTIBLE" : "0x" + Long.toHexString(ts.getLong("__state")))
            + " while vLPI " + vlpis + " is pending in the VPT of vpe" + vpe.getLong("vpe_id") + "\n"
            + "the vPE is not resident and no doorbell is armed (" + reg + "): nothing will wake " + vcpu.name();
    }
}
