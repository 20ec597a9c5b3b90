package kstep.engine;

/**
 * preempt_count's layout (include/linux/preempt.h): PREEMPT bits 0-7, SOFTIRQ 8-15, HARDIRQ 16-19, NMI 20-23,
 * PREEMPT_NEED_RESCHED bit 31.
 */
public final class PreemptCount {
    public static final int PREEMPT_OFFSET = 1;
    public static final int PREEMPT_MASK = 0x000000ff;
    public static final int SOFTIRQ_OFFSET = 1 << 8;
    public static final int SOFTIRQ_MASK = 0x0000ff00;
    /** local_bh_disable() adds twice SOFTIRQ_OFFSET, so "serving a softirq" (odd count) can be told apart. */
    public static final int SOFTIRQ_DISABLE_OFFSET = 2 * SOFTIRQ_OFFSET;
    public static final int HARDIRQ_OFFSET = 1 << 16;
    public static final int HARDIRQ_MASK = 0x000f0000;
    public static final int NMI_OFFSET = 1 << 20;
    public static final int NMI_MASK = 0x00f00000;
    public static final int PREEMPT_NEED_RESCHED = 0x80000000;

    private PreemptCount() { }

    public static String context(int pc) {
        if ((pc & NMI_MASK) != 0) return "nmi";
        if ((pc & HARDIRQ_MASK) != 0) return "hardirq";
        if ((pc & SOFTIRQ_OFFSET) != 0) return "softirq";
        return "task";
    }

    /** The fields as the kernel's debug output splits them, e.g. "0x10001 (hardirq 1, preempt 1)". */
    public static String describe(int pc) {
        StringBuilder b = new StringBuilder("0x").append(Integer.toHexString(pc));
        StringBuilder parts = new StringBuilder();
        if ((pc & NMI_MASK) != 0) parts.append("nmi ").append((pc & NMI_MASK) >>> 20).append(", ");
        if ((pc & HARDIRQ_MASK) != 0) parts.append("hardirq ").append((pc & HARDIRQ_MASK) >>> 16).append(", ");
        if ((pc & SOFTIRQ_MASK) != 0) parts.append("softirq ").append((pc & SOFTIRQ_MASK) >>> 8).append(", ");
        if ((pc & PREEMPT_MASK) != 0) parts.append("preempt ").append(pc & PREEMPT_MASK).append(", ");
        if (parts.length() > 0) b.append(" (").append(parts, 0, parts.length() - 2).append(')');
        return b.toString();
    }
}
