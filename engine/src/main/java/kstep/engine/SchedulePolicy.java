package kstep.engine;

import java.util.List;

/** Decides the next choice of a run: a scenario's script, a list of choices, a seeded random walk. */
public interface SchedulePolicy {
    /** The next choice among {@code enabled} (never empty), or null to stop. */
    Choice next(World w, List<Choice> enabled, Machine m);

    /** Sees what the chosen step did (scripts stop "until" on it). */
    default void observe(StepResult r, World after) { }

    /** A note for the step about to be taken (a skipped script line), or null. */
    default String takeNote() {
        return null;
    }

    /** A note for the step just taken (the teacher's note of the script line it completed), or null. */
    default String takeClosingNote() {
        return null;
    }
}
