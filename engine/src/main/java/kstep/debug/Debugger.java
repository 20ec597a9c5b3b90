package kstep.debug;

import java.util.ArrayList;
import java.util.List;

import kstep.scenario.Session;

/**
 * Continue and reverse-continue over a recorded trace: the next (or previous) step where a breakpoint stops,
 * and every step where it does (hit counts). Going back is the same question asked of earlier steps, which the
 * trace answers by replay from its checkpoints; nothing is re-run differently, so it lands where forward would.
 */
public final class Debugger {
    /** Step {@code step} stops at {@code breakpoint} because of {@code why}. */
    public record Hit(int step, Breakpoint breakpoint, String why) { }

    private Debugger() { }

    /** The first step after {@code from} where any of {@code bps} stops, or null. */
    public static Hit next(Session s, List<Breakpoint> bps, int from) {
        for (int n = from + 1; n <= s.length(); n++) {
            Hit h = at(s, bps, n);
            if (h != null) return h;
        }
        return null;
    }

    /** The last step before {@code from} where any of {@code bps} stops (reverse-continue), or null. */
    public static Hit previous(Session s, List<Breakpoint> bps, int from) {
        for (int n = Math.min(from, s.length() + 1) - 1; n >= 1; n--) {
            Hit h = at(s, bps, n);
            if (h != null) return h;
        }
        return null;
    }

    /** Every step where {@code bp} stops, in order. */
    public static List<Hit> all(Session s, Breakpoint bp) {
        List<Hit> out = new ArrayList<>();
        for (int n = 1; n <= s.length(); n++) {
            Hit h = at(s, List.of(bp), n);
            if (h != null) out.add(h);
        }
        return out;
    }

    /** Whether step {@code n} stops at one of {@code bps} (the first that does). */
    public static Hit at(Session s, List<Breakpoint> bps, int n) {
        if (n < 1 || n > s.length() || bps.isEmpty()) return null;
        StepContext c = new StepContext(s, n);
        for (Breakpoint b : bps) {
            String why = b.hit(c);
            if (why != null) return new Hit(n, b, why);
        }
        return null;
    }
}
