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

    public int savedPreemptCount() {
        return savedPreemptCount;
    }

    public boolean savedIrqsDisabled() {
        return savedIrqsDisabled;
    }
}
