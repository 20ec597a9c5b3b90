package kstep.engine;

import java.util.List;
import java.util.function.Predicate;

/** Runs a policy on a machine until it stops, a finding is reached, the end condition holds or a step limit. */
public final class Runner {
    /** Why a run stopped. */
    public enum Outcome {
        /** a check reported a finding */
        FINDING,
        /** the scenario's end condition holds */
        END,
        /** the policy had nothing more to do */
        SCRIPT_DONE,
        /** no CPU can step and nothing can happen */
        QUIESCENT,
        /** the step limit was reached */
        LIMIT
    }

    public record Result(Trace trace, Outcome outcome) { }

    private Runner() { }

    public static Result run(Machine m, World initial, SchedulePolicy policy, Predicate<World> end, int maxSteps,
                             boolean stopAtFinding) {
        Trace t = new Trace(m, initial);
        return new Result(t, resume(t, policy, end, maxSteps, stopAtFinding));
    }

    /** Continues {@code t} with {@code policy}; {@code maxSteps} bounds the trace's total length. */
    public static Outcome resume(Trace t, SchedulePolicy policy, Predicate<World> end, int maxSteps, boolean stopAtFinding) {
        Machine m = t.machine();
        while (true) {
            if (end != null && end.test(t.head())) return Outcome.END;
            if (t.length() >= maxSteps) return Outcome.LIMIT;
            List<Choice> enabled = m.enabled(t.head());
            if (enabled.isEmpty()) return Outcome.QUIESCENT;
            Choice c = policy.next(t.head(), enabled, m);
            if (c == null) return Outcome.SCRIPT_DONE;
            StepResult r = t.append(c, policy.takeNote());
            policy.observe(r, t.head());
            t.addNote(t.length(), policy.takeClosingNote());
            if (stopAtFinding && !r.findings().isEmpty()) return Outcome.FINDING;
        }
    }
}
