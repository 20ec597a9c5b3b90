package kstep.lock;

import kstep.engine.Builtin;
import kstep.engine.Builtins;
import kstep.engine.Exec;
import kstep.engine.KObject;
import kstep.engine.PreemptCount;
import kstep.engine.Value;

/**
 * spin_lock / raw_spin_lock and their _irq, _irqsave and _bh forms (kernel/locking/spinlock.c): disable what
 * the form disables, then take the lock. A CPU whose lock is held elsewhere is held back by the guard (it
 * spins), so the scheduler runs the holder instead. Taking a lock one already holds is reported as the
 * spinlock debug code reports it, and the CPU then spins for ever.
 */
public final class SpinlockBuiltins {
    private SpinlockBuiltins() { }

    public static void register(Builtins b) {
        for (String p : new String[] {"spin", "raw_spin"}) {
            b.put(new Builtin(p + "_lock", 1, 0, (x, a) -> lock(x, a.obj(0)), SpinlockBuiltins::free, "disable preemption, take the lock"));
            b.put(new Builtin(p + "_lock_irq", 1, 0, (x, a) -> {
                x.setIrqsDisabled(true);
                return lock(x, a.obj(0));
            }, SpinlockBuiltins::free, "mask local interrupts, disable preemption, take the lock"));
            b.put(new Builtin(p + "_lock_irqsave", 2, 0b10, (x, a) -> {
                a.out(1, Value.bool(x.cpu().irqsDisabled()));
                x.setIrqsDisabled(true);
                return lock(x, a.obj(0));
            }, SpinlockBuiltins::free, "flags = irq state; mask local interrupts, disable preemption, take the lock"));
            b.put(new Builtin(p + "_lock_bh", 1, 0, (x, a) -> {
                x.setPreemptCount(x.cpu().preemptCount() + PreemptCount.SOFTIRQ_DISABLE_OFFSET);
                return lock(x, a.obj(0));
            }, SpinlockBuiltins::free, "disable softirqs, disable preemption, take the lock"));
            b.proc(p + "_unlock", 1, "release the lock, enable preemption", (x, a) -> unlock(x, a.obj(0)));
            b.proc(p + "_unlock_irq", 1, "release the lock, enable preemption, unmask local interrupts", (x, a) -> {
                unlock(x, a.obj(0));
                x.setIrqsDisabled(false);
            });
            b.proc(p + "_unlock_irqrestore", 2, "release the lock, enable preemption, restore the saved irq state", (x, a) -> {
                unlock(x, a.obj(0));
                x.setIrqsDisabled(a.b(1));
            });
            b.proc(p + "_unlock_bh", 1, "release the lock, enable preemption, enable softirqs", (x, a) -> {
                unlock(x, a.obj(0));
                x.setPreemptCount(x.cpu().preemptCount() - PreemptCount.SOFTIRQ_DISABLE_OFFSET);
            });
        }
    }

    private static boolean free(Exec x, Builtin.Args a) {
        KObject l = a.obj(0);
        if (l.getLong("locked") == 0) return true;
        // Our own lock: let the call through once so the recursion is reported; after that, spin.
        return l.get("owner").equals(new Value.Ref(x.currentTaskStruct().id())) && !x.world().wasReported(recursionKey(l));
    }

    private static String recursionKey(KObject l) {
        return "spinlock-recursion:" + l.id();
    }

    private static Value lock(Exec x, KObject l) {
        x.setPreemptCount(x.cpu().preemptCount() + PreemptCount.PREEMPT_OFFSET);
        KObject me = x.currentTaskStruct();
        if (l.getLong("locked") != 0) {
            x.findingOnce(recursionKey(l), "spinlock-recursion", "BUG: spinlock recursion on CPU#" + x.cpuId() + ", "
                + comm(me) + "/" + me.getLong("pid") + "\n lock: " + l.name() + ", .owner: " + comm(me) + "/" + me.getLong("pid")
                + ", .owner_cpu: " + l.getLong("owner_cpu"));
            return Value.ZERO;
        }
        x.setField(l, "locked", Value.ONE);
        x.setField(l, "owner", new Value.Ref(me.id()));
        x.setField(l, "owner_cpu", Value.of(x.cpuId()));
        return Value.ZERO;
    }

    private static void unlock(Exec x, KObject l) {
        KObject me = x.currentTaskStruct();
        if (l.getLong("locked") == 0 || !l.get("owner").equals(new Value.Ref(me.id()))) {
            String what = l.getLong("locked") == 0 ? "already unlocked" : "wrong owner";
            x.finding("spinlock-bug", "BUG: spinlock " + what + " on CPU#" + x.cpuId() + ", " + comm(me) + "/" + me.getLong("pid")
                + "\n lock: " + l.name());
            return;
        }
        x.setField(l, "locked", Value.ZERO);
        x.setField(l, "owner", Value.Nil.NULL);
        x.setField(l, "owner_cpu", Value.of(-1));
        x.setPreemptCount(x.cpu().preemptCount() - PreemptCount.PREEMPT_OFFSET);
    }

    private static String comm(KObject ts) {
        return ts.text("comm");
    }
}
