package kstep.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Searches every schedule breadth-first, up to {@code bound} steps, visiting each distinct state once. The
 * first finding reached is at the smallest depth, so its schedule is a shortest one. When the search ends
 * without a finding and without hitting the state limit, the bounded space is exhausted: no schedule of at
 * most {@code bound} steps reaches a finding.
 */
public final class Explorer {
    /**
     * {@code frontierAtBound} counts states at the bound that still had moves; zero means the whole reachable
     * space was covered, not just its first {@code bound} steps.
     */
    public record Result(long exploredStates, long transitions, boolean exhausted, Finding finding, List<Choice> schedule,
                         int depthReached, long frontierAtBound, boolean stateLimitHit, boolean reachedEnd) { }

    /**
     * What the search looks for: a finding (of one kind, or any), or a clean end: a schedule that reaches the
     * end condition with no finding on the way (when none exists, every schedule within the bound reaches a
     * finding first).
     */
    public record Goal(String kind, boolean toEnd) {
        public static Goal finding(String kind) {
            return new Goal(kind, false);
        }

        public static Goal cleanEnd() {
            return new Goal(null, true);
        }

        boolean wants(Finding f) {
            return !toEnd && (kind == null || kind.equals(f.kind()));
        }
    }

    private Explorer() { }

    public static Result explore(Machine m, World initial, int bound, Predicate<World> end, long maxStates) {
        return explore(m, initial, bound, end, maxStates, Goal.finding(null));
    }

    public static Result explore(Machine m, World initial, int bound, Predicate<World> end, long maxStates, Goal goal) {
        if (goal.toEnd() && end == null) throw new IllegalArgumentException("a clean-end search needs the scenario's end condition");
        Set<StateHash> seen = new HashSet<>();
        // Parent links for every visited state, to rebuild the schedule: parent index and choice index.
        IntList parent = new IntList();
        IntList via = new IntList();
        List<Choice> choiceIds = new ArrayList<>();
        Map<Choice, Integer> choiceIndex = new HashMap<>();

        List<World> layer = new ArrayList<>();
        IntList layerIds = new IntList();
        seen.add(StateHash.of(initial));
        parent.add(-1);
        via.add(-1);
        layer.add(initial.copy());
        layerIds.add(0);
        long transitions = 0;
        long frontier = 0;
        int depth = 0;
        if (goal.toEnd() && end.test(initial))
            return new Result(1, 0, false, null, List.of(), 0, 0, false, true);
        while (!layer.isEmpty()) {
            List<World> next = new ArrayList<>();
            IntList nextIds = new IntList();
            for (int i = 0; i < layer.size(); i++) {
                World w = layer.get(i);
                if (end != null && end.test(w)) continue;
                List<Choice> enabled = m.enabled(w);
                if (depth == bound) {
                    if (!enabled.isEmpty()) frontier++;
                    continue;
                }
                for (Choice c : enabled) {
                    World s = w.copy();
                    StepResult r = m.step(s, c, false);
                    transitions++;
                    Integer ci = choiceIndex.get(c);
                    if (ci == null) {
                        ci = choiceIds.size();
                        choiceIds.add(c);
                        choiceIndex.put(c, ci);
                    }
                    Finding wanted = null;
                    for (Finding f : r.findings()) if (wanted == null && goal.wants(f)) wanted = f;
                    if (wanted != null) {
                        List<Choice> schedule = rebuild(parent, via, choiceIds, layerIds.get(i));
                        schedule.add(c);
                        return new Result(parent.size() + 1, transitions, false, wanted.withStep(schedule.size()), schedule,
                            depth + 1, frontier, false, false);
                    }
                    if (goal.toEnd() && !r.findings().isEmpty()) continue; // this path is not clean
                    if (goal.toEnd() && end.test(s)) {
                        List<Choice> schedule = rebuild(parent, via, choiceIds, layerIds.get(i));
                        schedule.add(c);
                        return new Result(parent.size() + 1, transitions, false, null, schedule, depth + 1, frontier, false, true);
                    }
                    if (!seen.add(StateHash.of(s))) continue;
                    parent.add(layerIds.get(i));
                    via.add(ci);
                    if (parent.size() >= maxStates)
                        return new Result(parent.size(), transitions, false, null, List.of(), depth + 1, frontier, true, false);
                    next.add(s);
                    nextIds.add(parent.size() - 1);
                }
            }
            layer = next;
            layerIds = nextIds;
            if (!layer.isEmpty()) depth++;
        }
        return new Result(parent.size(), transitions, true, null, List.of(), depth, frontier, false, false);
    }

    private static List<Choice> rebuild(IntList parent, IntList via, List<Choice> ids, int node) {
        List<Choice> out = new ArrayList<>();
        while (node > 0) {
            out.add(ids.get(via.get(node)));
            node = parent.get(node);
        }
        Collections.reverse(out);
        return out;
    }

    /** A growable int array (the explorer keeps one entry per visited state). */
    static final class IntList {
        private int[] a = new int[1024];
        private int n;

        void add(int v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        int get(int i) {
            return a[i];
        }

        int size() {
            return n;
        }
    }
}
