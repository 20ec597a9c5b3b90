package kstep.lock;

import java.util.List;

import kstep.engine.Builtins;
import kstep.engine.Exec;
import kstep.engine.KObject;
import kstep.engine.KernelText;
import kstep.engine.Value;

/**
 * The atomic steps of mutexes, rw_semaphores and semaphores, which lock/mutex.kc puts together: the fast
 * path, joining the FIFO wait list (current->blocked_on names the lock), taking the lock as a woken waiter,
 * releasing and finding whom to wake; and lockdep's annotations (mutex_acquire(), rwsem_acquire_read()...).
 */
final class SleepingLocks {
    private SleepingLocks() { }

    static void register(Builtins b) {
        b.proc("mutex_acquire", 1, "lockdep: the task is about to take this mutex", (x, a) -> Lockdep.acquireFromLockFunction(x, a.obj(0), 0, false));
        b.proc("mutex_release", 1, "lockdep: the task releases this mutex", (x, a) -> {
            KObject m = a.obj(0);
            Lockdep.release(x, m);
            if (!m.get("owner").equals(me(x)))
                x.findingOnce("mutex-owner:" + m.id(), "warning",
                    KernelText.warning(x, "DEBUG_LOCKS_WARN_ON(__owner_task(owner) != current)", "kernel/locking/mutex.c", "__mutex_unlock_slowpath"));
        });
        b.add("__mutex_trylock", 1, "the fast path: take the mutex if it is free and nobody waits", (x, a) -> {
            KObject m = a.obj(0);
            if (m.get("owner") != Value.Nil.NULL || waiters(m).items().size() > 0) return Value.ZERO;
            x.setField(m, "owner", me(x));
            return Value.ONE;
        });
        b.add("mutex_trylock", 1, "take the mutex if it is free: 1, else 0", (x, a) -> {
            KObject m = a.obj(0);
            if (m.get("owner") != Value.Nil.NULL || waiters(m).items().size() > 0) return Value.ZERO;
            Lockdep.acquire(x, m, 0, true);
            x.setField(m, "owner", me(x));
            return Value.ONE;
        });
        b.proc("__mutex_add_waiter", 1, "queue current at the tail of the wait list", (x, a) -> addWaiter(x, a.obj(0), false));
        b.add("__mutex_trylock_first", 1, "the first waiter takes the mutex once it is free", (x, a) -> {
            KObject m = a.obj(0);
            if (m.get("owner") != Value.Nil.NULL || !waiters(m).first().equals(me(x))) return Value.ZERO;
            x.setField(m, "owner", me(x));
            return Value.ONE;
        });
        b.proc("__mutex_remove_waiter", 1, "current leaves the wait list", (x, a) -> removeWaiter(x, a.obj(0)));
        b.add("__mutex_unlock", 1, "release the mutex; returns the first waiter, to wake", (x, a) -> {
            KObject m = a.obj(0);
            x.setField(m, "owner", Value.Nil.NULL);
            return waiters(m).first();
        });

        b.proc("rwsem_acquire", 1, "lockdep: the task is about to take this rw_semaphore for writing", (x, a) -> Lockdep.acquireFromLockFunction(x, a.obj(0), 0, false));
        b.proc("rwsem_acquire_read", 1, "lockdep: the task is about to take this rw_semaphore for reading", (x, a) -> Lockdep.acquireFromLockFunction(x, a.obj(0), 1, false));
        b.proc("rwsem_release", 1, "lockdep: the task releases this rw_semaphore", (x, a) -> Lockdep.release(x, a.obj(0)));
        b.add("__down_read_trylock", 1, "take it for reading if no writer holds it and nobody waits", (x, a) -> {
            KObject s = a.obj(0);
            if (s.get("owner") != Value.Nil.NULL || waiters(s).items().size() > 0) return Value.ZERO;
            x.setField(s, "count", Value.of(s.getLong("count") + 1));
            return Value.ONE;
        });
        b.add("__down_write_trylock", 1, "take it for writing if it is free and nobody waits", (x, a) -> {
            KObject s = a.obj(0);
            if (s.get("owner") != Value.Nil.NULL || s.getLong("count") != 0 || waiters(s).items().size() > 0) return Value.ZERO;
            x.setField(s, "owner", me(x));
            return Value.ONE;
        });
        b.add("down_read_trylock", 1, "take it for reading if possible: 1, else 0", (x, a) -> {
            KObject s = a.obj(0);
            if (s.get("owner") != Value.Nil.NULL || waiters(s).items().size() > 0) return Value.ZERO;
            Lockdep.acquire(x, s, 1, true);
            x.setField(s, "count", Value.of(s.getLong("count") + 1));
            return Value.ONE;
        });
        b.add("down_write_trylock", 1, "take it for writing if possible: 1, else 0", (x, a) -> {
            KObject s = a.obj(0);
            if (s.get("owner") != Value.Nil.NULL || s.getLong("count") != 0 || waiters(s).items().size() > 0) return Value.ZERO;
            Lockdep.acquire(x, s, 0, true);
            x.setField(s, "owner", me(x));
            return Value.ONE;
        });
        b.proc("__rwsem_add_waiter", 2, "queue current (as a reader if read) at the tail of the wait list",
            (x, a) -> addWaiter(x, a.obj(0), a.b(1)));
        b.add("__rwsem_trylock_waiter", 1, "a woken waiter takes the semaphore if its turn has come", (x, a) -> {
            KObject s = a.obj(0);
            List<Value> q = waiters(s).items();
            Value me = me(x);
            int at = q.indexOf(me);
            boolean reader = x.currentTaskStruct().getBool("wait_read");
            if (at < 0 || s.get("owner") != Value.Nil.NULL) return Value.ZERO;
            if (reader) {
                for (int i = 0; i < at; i++) if (!x.world().object(((Value.Ref) q.get(i)).id()).getBool("wait_read")) return Value.ZERO;
                x.setField(s, "count", Value.of(s.getLong("count") + 1));
                return Value.ONE;
            }
            if (at != 0 || s.getLong("count") != 0) return Value.ZERO;
            x.setField(s, "owner", me);
            return Value.ONE;
        });
        b.proc("__rwsem_remove_waiter", 1, "current leaves the wait list", (x, a) -> removeWaiter(x, a.obj(0)));
        b.proc("__up_read", 1, "one reader fewer", (x, a) -> {
            KObject s = a.obj(0);
            if (s.getLong("count") == 0) throw x.error("up_read() of an rw_semaphore nobody holds for reading");
            x.setField(s, "count", Value.of(s.getLong("count") - 1));
        });
        b.proc("__up_write", 1, "the writer releases it", (x, a) -> x.setField(a.obj(0), "owner", Value.Nil.NULL));
        b.proc("__downgrade_write", 1, "the writer becomes its only reader", (x, a) -> {
            KObject s = a.obj(0);
            if (!s.get("owner").equals(me(x))) throw x.error("downgrade_write() of an rw_semaphore current does not hold for writing");
            x.setField(s, "owner", Value.Nil.NULL);
            x.setField(s, "count", Value.of(s.getLong("count") + 1));
        });
        b.proc("__rwsem_wake", 1, "wake the first waiter once the semaphore is free (every reader at the head)", (x, a) -> {
            KObject s = a.obj(0);
            if (s.get("owner") != Value.Nil.NULL) return;
            List<Value> q = waiters(s).items();
            if (q.isEmpty()) return;
            KObject first = x.world().object(((Value.Ref) q.get(0)).id());
            if (!first.getBool("wait_read")) {
                if (s.getLong("count") == 0) LockBuiltins.wake(x, q.get(0));
                return;
            }
            for (Value t : q) {
                if (!x.world().object(((Value.Ref) t).id()).getBool("wait_read")) break;
                LockBuiltins.wake(x, t);
            }
        });

        b.add("__down_trylock", 1, "take a slot if the count allows", (x, a) -> {
            KObject s = a.obj(0);
            if (s.getLong("count") <= 0) return Value.ZERO;
            x.setField(s, "count", Value.of(s.getLong("count") - 1));
            semHolders(x, s, true);
            return Value.ONE;
        });
        b.add("down_trylock", 1, "take the semaphore if possible: 0 on success, 1 if not (as the kernel's)", (x, a) -> {
            KObject s = a.obj(0);
            if (s.getLong("count") <= 0) return Value.ONE;
            x.setField(s, "count", Value.of(s.getLong("count") - 1));
            semHolders(x, s, true);
            return Value.ZERO;
        });
        b.proc("__sem_add_waiter", 1, "queue current at the tail of the wait list", (x, a) -> addWaiter(x, a.obj(0), false));
        b.add("__sem_granted", 1, "up() took current off the wait list: it has the slot", (x, a) -> {
            if (waiters(a.obj(0)).items().contains(me(x))) return Value.ZERO;
            x.setField(x.currentTaskStruct(), "blocked_on", Value.Nil.NULL);
            semHolders(x, a.obj(0), true);
            return Value.ONE;
        });
        b.add("__up", 1, "count++ when nobody waits; else dequeue the first waiter, hand it the slot, return it to wake",
            (x, a) -> {
                KObject s = a.obj(0);
                semHolders(x, s, false);
                Value first = waiters(s).first();
                if (first == Value.Nil.NULL) {
                    x.setField(s, "count", Value.of(s.getLong("count") + 1));
                    return Value.Nil.NULL;
                }
                x.setField(s, "wait_list", waiters(s).without(first));
                return first;
            });
    }

    /**
     * The holders kstep keeps for a semaphore: the taker joins; up() removes the caller, or the oldest holder
     * when the caller holds no slot (a semaphore may be released by another task).
     */
    private static void semHolders(Exec x, KObject s, boolean take) {
        if (s.type().field("holders") == null) return;
        Value.Seq h = (Value.Seq) s.get("holders");
        if (take) {
            x.setField(s, "holders", h.with(me(x)));
        } else if (h.items().contains(me(x))) {
            x.setField(s, "holders", h.without(me(x)));
        } else if (h.first() != Value.Nil.NULL) {
            x.setField(s, "holders", h.without(h.first()));
        }
    }

    static Value me(Exec x) {
        return new Value.Ref(x.currentTaskStruct().id());
    }

    static Value.Seq waiters(KObject l) {
        return (Value.Seq) l.get("wait_list");
    }

    private static void addWaiter(Exec x, KObject l, boolean read) {
        KObject me = x.currentTaskStruct();
        x.setField(l, "wait_list", waiters(l).with(me(x)));
        x.setField(me, "blocked_on", new Value.Ref(l.id()));
        x.setField(me, "wait_read", Value.bool(read));
    }

    private static void removeWaiter(Exec x, KObject l) {
        KObject me = x.currentTaskStruct();
        x.setField(l, "wait_list", waiters(l).without(me(x)));
        x.setField(me, "blocked_on", Value.Nil.NULL);
        x.setField(me, "wait_read", Value.ZERO);
    }
}
