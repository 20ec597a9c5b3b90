package kstep.scenario;

import kstep.lang.SourcePos;

/**
 * One line of a scenario's scripted schedule, as written. Lines that cannot be done when their turn comes
 * (an interrupt with nothing pending, a CPU with nothing to run) are skipped with a note on the trace, so one
 * script can drive a buggy and a fixed kernel whose code paths differ.
 */
public sealed interface ScheduleAction {
    SourcePos pos();

    String note();

    String text();

    /** {@code step cpuN [xK]}: K single steps of CPU N. */
    record Step(SourcePos pos, String text, String note, int cpu, int count) implements ScheduleAction { }

    /** {@code run cpuN|all [until COND]}: step CPU N (or every CPU in turn) until the condition holds. */
    record Run(SourcePos pos, String text, String note, int cpu, Until until) implements ScheduleAction { }

    /** {@code preempt cpuN}, {@code irq cpuN}: inject a preemption or deliver the first pending interrupt. */
    record Inject(SourcePos pos, String text, String note, kstep.engine.Choice choice) implements ScheduleAction { }

    /** When a {@code run} stops. */
    sealed interface Until {
        /** a step entered function {@code fn} */
        record Enter(String fn) implements Until { }

        /** a step returned from {@code fn} */
        record Return(String fn) implements Until { }

        /** the CPU's next statement calls {@code fn} */
        record Call(String fn) implements Until { }

        /** the CPU's next statement is the one labelled {@code label} */
        record Label(String label) implements Until { }

        /** the CPU switched tasks */
        record Switch() implements Until { }

        /** the CPU cannot step any more */
        record Blocked() implements Until { }

        /** a finding was reported */
        record Finding() implements Until { }

        /** the scenario's end condition holds */
        record End() implements Until { }

        /** an expression over the world holds */
        record Expr(String text, SourcePos pos) implements Until { }
    }
}
