package kstep.lock;

import kstep.engine.Builtins;
import kstep.engine.Exec;
import kstep.engine.KObject;
import kstep.engine.KernelText;
import kstep.engine.PreemptCount;
import kstep.engine.Task;

/**
 * Sleeping where the kernel must not: might_sleep() (kernel/sched/core.c __might_sleep / __might_resched,
 * and ___might_sleep before v5.17) and schedule()'s schedule_debug() ("scheduling while atomic"). The
 * reports follow the kernel's text for the variant's version.
 */
public final class SleepChecks {
    private SleepChecks() { }

    public static void register(Builtins b) {
        b.proc("might_sleep", 0, "complain if the context cannot sleep", (x, a) -> check(x, x.pos().file(), x.pos().line()));
        b.proc("might_sleep_if", 1, "might_sleep() when the condition holds", (x, a) -> {
            if (a.b(0)) check(x, x.pos().file(), x.pos().line());
        });
        b.proc("__might_sleep", 2, "might_sleep() reporting the kernel's FILE:LINE", (x, a) -> check(x, a.str(0), (int) a.l(1)));
        b.proc("schedule_debug", 1, "schedule() must not run in atomic context", (x, a) -> scheduleDebug(x, a.obj(0)));
    }

    /**
     * __might_sleep(): silent when preempt_count (plus the RCU nesting) is 0, interrupts are on, the task is
     * not the idle task and not in a non-blocking section; else the report, at most once (the kernel rate
     * limits it to once a second).
     */
    public static void check(Exec x, String file, int line) {
        KObject me = x.currentTaskStruct();
        Task t = x.task();
        if (me.getLong("__state") != x.program().constant("TASK_RUNNING")) {
            x.findingOnce("blocking-not-running:" + x.pos(), "warning", KernelText.warning(x, "do not call blocking ops when "
                + "!TASK_RUNNING; state=" + Long.toHexString(me.getLong("__state")) + " set at " + t.stateSetAt(), "kernel/sched/core.c", "__might_sleep"));
            x.taintWarn();
        }
        int pc = x.cpu().preemptCount();
        int rcu = Rcu.depth(x);
        boolean modern = x.config().atLeast(5, 17);
        int nested = modern ? pc + (rcu << 8) : pc + rcu;
        if (nested == 0 && !x.cpu().irqsDisabled() && !t.isIdle() && me.getLong("non_block_count") == 0) return;
        if (x.world().wasReported("might-sleep")) return;
        StringBuilder b = new StringBuilder();
        b.append("BUG: sleeping function called from invalid context at ").append(file).append(':').append(line).append('\n');
        b.append("in_atomic(): ").append(pc != 0 ? 1 : 0).append(", irqs_disabled(): ").append(x.cpu().irqsDisabled() ? 1 : 0)
            .append(", non_block: ").append(me.getLong("non_block_count")).append(", pid: ").append(me.getLong("pid"))
            .append(", name: ").append(me.text("comm")).append('\n');
        if (modern) {
            b.append("preempt_count: ").append(Integer.toHexString(pc)).append(", expected: 0\n");
            if (x.config().preemptRcu()) b.append("RCU nest depth: ").append(rcu).append(", expected: 0\n");
        }
        b.append(held(x));
        if (x.cpu().irqsDisabled()) b.append(IrqTraceText.events(t.irqTrace()));
        // print_preempt_disable_ip() compares preempt_count alone; ___might_sleep() compared it plus the RCU depth
        if (modern ? pc != 0 : nested != 0) b.append("Preemption disabled at:\n").append(t.preemptDisableIp()).append('\n');
        b.append(KernelText.dumpStack(x));
        x.findingOnce("might-sleep", "sleep-in-atomic", b.toString());
        x.taintWarn();
    }

    /** debug_show_held_locks(): nothing without lockdep, a notice once lockdep has turned itself off. */
    private static String held(Exec x) {
        LockdepState s = x.world().ext(LockdepState.KEY, LockdepState.class);
        if (s == null || !x.config().lockdep()) return "";
        if (!s.debugLocks()) return "INFO: lockdep is turned off.\n";
        return LockdepReport.heldLocks(x.config(), x.world(), s, x.currentTaskStruct());
    }

    /** schedule_debug(): __schedule() with preempt_count other than its own preempt_disable(). */
    static void scheduleDebug(Exec x, KObject prev) {
        int pc = x.cpu().preemptCount();
        if ((pc & ~PreemptCount.PREEMPT_NEED_RESCHED) == PreemptCount.PREEMPT_OFFSET) return;
        if (x.task().isIdle()) return;
        StringBuilder b = new StringBuilder();
        b.append("BUG: scheduling while atomic: ").append(prev.text("comm")).append('/').append(prev.getLong("pid"))
            .append("/0x").append(String.format("%08x", pc)).append('\n');
        b.append(held(x));
        b.append("Modules linked in:\n");
        if (x.cpu().irqsDisabled()) b.append(IrqTraceText.events(x.task().irqTrace()));
        b.append("Preemption disabled at:\n").append(x.task().preemptDisableIp()).append('\n');
        b.append(KernelText.dumpStack(x));
        x.findingOnce("scheduling-while-atomic:" + prev.getLong("pid"), "scheduling-while-atomic", b.toString());
        x.taintWarn();
    }
}
