package kstep.lock;

import kstep.engine.Builtin;
import kstep.engine.Builtins;
import kstep.engine.Exec;
import kstep.engine.KObject;
import kstep.engine.KernelText;
import kstep.engine.PreemptCount;
import kstep.engine.SchedBuiltins;
import kstep.engine.Value;

/**
 * The lock primitives the models call. Spinning locks (spinlock_t, raw_spinlock_t, rwlock_t) are whole
 * builtins in all their forms (plain, _irq, _irqsave, _bh, trylock): they disable what the form disables,
 * tell lockdep, and take the lock or spin on the statement until it is free. The sleeping locks are model
 * code (lock/mutex.kc) calling the atomic steps here. Every acquisition is recorded for lockdep and the views.
 */
public final class LockBuiltins {
    private LockBuiltins() { }

    /** What a form disables before taking the lock, and re-enables after releasing it. */
    private enum Form {
        PLAIN(""), IRQ("_irq"), IRQSAVE("_irqsave"), BH("_bh");

        final String suffix;

        Form(String suffix) {
            this.suffix = suffix;
        }
    }

    /** spin, raw_spin: exclusive; read, write: an rwlock's shared and exclusive sides. */
    private enum Kind {
        SPIN("spin", 0), RAW("raw_spin", 0), READ("read", 2), WRITE("write", 0);

        final String prefix;
        final int lockdepRead;

        Kind(String prefix, int lockdepRead) {
            this.prefix = prefix;
            this.lockdepRead = lockdepRead;
        }
    }

    public static void register(Builtins b) {
        for (Kind k : Kind.values()) {
            for (Form f : Form.values()) {
                int arity = f == Form.IRQSAVE ? 2 : 1;
                String lockName = k.prefix + "_lock" + f.suffix;
                b.put(new Builtin(lockName, arity, f == Form.IRQSAVE ? 0b10 : 0, (x, a) -> lock(x, a, k, f),
                    (x, a) -> available(a.obj(0), k), doc(k, f, true)));
                String unlockName = k.prefix + "_unlock" + (f == Form.IRQSAVE ? "_irqrestore" : f.suffix);
                b.proc(unlockName, arity, doc(k, f, false), (x, a) -> unlock(x, a, k, f));
            }
            b.add(k.prefix + "_trylock", 1, "take the lock if it is free: 1, else 0", (x, a) -> trylock(x, a.obj(0), k));
        }
        for (String init : new String[] {"spin_lock_init", "raw_spin_lock_init", "rwlock_init", "mutex_init", "init_rwsem"}) {
            b.proc(init, 1, "initialise a lock; lockdep gives it the class of this place", (x, a) -> initLock(x, a.obj(0), a.text(0)));
        }
        b.proc("sema_init", 2, "initialise a semaphore with count val", (x, a) -> {
            x.setField(a.obj(0), "count", Value.of(a.l(1)));
            x.setField(a.obj(0), "wait_list", Value.Seq.EMPTY);
        });
        b.add("spin_is_locked", 1, "whether the spinlock is held", (x, a) -> Value.bool(a.obj(0).getLong("locked") != 0));
        b.add("mutex_is_locked", 1, "whether the mutex is held", (x, a) -> Value.bool(a.obj(0).get("owner") != Value.Nil.NULL));
        SleepingLocks.register(b);
        Rcu.register(b);
    }

    private static String doc(Kind k, Form f, boolean lock) {
        String what = switch (f) {
            case IRQ -> "local interrupts";
            case IRQSAVE -> "local interrupts (state saved in flags)";
            case BH -> "softirqs";
            default -> "";
        };
        if (lock) return (what.isEmpty() ? "" : "disable " + what + ", ") + "disable preemption, take the lock (spin while held)";
        return "release the lock, enable preemption" + (what.isEmpty() ? "" : ", restore " + what);
    }

    static void initLock(Exec x, KObject l, String text) {
        Lockdep.init(x, l, text == null ? l.name() : text, x.pos().toString() + " " + text);
    }

    private static boolean available(KObject l, Kind k) {
        return switch (k) {
            case READ -> l.get("owner") == Value.Nil.NULL;
            case WRITE -> l.get("owner") == Value.Nil.NULL && l.getLong("readers") == 0;
            default -> l.getLong("locked") == 0;
        };
    }

    private static Value lock(Exec x, Builtin.Args a, Kind k, Form f) {
        KObject l = a.obj(0);
        KObject me = x.currentTaskStruct();
        if (!a.resumed()) {
            switch (f) {
                case IRQ -> x.setIrqsDisabled(true);
                case IRQSAVE -> {
                    a.out(1, Value.bool(x.cpu().irqsDisabled()));
                    x.setIrqsDisabled(true);
                }
                default -> { }
            }
            // __raw_spin_lock_bh(): one __local_bh_disable_ip(SOFTIRQ_LOCK_OFFSET) covers both
            x.setPreemptCount(x.cpu().preemptCount() + PreemptCount.PREEMPT_OFFSET + (f == Form.BH ? PreemptCount.SOFTIRQ_DISABLE_OFFSET : 0));
            Lockdep.acquire(x, l, k.lockdepRead, false);
            if (k != Kind.READ && l.get("owner").equals(new Value.Ref(me.id())))
                SpinDebug.bug(x, l, "recursion");
            if (!available(l, k)) {
                x.setField(me, "blocked_on", new Value.Ref(l.id()));
                KObject owner = l.get("owner") instanceof Value.Ref r ? x.world().object(r.id()) : null;
                x.note(l.name(), "cpu" + x.cpuId() + " spins on " + l.name()
                    + (owner == null ? " (read-locked)" : " held by " + owner.text("comm") + " on cpu" + l.getLong("owner_cpu")));
                x.park();
                return Value.ZERO;
            }
        } else {
            x.setField(me, "blocked_on", Value.Nil.NULL);
        }
        take(x, l, k, me);
        return Value.ZERO;
    }

    private static void take(Exec x, KObject l, Kind k, KObject me) {
        if (k == Kind.READ) {
            x.setField(l, "readers", Value.of(l.getLong("readers") + 1));
            return;
        }
        if (k != Kind.WRITE) x.setField(l, "locked", Value.ONE);
        x.setField(l, "owner", new Value.Ref(me.id()));
        x.setField(l, "owner_cpu", Value.of(x.cpuId()));
    }

    private static Value trylock(Exec x, KObject l, Kind k) {
        if (!available(l, k)) return Value.ZERO;
        x.setPreemptCount(x.cpu().preemptCount() + PreemptCount.PREEMPT_OFFSET);
        Lockdep.acquire(x, l, k.lockdepRead, true);
        take(x, l, k, x.currentTaskStruct());
        return Value.ONE;
    }

    private static void unlock(Exec x, Builtin.Args a, Kind k, Form f) {
        KObject l = a.obj(0);
        KObject me = x.currentTaskStruct();
        Lockdep.release(x, l);
        if (k == Kind.READ) {
            if (l.getLong("readers") == 0) SpinDebug.bug(x, l, "already unlocked");
            else x.setField(l, "readers", Value.of(l.getLong("readers") - 1));
        } else {
            boolean held = k == Kind.WRITE ? l.get("owner") != Value.Nil.NULL : l.getLong("locked") != 0;
            if (!held) SpinDebug.bug(x, l, "already unlocked");
            else if (!l.get("owner").equals(new Value.Ref(me.id()))) SpinDebug.bug(x, l, "wrong owner");
            else if (l.getLong("owner_cpu") != x.cpuId()) SpinDebug.bug(x, l, "wrong CPU");
            if (k != Kind.WRITE) x.setField(l, "locked", Value.ZERO);
            x.setField(l, "owner", Value.Nil.NULL);
            x.setField(l, "owner_cpu", Value.of(-1));
        }
        // CONFIG_DEBUG_PREEMPT's preempt_count_sub() refuses to underflow, and says so
        if ((x.cpu().preemptCount() & PreemptCount.PREEMPT_MASK) == 0)
            x.findingOnce("preempt-underflow", "warning", KernelText.warning(x, "DEBUG_LOCKS_WARN_ON(val > preempt_count())", "kernel/sched/core.c", "preempt_count_sub"));
        else x.setPreemptCount(x.cpu().preemptCount() - PreemptCount.PREEMPT_OFFSET - (f == Form.BH ? PreemptCount.SOFTIRQ_DISABLE_OFFSET : 0));
        switch (f) {
            case IRQ -> x.setIrqsDisabled(false);
            case IRQSAVE -> x.setIrqsDisabled(a.b(1));
            default -> { }
        }
    }

    /** Wakes {@code t} (a sleeping waiter); used by the sleeping locks. */
    static void wake(Exec x, Value t) {
        if (t instanceof Value.Ref r) SchedBuiltins.wakeUp(x, x.world().object(r.id()));
    }
}
