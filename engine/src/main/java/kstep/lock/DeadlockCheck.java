package kstep.lock;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kstep.engine.Check;
import kstep.engine.Exec;
import kstep.engine.Frame;
import kstep.engine.KObject;
import kstep.engine.KernelText;
import kstep.engine.Task;
import kstep.engine.Value;
import kstep.engine.World;

/**
 * {@code deadlock}: tasks that wait for locks held by each other, round a cycle (an interrupt handler spinning
 * on a lock its own interrupted task holds is a cycle of one). Nothing in the cycle can ever run again. The
 * kernel only notices later, through the hung-task detector (sleepers) or the soft-lockup watchdog
 * (spinners); kstep prints those reports and the cycle.
 */
final class DeadlockCheck implements Check {
    @Override
    public void check(Exec x) {
        World w = x.world();
        if (w.wasReported("deadlock")) return;
        for (Task t : w.tasks()) {
            List<Task> cycle = cycleFrom(w, t);
            if (cycle != null) {
                x.findingOnce("deadlock", "deadlock", message(x, w, cycle));
                return;
            }
        }
    }

    /** The lock task {@code t} cannot get past, or null if it is not stuck on one. */
    static KObject waitsFor(World w, Task t) {
        KObject ts = w.taskStruct(t);
        if (!(ts.get("blocked_on") instanceof Value.Ref r)) return null;
        boolean spinning = !t.stack().isEmpty() && t.top().waiting();
        boolean sleeping = ts.getLong("__state") != w.program().constant("TASK_RUNNING") && ts.getLong("on_rq") == 0;
        return spinning || sleeping ? w.object(r.id()) : null;
    }

    /**
     * The tasks holding lock {@code l}: its owner; for a lock held shared (rwlock readers, rw_semaphore
     * readers), the tasks whose held-lock lists have it and that are not still waiting for it (lockdep lists
     * a lock from the moment a task asks for it).
     */
    static List<Task> holders(World w, KObject l) {
        List<Task> out = new ArrayList<>();
        if (l.type().field("owner") != null && l.get("owner") instanceof Value.Ref r) {
            Task t = w.taskOfObject(r.id());
            if (t != null) out.add(t);
            return out;
        }
        if (l.type().field("holders") != null && l.get("holders") instanceof Value.Seq hs) {
            for (Value v : hs.items()) {
                Task t = w.taskOfObject(((Value.Ref) v).id());
                if (t != null && !out.contains(t)) out.add(t);
            }
            return out;
        }
        boolean shared = l.type().field("readers") != null ? l.getLong("readers") > 0
            : l.type().name().equals("rw_semaphore") && l.getLong("count") > 0;
        LockdepState s = w.ext(LockdepState.KEY, LockdepState.class);
        if (!shared || s == null) return out;
        for (Map.Entry<Integer, List<Held>> e : s.allHeld().entrySet()) {
            KObject ts = w.object(e.getKey());
            Task t = w.taskOfObject(e.getKey());
            if (t == null || ts.get("blocked_on").equals(new Value.Ref(l.id()))) continue;
            for (Held h : e.getValue()) if (h.lock() == l.id() && !out.contains(t)) out.add(t);
        }
        return out;
    }

    private static List<Task> cycleFrom(World w, Task start) {
        Set<Task> path = new LinkedHashSet<>();
        Task t = start;
        while (t != null && !path.contains(t)) {
            path.add(t);
            KObject l = waitsFor(w, t);
            if (l == null) return null;
            Task next = null;
            for (Task h : holders(w, l)) {
                if (h == t && !selfWait(t)) continue;
                next = h;
                break;
            }
            t = next;
        }
        if (t == null || t != start) return null;
        return new ArrayList<>(path);
    }

    /** A task waits on itself only from an interrupt or softirq frame above the code that holds the lock. */
    private static boolean selfWait(Task t) {
        for (Frame f : t.stack()) if (f.kind() == Frame.Kind.IRQ || f.kind() == Frame.Kind.SOFTIRQ) return true;
        return false;
    }

    private static String message(Exec x, World w, List<Task> cycle) {
        StringBuilder b = new StringBuilder();
        for (Task t : cycle) {
            KObject ts = w.taskStruct(t);
            String comm = ts.text("comm");
            long pid = ts.getLong("pid");
            if (!t.stack().isEmpty() && t.top().waiting()) {
                int cpu = (int) ts.getLong("cpu");
                b.append("watchdog: BUG: soft lockup - CPU#").append(cpu).append(" stuck for 22s! [").append(comm).append(':').append(pid).append("]\n");
            } else {
                b.append("INFO: task ").append(comm).append(':').append(pid).append(" blocked for more than 120 seconds.\n");
                b.append("      ").append(KernelText.tainted(w)).append(' ').append(KernelText.release(x.config())).append(" #1\n");
                b.append("\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n");
                b.append(String.format("task:%-15s state:D stack:0     pid:%-5d ppid:1      flags:0x00000008%n", comm, pid));
            }
            b.append("Call trace:\n");
            for (String f : KernelText.callTrace(t)) b.append(' ').append(f).append('\n');
        }
        b.append("kstep: deadlock: ");
        for (int i = 0; i < cycle.size(); i++) {
            Task t = cycle.get(i);
            Task next = cycle.get((i + 1) % cycle.size());
            KObject ts = w.taskStruct(t);
            if (i > 0) b.append("; ");
            b.append(ts.text("comm")).append(" (pid ").append(ts.getLong("pid")).append(") waits for ")
                .append(lockName(w, waitsFor(w, t))).append(" held by ").append(w.taskStruct(next).text("comm"));
        }
        return b.append('\n').toString();
    }

    static String lockName(World w, KObject l) {
        LockdepState s = w.ext(LockdepState.KEY, LockdepState.class);
        int c = s == null ? -1 : s.classOf(l.id());
        return c < 0 ? l.name() : s.classes().get(c).name();
    }
}
