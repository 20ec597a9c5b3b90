package kstep.lock;

import kstep.engine.Builtins;
import kstep.engine.Exec;
import kstep.engine.KObject;
import kstep.engine.KernelConfig;
import kstep.engine.PreemptCount;
import kstep.engine.Value;

/**
 * RCU read-side sections (include/linux/rcupdate.h): with CONFIG_PREEMPT_RCU, rcu_read_lock() counts in
 * current->rcu_read_lock_nesting and the task stays preemptible; without it, it disables preemption. Either
 * way lockdep sees the rcu_read_lock pseudo-lock held, and might_sleep() complains inside.
 */
final class Rcu {
    /** The object lockdep's rcu_lock_map stands for. */
    static final String MAP = "rcu_read_lock";

    private Rcu() { }

    static void register(Builtins b) {
        b.proc("rcu_read_lock", 0, "enter an RCU read-side critical section", (x, a) -> {
            if (x.config().preempt() == KernelConfig.Preempt.FULL) nesting(x, +1);
            else x.setPreemptCount(x.cpu().preemptCount() + PreemptCount.PREEMPT_OFFSET);
            Lockdep.acquireUnchecked(x, map(x), 2);
        });
        b.proc("rcu_read_unlock", 0, "leave the RCU read-side critical section", (x, a) -> {
            Lockdep.release(x, map(x));
            if (x.config().preempt() == KernelConfig.Preempt.FULL) nesting(x, -1);
            else x.setPreemptCount(x.cpu().preemptCount() - PreemptCount.PREEMPT_OFFSET);
        });
        b.add("rcu_read_lock_held", 0, "whether current is in an RCU read-side critical section",
            (x, a) -> Value.bool(depth(x) > 0 || (x.config().preempt() != KernelConfig.Preempt.FULL && x.cpu().preemptCount() != 0)));
    }

    static KObject map(Exec x) {
        KObject m = x.world().named(MAP);
        if (m == null) throw x.error("the rcu_read_lock lockdep map is missing (the lock subsystem sets it up)");
        return m;
    }

    /** rcu_preempt_depth(): the read-side nesting of the current task (0 without CONFIG_PREEMPT_RCU). */
    static int depth(Exec x) {
        KObject me = x.currentTaskStruct();
        return me == null ? 0 : (int) me.getLong("rcu_read_lock_nesting");
    }

    private static void nesting(Exec x, int d) {
        KObject me = x.currentTaskStruct();
        long n = me.getLong("rcu_read_lock_nesting") + d;
        if (n < 0) throw x.error("rcu_read_unlock() without rcu_read_lock()");
        x.setField(me, "rcu_read_lock_nesting", Value.of(n));
    }
}
