package kstep.engine;

import java.util.Locale;

/**
 * One scheduling decision: run the next step of a CPU, preempt the task on a CPU (the tick found
 * need_resched), deliver a pending interrupt on a CPU, run its pending softirqs, or let an external event
 * happen (a device's MSI). Written {@code cpu0}, {@code preempt:cpu0}, {@code irq:cpu0}, {@code softirq:cpu0},
 * {@code event:msi}.
 */
public record Choice(Kind kind, int cpu, String event) {
    public enum Kind { STEP, PREEMPT, IRQ, SOFTIRQ, EVENT }

    public static Choice step(int cpu) {
        return new Choice(Kind.STEP, cpu, null);
    }

    public static Choice preempt(int cpu) {
        return new Choice(Kind.PREEMPT, cpu, null);
    }

    public static Choice irq(int cpu) {
        return new Choice(Kind.IRQ, cpu, null);
    }

    public static Choice softirq(int cpu) {
        return new Choice(Kind.SOFTIRQ, cpu, null);
    }

    public static Choice event(String name) {
        return new Choice(Kind.EVENT, -1, name);
    }

    /** Parses the written form; throws IllegalArgumentException with the reason. */
    public static Choice parse(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith("event:")) {
            String n = s.strip().substring(6);
            if (n.isEmpty()) throw new IllegalArgumentException("event: needs a name");
            return event(n);
        }
        Kind k = Kind.STEP;
        if (t.startsWith("preempt:")) {
            k = Kind.PREEMPT;
            t = t.substring(8);
        } else if (t.startsWith("irq:")) {
            k = Kind.IRQ;
            t = t.substring(4);
        } else if (t.startsWith("softirq:")) {
            k = Kind.SOFTIRQ;
            t = t.substring(8);
        }
        if (!t.matches("cpu[0-9]{1,3}"))
            throw new IllegalArgumentException("'" + s.strip() + "' is not a choice (cpuN, preempt:cpuN, irq:cpuN, softirq:cpuN, event:NAME)");
        return new Choice(k, Integer.parseInt(t.substring(3)), null);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case STEP -> "cpu" + cpu;
            case PREEMPT -> "preempt:cpu" + cpu;
            case IRQ -> "irq:cpu" + cpu;
            case SOFTIRQ -> "softirq:cpu" + cpu;
            case EVENT -> "event:" + event;
        };
    }
}
