package kstep.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The execution side of a task: its stack of model frames and what it saved at its last context switch.
 * Its scheduler state (__state, on_rq, cpu, pid, comm) lives in its task_struct object {@code obj}, so it is
 * shown, hashed and diffed like every other kernel object.
 */
public final class Task {
    final int index;
    final int obj;
    final boolean idle;
    final ArrayList<Frame> stack;
    int savedPreemptCount;
    boolean savedIrqsDisabled;
    int atomicDepth;
    /** CONFIG_TRACE_IRQFLAGS: the last irq and softirq state changes (diagnostics only; not hashed). */
    final IrqTrace irqTrace = new IrqTrace();
    /** CONFIG_DEBUG_PREEMPT's preempt_disable_ip: where preemption was last disabled from zero (not hashed). */
    String preemptDisableIp = KernelText.NO_IP;
    /** Where the task's state was last set, for "do not call blocking ops when !TASK_RUNNING" (not hashed). */
    String stateSetAt = KernelText.NO_IP;

    /** The task's irq event stamps, for lockdep's and might_sleep's "irq event stamp" lines. */
    public static final class IrqTrace {
        int events;
        final int[] stamp = new int[4];
        final String[] ip = {KernelText.NO_IP, KernelText.NO_IP, KernelText.NO_IP, KernelText.NO_IP};

        /** 0 hardirqs enabled, 1 hardirqs disabled, 2 softirqs enabled, 3 softirqs disabled. */
        void mark(int what, String where) {
            events++;
            stamp[what] = events;
            ip[what] = where;
        }

        void copyFrom(IrqTrace o) {
            events = o.events;
            System.arraycopy(o.stamp, 0, stamp, 0, 4);
            System.arraycopy(o.ip, 0, ip, 0, 4);
        }

        public int events() {
            return events;
        }

        public int stamp(int what) {
            return stamp[what];
        }

        public String ip(int what) {
            return ip[what];
        }
    }

    Task(int index, int obj, boolean idle) {
        this.index = index;
        this.obj = obj;
        this.idle = idle;
        this.stack = new ArrayList<>();
    }

    Task copy() {
        Task t = new Task(index, obj, idle);
        for (Frame f : stack) t.stack.add(f.copy());
        t.savedPreemptCount = savedPreemptCount;
        t.savedIrqsDisabled = savedIrqsDisabled;
        t.atomicDepth = atomicDepth;
        t.irqTrace.copyFrom(irqTrace);
        t.preemptDisableIp = preemptDisableIp;
        t.stateSetAt = stateSetAt;
        return t;
    }

    public int index() {
        return index;
    }

    /** The heap id of this task's task_struct. */
    public int obj() {
        return obj;
    }

    public boolean isIdle() {
        return idle;
    }

    /** Frames, innermost last. */
    public List<Frame> stack() {
        return Collections.unmodifiableList(stack);
    }

    public Frame top() {
        return stack.isEmpty() ? null : stack.get(stack.size() - 1);
    }

    public String preemptDisableIp() {
        return preemptDisableIp;
    }

    public String stateSetAt() {
        return stateSetAt;
    }

    public IrqTrace irqTrace() {
        return irqTrace;
    }

    public int savedPreemptCount() {
        return savedPreemptCount;
    }

    public boolean savedIrqsDisabled() {
        return savedIrqsDisabled;
    }
}
