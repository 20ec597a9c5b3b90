package kstep.lock;

import kstep.engine.Exec;
import kstep.engine.Task;

/** print_irqtrace_events(): the task's last irq and softirq state changes. */
final class IrqTraceText {
    private IrqTraceText() { }

    static String events(Exec x, LockdepState s) {
        return events(x.task().irqTrace());
    }

    static String events(Task.IrqTrace t) {
        return "irq event stamp: " + t.events() + "\n"
            + "hardirqs last  enabled at (" + t.stamp(0) + "): " + t.ip(0) + "\n"
            + "hardirqs last disabled at (" + t.stamp(1) + "): " + t.ip(1) + "\n"
            + "softirqs last  enabled at (" + t.stamp(2) + "): " + t.ip(2) + "\n"
            + "softirqs last disabled at (" + t.stamp(3) + "): " + t.ip(3) + "\n";
    }
}
