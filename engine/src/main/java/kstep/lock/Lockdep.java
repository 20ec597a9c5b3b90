package kstep.lock;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import kstep.engine.Exec;
import kstep.engine.KObject;
import kstep.engine.KernelText;
import kstep.engine.PreemptCount;
import kstep.engine.Program;
import kstep.lang.SourcePos;

/**
 * lockdep (kernel/locking/lockdep.c) for kstep's locks: lock classes by initialisation site, usage bits per
 * context, the dependency graph built as locks nest, and the checks that report before anything deadlocks:
 * recursion, a circular dependency, an inconsistent irq usage, a HARDIRQ-safe to -unsafe order. After its
 * first report lockdep turns itself off, as debug_locks_off() does. Held locks are tracked always.
 */
public final class Lockdep {
    // enum lock_usage_bit: for HARDIRQ then SOFTIRQ: USED_IN, USED_IN_READ, ENABLED, ENABLED_READ
    static final int USED_IN_HARDIRQ = 0;
    static final int ENABLED_HARDIRQ = 2;
    static final int USED_IN_SOFTIRQ = 4;
    static final int ENABLED_SOFTIRQ = 6;
    static final int READ = 1;
    static final int DIR = 2;
    /** LOCK_USED and LOCK_USED_READ: the first use, traced but never checked. */
    static final int USED = 8;
    static final String[] USAGE_STR = {"IN-HARDIRQ-W", "IN-HARDIRQ-R", "HARDIRQ-ON-W", "HARDIRQ-ON-R",
        "IN-SOFTIRQ-W", "IN-SOFTIRQ-R", "SOFTIRQ-ON-W", "SOFTIRQ-ON-R", "INITIAL USE", "INITIAL READ USE"};

    private Lockdep() { }

    static LockdepState state(Exec x) {
        return x.ext(LockdepState.KEY, LockdepState.class);
    }

    // ------------------------------------------------------------------ classes
    /** Names the class of a lock a subsystem creates at setup (its kernel code would have initialised it). */
    public static void initAtSetup(kstep.engine.Setup setup, KObject l, String name) {
        LockdepState s = setup.world().ext(LockdepState.KEY, LockdepState.class);
        s.classOfLock.put(l.id(), classId(s, name, "setup:" + name, l));
    }

    /** Registers the class lock {@code l} was initialised with at {@code site}, named as lockdep names it. */
    static void init(Exec x, KObject l, String name, String site) {
        LockdepState s = state(x);
        if (s == null) return;
        s.classOfLock.put(l.id(), classId(s, name, site, l));
    }

    private static int classId(LockdepState s, String name, String key, KObject l) {
        Integer id = s.classByKey.get(key);
        if (id != null) return id;
        s.classes.add(new LockClass(name, key, l.type().name()));
        s.usage.add(0);
        s.usageAt.add(new String[USAGE_STR.length]);
        s.classByKey.put(key, s.classes.size() - 1);
        return s.classes.size() - 1;
    }

    /** The class of {@code l}: from its initialisation, or, for a lock nobody initialised, its static name. */
    static int classOf(Exec x, KObject l) {
        LockdepState s = state(x);
        Integer c = s.classOfLock.get(l.id());
        if (c != null) return c;
        boolean isStatic = false;
        for (Program.Static st : x.program().statics()) if (st.name().equals(l.name())) isStatic = true;
        String name = isStatic ? l.name() : LockNames.guess(l);
        int id = classId(s, name, (isStatic ? "static:" : "object:") + l.name(), l);
        s.classOfLock.put(l.id(), id);
        return id;
    }

    // ------------------------------------------------------------------ acquire / release
    /** Which irq context the CPU is in, as lockdep counts it: 0 task, 1 hardirq, 2 softirq. */
    static int irqContext(Exec x) {
        int pc = x.cpu().preemptCount();
        if ((pc & (PreemptCount.HARDIRQ_MASK | PreemptCount.NMI_MASK)) != 0) return 1;
        if ((pc & PreemptCount.SOFTIRQ_OFFSET) != 0) return 2;
        return 0;
    }

    /**
     * lock_acquire(): records that the current task takes {@code l} ({@code read}: 0 exclusive, 1 shared,
     * 2 recursive read) and runs lockdep's checks. Called before waiting for the lock, as the kernel does.
     * The acquisition site is the statement calling the lock builtin ({@code spin_lock(&l)} in prf_lock()).
     */
    static void acquire(Exec x, KObject l, int read, boolean trylock) {
        acquire(x, l, read, trylock, 0, true);
    }

    /**
     * lock_acquire() with check == 0, as rcu_lock_acquire() calls it: the lock is listed as held, but lockdep
     * neither marks its usage nor records dependencies on it.
     */
    static void acquireUnchecked(Exec x, KObject l, int read) {
        acquire(x, l, read, false, 0, false);
    }

    /**
     * As {@link #acquire(Exec, KObject, int, boolean)} from a lockdep annotation ({@code mutex_acquire()})
     * inside a model lock function: the site is its caller, as the kernel's lock functions pass _RET_IP_.
     */
    static void acquireFromLockFunction(Exec x, KObject l, int read, boolean trylock) {
        acquire(x, l, read, trylock, 1, true);
    }

    private static void acquire(Exec x, KObject l, int read, boolean trylock, int up, boolean check) {
        LockdepState s = state(x);
        if (s == null) return; // a machine set up without the lock subsystem (engine unit tests)
        int cls = classOf(x, l);
        int task = x.currentTaskStruct().id();
        List<String> stack = KernelText.callTrace(x.task());
        List<kstep.engine.Frame> frames = x.task().stack();
        int at = Math.max(0, frames.size() - 1 - up);
        kstep.engine.Frame site = frames.get(at);
        SourcePos pos = at == frames.size() - 1 ? x.pos() : site.function().op(Math.max(0, site.pc() - 1)).pos();
        Held next = new Held(l.id(), cls, read, trylock, site.function().name(), pos, stack.get(Math.min(up, stack.size() - 1)),
            irqContext(x), stack);
        List<Held> held = s.held.computeIfAbsent(task, k -> new ArrayList<>());
        // each check reports and turns lockdep off on failure; the lock is listed as held either way
        if (check && s.debugLocks && x.config().lockdep() && markIrqFlags(x, s, next) && checkDeadlock(x, s, next, held) && !trylock)
            checkPrevsAdd(x, s, next, held);
        held.add(next);
    }

    /** lock_release(): the current task no longer holds {@code l}. */
    static void release(Exec x, KObject l) {
        LockdepState s = state(x);
        if (s == null) return;
        int task = x.currentTaskStruct().id();
        List<Held> held = s.held.computeIfAbsent(task, k -> new ArrayList<>());
        for (int i = held.size() - 1; i >= 0; i--) {
            if (held.get(i).lock() == l.id()) {
                held.remove(i);
                return;
            }
        }
        if (s.debugLocks && x.config().lockdep()) LockdepReport.unlockImbalance(x, s, l);
    }

    // ------------------------------------------------------------------ checks
    /**
     * mark_usage(): the usage bits this acquisition sets, each checked against its exclusive bit, then the
     * first use.
     */
    private static boolean markIrqFlags(Exec x, LockdepState s, Held h) {
        int r = h.read() != 0 ? READ : 0;
        if (!markUsage(x, s, h, r)) return false;
        int first = USED + r;
        if ((s.usage(h.cls()) & (1 << first)) == 0) {
            s.usage.set(h.cls(), s.usage(h.cls()) | (1 << first));
            s.usageAt.get(h.cls())[first] = String.join("\n", KernelText.callTrace(x.task()));
        }
        return true;
    }

    private static boolean markUsage(Exec x, LockdepState s, Held h, int r) {
        int ctx = h.irqContext();
        if (!h.trylock()) {
            if (ctx == 1 && !markLock(x, s, h, USED_IN_HARDIRQ + r)) return false;
            if (ctx == 2 && !markLock(x, s, h, USED_IN_SOFTIRQ + r)) return false;
        }
        if (!x.cpu().irqsDisabled()) {
            if (!markLock(x, s, h, ENABLED_HARDIRQ + r)) return false;
            boolean softirqsEnabled = (x.cpu().preemptCount() & PreemptCount.SOFTIRQ_MASK) == 0;
            if (softirqsEnabled && !markLock(x, s, h, ENABLED_SOFTIRQ + r)) return false;
        }
        return true;
    }

    /** mark_lock() and mark_lock_irq(): set the bit, then validate the class and its dependencies. */
    private static boolean markLock(Exec x, LockdepState s, Held h, int bit) {
        int cls = h.cls();
        int usage = s.usage.get(cls);
        if ((usage & (1 << bit)) != 0) return true;
        s.usage.set(cls, usage | (1 << bit));
        s.usageAt.get(cls)[bit] = String.join("\n", KernelText.callTrace(x.task()));
        int excl = (bit & ~(READ | DIR)) | ((bit & DIR) ^ DIR);
        if ((usage & (1 << excl)) != 0) {
            LockdepReport.inconsistent(x, s, h, excl, bit);
            return false;
        }
        if ((bit & READ) == 0 && (usage & (1 << (excl | READ))) != 0) {
            LockdepReport.inconsistent(x, s, h, excl | READ, bit);
            return false;
        }
        return true;
    }

    /** check_deadlock(): taking a class the task already holds, other than recursive reads. */
    private static boolean checkDeadlock(Exec x, LockdepState s, Held next, List<Held> held) {
        for (Held prev : held) {
            if (prev.cls() != next.cls()) continue;
            if (next.read() == 2 && prev.read() != 0) return true;
            if (next.trylock()) return true;
            LockdepReport.recursive(x, s, prev, next);
            return false;
        }
        return true;
    }

    /** check_prevs_add(): a dependency from the most recent lock held in this context to the new one. */
    private static boolean checkPrevsAdd(Exec x, LockdepState s, Held next, List<Held> held) {
        for (int i = held.size() - 1; i >= 0; i--) {
            Held prev = held.get(i);
            if (prev.irqContext() != next.irqContext()) break;
            if (!checkPrevAdd(x, s, prev, next)) return false;
            if (!prev.trylock()) break;
        }
        return true;
    }

    private static long key(int from, int to) {
        return ((long) from << 32) | to;
    }

    private static boolean checkPrevAdd(Exec x, LockdepState s, Held prev, Held next) {
        if (prev.read() == 2 || next.read() == 2) return true; // recursive readers add no ordering
        List<Integer> path = path(s, next.cls(), prev.cls());
        if (path != null) {
            LockdepReport.circular(x, s, prev, next, path);
            return false;
        }
        if (!checkIrqUsage(x, s, prev, next)) return false;
        long k = key(prev.cls(), next.cls());
        if (!s.deps.containsKey(k)) {
            String task = x.currentTaskStruct().text("comm") + "/" + x.currentTaskStruct().getLong("pid");
            s.deps.put(k, new LockdepState.Dependency(prev.cls(), next.cls(), prev, next, task, s.deps.size()));
        }
        return true;
    }

    /**
     * __bfs_forwards() / __bfs_backwards(): every class reachable from {@code root} along the dependencies (or
     * against them), in breadth-first order, each with its parent towards the root (the root's is -1).
     */
    static java.util.LinkedHashMap<Integer, Integer> bfs(LockdepState s, int root, boolean forwards) {
        java.util.LinkedHashMap<Integer, Integer> parent = new java.util.LinkedHashMap<>();
        ArrayDeque<Integer> q = new ArrayDeque<>();
        q.add(root);
        parent.put(root, -1);
        List<LockdepState.Dependency> deps = s.dependencies();
        while (!q.isEmpty()) {
            int c = q.poll();
            for (LockdepState.Dependency d : deps) {
                int from = forwards ? d.from() : d.to();
                int to = forwards ? d.to() : d.from();
                if (from == c && !parent.containsKey(to)) {
                    parent.put(to, c);
                    q.add(to);
                }
            }
        }
        return parent;
    }

    /** The classes on a shortest dependency path from {@code from} to {@code to}, or null. */
    static List<Integer> path(LockdepState s, int from, int to) {
        Map<Integer, Integer> parent = bfs(s, from, true);
        if (!parent.containsKey(to)) return null;
        List<Integer> out = new ArrayList<>();
        for (int n = to; n != -1; n = parent.get(n)) out.add(0, n);
        return out;
    }

    /**
     * check_irq_usage(): a new dependency prev -> next must not connect a lock taken in an interrupt
     * (HARDIRQ- or SOFTIRQ-safe, found going back from prev) to one taken with that interrupt enabled (unsafe,
     * found going forward from next): the interrupt could then wait for it. Both searches are breadth first,
     * so the nearest such classes are reported.
     */
    private static boolean checkIrqUsage(Exec x, LockdepState s, Held prev, Held next) {
        Map<Integer, Integer> back = bfs(s, prev.cls(), false);
        Map<Integer, Integer> fwd = bfs(s, next.cls(), true);
        for (int state : new int[] {USED_IN_HARDIRQ, USED_IN_SOFTIRQ}) {
            int safe = first(s, back.keySet(), (1 << state) | (1 << (state + READ)));
            if (safe < 0) continue;
            int unsafe = first(s, fwd.keySet(), (1 << (state + DIR)) | (1 << (state + DIR + READ)));
            if (unsafe < 0) continue;
            LockdepReport.badIrqDependency(x, s, prev, next, state, pathTo(back, safe), pathTo(fwd, unsafe));
            return false;
        }
        return true;
    }

    private static int first(LockdepState s, Iterable<Integer> classes, int mask) {
        for (int c : classes) if ((s.usage(c) & mask) != 0) return c;
        return -1;
    }

    /** The BFS path from {@code leaf} back to the root: leaf first. */
    private static List<Integer> pathTo(Map<Integer, Integer> parent, int leaf) {
        List<Integer> out = new ArrayList<>();
        for (int n = leaf; n != -1; n = parent.get(n)) out.add(n);
        return out;
    }

    /** debug_locks_off(): no more lockdep checks or reports. */
    static void off(LockdepState s) {
        s.debugLocks = false;
    }
}
