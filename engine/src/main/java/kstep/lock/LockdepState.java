package kstep.lock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import kstep.engine.Extension;
import kstep.engine.StateHash;

/**
 * The lock subsystem's state beside the heap: every task's held locks (always kept, for the views and the
 * deadlock check), lockdep's classes, the usage bits of each class and the dependency graph. Where a usage
 * or a dependency was first seen is kept for the reports but left out of the state hash, so exploring does
 * not tell apart states that only differ in that history.
 */
public final class LockdepState implements Extension {
    public static final String KEY = "lockdep";

    /** debug_locks: lockdep turns itself off after its first report. */
    boolean debugLocks = true;
    final ArrayList<LockClass> classes = new ArrayList<>();
    final HashMap<String, Integer> classByKey = new HashMap<>();
    final TreeMap<Integer, Integer> classOfLock = new TreeMap<>();
    final ArrayList<Integer> usage = new ArrayList<>();
    final ArrayList<String[]> usageAt = new ArrayList<>();
    /** from-class << 32 | to-class, in the order first recorded. */
    final TreeMap<Long, Dependency> deps = new TreeMap<>();
    final TreeMap<Integer, List<Held>> held = new TreeMap<>();
    /** The classes of the circular dependency lockdep reported, closing edge included (for the graph view). */
    final ArrayList<Integer> reportedCycle = new ArrayList<>();

    /** Where a dependency was first recorded: the lock held, the lock taken, by whom. */
    public record Dependency(int from, int to, Held prev, Held next, String task, int seq) { }

    @Override
    public LockdepState copy() {
        LockdepState c = new LockdepState();
        c.debugLocks = debugLocks;
        c.classes.addAll(classes);
        c.classByKey.putAll(classByKey);
        c.classOfLock.putAll(classOfLock);
        c.usage.addAll(usage);
        for (String[] a : usageAt) c.usageAt.add(a.clone());
        c.deps.putAll(deps);
        for (Map.Entry<Integer, List<Held>> e : held.entrySet()) c.held.put(e.getKey(), new ArrayList<>(e.getValue()));
        c.reportedCycle.addAll(reportedCycle);
        return c;
    }

    @Override
    public void hashInto(StateHash.Sink h) {
        h.add(debugLocks ? 1 : 0);
        h.add(classes.size());
        for (LockClass c : classes) h.add(c.key());
        for (Map.Entry<Integer, Integer> e : classOfLock.entrySet()) {
            h.add(e.getKey());
            h.add(e.getValue());
        }
        for (int u : usage) h.add(u);
        for (Long k : deps.keySet()) h.add(k);
        for (Map.Entry<Integer, List<Held>> e : held.entrySet()) {
            h.add(e.getKey());
            for (Held x : e.getValue()) {
                h.add(x.lock());
                h.add(x.read() * 2 + (x.trylock() ? 1 : 0));
                h.add(x.irqContext());
            }
        }
    }

    // ---- reading (views, tests)
    public boolean debugLocks() {
        return debugLocks;
    }

    public List<LockClass> classes() {
        return java.util.Collections.unmodifiableList(classes);
    }

    /** The class of lock object {@code lock}, or -1 if it has none yet. */
    public int classOf(int lock) {
        Integer c = classOfLock.get(lock);
        return c == null ? -1 : c;
    }

    public List<Dependency> dependencies() {
        List<Dependency> l = new ArrayList<>(deps.values());
        l.sort(java.util.Comparator.comparingInt(Dependency::seq));
        return l;
    }

    /** The locks task {@code taskObj} holds, oldest first. */
    public List<Held> held(int taskObj) {
        List<Held> l = held.get(taskObj);
        return l == null ? List.of() : java.util.Collections.unmodifiableList(l);
    }

    public Map<Integer, List<Held>> allHeld() {
        return java.util.Collections.unmodifiableMap(held);
    }

    /** The cycle of the circular-dependency report, as classes next -> ... -> prev (empty when none). */
    public List<Integer> reportedCycle() {
        return java.util.Collections.unmodifiableList(reportedCycle);
    }

    /** lockdep's usage characters of a class ({@code +.+.}). */
    public String usageChars(int cls) {
        return LockdepReport.usageChars(this, cls);
    }

    int usage(int cls) {
        return usage.get(cls);
    }

    /** Whether lockdep has seen class {@code cls} taken (it has usage bits or dependencies). */
    public boolean used(int cls) {
        if (usage.get(cls) != 0) return true;
        for (Long k : deps.keySet()) if ((int) (k >>> 32) == cls || (int) (long) k == cls) return true;
        for (List<Held> hs : held.values()) for (Held h : hs) if (h.cls() == cls) return true;
        return false;
    }
}
