package kstep.lock;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import kstep.engine.KObject;
import kstep.engine.Task;
import kstep.engine.Value;
import kstep.engine.World;

/**
 * The locks of a World as the lock-holders view lists them: each lock that is held, waited for, or known to
 * lockdep, with its holder, where it was taken, and its waiters in queue order (sleeping), then the CPUs
 * spinning on it.
 */
public record LockTable(List<Row> rows) {
    static final Set<String> LOCK_TYPES = Set.of("spinlock", "raw_spinlock", "rwlock", "mutex", "rw_semaphore", "semaphore");

    /**
     * One lock. {@code holders} is empty when it is free; {@code takenAt} is "function file:line" per holder;
     * {@code count} is a semaphore's count (it has no owner to show), else null.
     */
    public record Row(String object, String name, String type, List<String> holders, List<String> takenAt,
                      List<String> waiters, boolean held, Long count) { }

    public static LockTable of(World w) {
        LockdepState s = w.ext(LockdepState.KEY, LockdepState.class);
        List<Row> rows = new ArrayList<>();
        for (int id = 1; id <= w.objectCount(); id++) {
            KObject l = w.object(id);
            String type = l.type().name();
            // rcu_read_lock's map is a lock only while someone is inside a read-side section
            boolean map = type.equals("lockdep_map") && s != null && s.classOf(id) >= 0 && s.used(s.classOf(id));
            if (!LOCK_TYPES.contains(type) && !map) continue;
            List<String> holders = new ArrayList<>();
            List<String> takenAt = new ArrayList<>();
            for (Task t : DeadlockCheck.holders(w, l)) {
                KObject ts = w.taskStruct(t);
                holders.add(ts.text("comm") + " (pid " + ts.getLong("pid") + ", cpu" + ts.getLong("cpu") + ")");
                if (s != null) for (Held h : s.held(ts.id())) if (h.lock() == id) takenAt.add(h.fn() + " " + h.at().fileLine());
            }
            List<String> waiters = new ArrayList<>();
            if (l.type().field("wait_list") != null && l.get("wait_list") instanceof Value.Seq q) {
                for (Value v : q.items()) {
                    KObject ts = w.object(((Value.Ref) v).id());
                    waiters.add(ts.text("comm") + (ts.getBool("wait_read") ? " (reader, sleeping)" : " (sleeping)"));
                }
            }
            for (Task t : w.tasks()) {
                KObject ts = w.taskStruct(t);
                if (ts.get("blocked_on").equals(new Value.Ref(id)) && !t.stack().isEmpty() && t.top().waiting())
                    waiters.add(ts.text("comm") + " (spinning on cpu" + ts.getLong("cpu") + ")");
            }
            boolean known = s != null && s.classOf(id) >= 0;
            Long count = type.equals("semaphore") ? l.getLong("count") : null;
            // a lock nobody has used yet is left out; one used and released stays, shown free. Semaphores, which
            // lockdep does not track, always show their count.
            boolean used = known && s.used(s.classOf(id)) || count != null;
            if (!used && holders.isEmpty() && waiters.isEmpty()) continue;
            String name = known ? s.classes().get(s.classOf(id)).name() : l.name();
            rows.add(new Row(l.name(), name, type, holders, takenAt, waiters, !holders.isEmpty(), count));
        }
        rows.sort((a, b) -> Boolean.compare(b.held(), a.held()));
        return new LockTable(rows);
    }

    /** The field names whose change means a lock was taken or released (for "held since step N"). */
    public static boolean isHoldField(String field) {
        return field != null && (field.equals("owner") || field.equals("locked") || field.equals("readers") || field.equals("count"));
    }
}
