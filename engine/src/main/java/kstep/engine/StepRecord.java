package kstep.engine;

import java.util.List;

import kstep.lang.SourcePos;

/**
 * One recorded step: its number (from 1), the choice, the CPU ({@code -1} for hardware) and task that ran
 * ({@code taskName} "-" for hardware), where in the models, what changed, and the teacher's note if any.
 */
public record StepRecord(int n, Choice choice, int cpu, String taskName, long pid, SourcePos where, List<Event> events,
                         String note) {

    /** The "where" column: {@code file:line}, or "-" for steps with no model position. */
    public String whereText() {
        return where == null || where == SourcePos.NONE ? "-" : where.fileLine();
    }

    public String cpuText() {
        return cpu < 0 ? "dev" : "cpu" + cpu;
    }
}
