package kstep.debug;

import java.util.List;

import kstep.engine.Choice;
import kstep.engine.Explorer;
import kstep.engine.Finding;
import kstep.scenario.Session;

/**
 * The interleaving game (after The Deadlock Empire): the player is the scheduler and must drive the buggy kernel
 * into its finding. A move is a run of the same choice (switching CPUs, preempting, raising an interrupt or an
 * event starts a new one), so it is compared fairly with the explorer's shortest schedule, counted the same way.
 */
public final class InterleavingGame {
    private final Session session;
    private final String goal;
    private Explorer.Result shortest;

    /** A game on {@code session}, from step 0, to reach a finding of kind {@code goal} (null: any). */
    public InterleavingGame(Session session, String goal) {
        this.session = session;
        this.goal = goal;
        session.jump(0);
        session.replay(List.of());
    }

    /** What the game asks for: the scenario's explore target, else the variant's expected finding. */
    public static String goalOf(Session s) {
        String t = s.scenario().explore().target();
        if (t != null && !t.isBlank()) return t;
        String e = s.instance().variant().expect();
        return e == null || e.equals("none") ? null : e;
    }

    public String goal() {
        return goal;
    }

    /** The player's moves so far: the runs of equal choices in the schedule up to the cursor. */
    public int moves() {
        List<Choice> s = session.trace().schedule();
        return segments(s.subList(0, Math.min(s.size(), session.cursor())));
    }

    /** The finding reached, of the goal's kind, at or before the cursor; null while there is none. */
    public Finding reached() {
        for (Finding f : session.findings())
            if (f.step() <= session.cursor() && (goal == null || goal.equals(f.kind()))) return f;
        return null;
    }

    /** The explorer's shortest schedule to the goal (computed once, on first asking). */
    public Explorer.Result shortest() {
        if (shortest == null) shortest = session.instance().explore(null, Explorer.Goal.finding(goal));
        return shortest;
    }

    /** Runs of equal choices: {@code cpu0 x8, cpu1 x4} is two moves. */
    public static int segments(List<Choice> schedule) {
        int n = 0;
        Choice prev = null;
        for (Choice c : schedule) {
            if (!c.equals(prev)) n++;
            prev = c;
        }
        return n;
    }

    /** Takes {@code c} again and again while it is possible and no finding comes (at most {@code max} steps). */
    public int run(Choice c, int max) {
        int done = 0;
        while (done < max && reached() == null && session.choices().contains(c)) {
            session.choose(c);
            done++;
        }
        return done;
    }

    /** Shows the explorer's schedule instead of the player's, at its finding. */
    public void showShortest() {
        Explorer.Result r = shortest();
        if (r.schedule() == null) return;
        // one choice at a time, as the player makes them: a replay would stop at the first finding of any kind
        session.jump(0);
        session.replay(List.of());
        for (Choice c : r.schedule()) session.choose(c);
        Finding f = reached();
        session.jump(f == null ? session.length() : f.step());
    }
}
