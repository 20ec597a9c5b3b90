package kstep.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A simulated CPU: the task it runs, its preempt_count (the kernel's layout, see {@link PreemptCount}),
 * whether local interrupts are masked, the interrupts pending for it and its runqueue (FIFO of runnable tasks
 * waiting for it; the running task is not in it).
 */
public final class Cpu {
    final int id;
    int current;
    final int idle;
    int preemptCount;
    boolean irqsDisabled;
    /** Pending softirqs, one bit per softirq number (the kernel's local_softirq_pending()). */
    int pendingSoftirqs;
    final ArrayList<Integer> pendingIrqs;
    final ArrayList<Integer> runqueue;

    Cpu(int id, int idle) {
        this.id = id;
        this.idle = idle;
        this.current = idle;
        this.pendingIrqs = new ArrayList<>();
        this.runqueue = new ArrayList<>();
    }

    private Cpu(Cpu o) {
        this.id = o.id;
        this.current = o.current;
        this.idle = o.idle;
        this.preemptCount = o.preemptCount;
        this.irqsDisabled = o.irqsDisabled;
        this.pendingSoftirqs = o.pendingSoftirqs;
        this.pendingIrqs = new ArrayList<>(o.pendingIrqs);
        this.runqueue = new ArrayList<>(o.runqueue);
    }

    Cpu copy() {
        return new Cpu(this);
    }

    public int id() {
        return id;
    }

    /** Index of the task running on this CPU (its idle task when nothing else runs). */
    public int current() {
        return current;
    }

    public int idleTask() {
        return idle;
    }

    public int preemptCount() {
        return preemptCount;
    }

    public boolean irqsDisabled() {
        return irqsDisabled;
    }

    /** preemptible(): preempt_count == 0 and interrupts on. */
    public boolean preemptible() {
        return preemptCount == 0 && !irqsDisabled;
    }

    public int pendingSoftirqs() {
        return pendingSoftirqs;
    }

    public List<Integer> pendingIrqs() {
        return Collections.unmodifiableList(pendingIrqs);
    }

    public List<Integer> runqueue() {
        return Collections.unmodifiableList(runqueue);
    }

    /** The context the CPU is in, derived from preempt_count as in_nmi()/in_hardirq()/in_serving_softirq() do. */
    public String context() {
        return PreemptCount.context(preemptCount);
    }
}
