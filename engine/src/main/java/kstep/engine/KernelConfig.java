package kstep.engine;

/**
 * What kernel a variant stands for, where it changes behaviour or message formats: the version
 * ("5.13", "6.4"), the preemption model (CONFIG_PREEMPT: tasks can be preempted in kernel code;
 * CONFIG_PREEMPT_RCU follows it), whether lockdep (CONFIG_PROVE_LOCKING) runs, and the machine's
 * architecture ("arm64", "x86_64"), which shapes stack dumps.
 */
public record KernelConfig(String version, int major, int minor, int patch, Preempt preempt, boolean lockdep, String arch) {
    public enum Preempt {
        /** CONFIG_PREEMPT: preemption wherever preempt_count is 0 and interrupts are on */
        FULL,
        /** CONFIG_PREEMPT_NONE: no involuntary preemption in the kernel */
        NONE
    }

    public static final KernelConfig DEFAULT = of("6.18", Preempt.FULL, true);

    public static KernelConfig of(String version, Preempt preempt, boolean lockdep) {
        return of(version, preempt, lockdep, "arm64");
    }

    /** Parses "5.13", "6.4.0", "5.15.126", "2.3.21"; an empty version means the newest kstep knows. */
    public static KernelConfig of(String version, Preempt preempt, boolean lockdep, String arch) {
        String v = version == null || version.isBlank() ? "6.18" : version.strip();
        String[] p = v.split("[.-]");
        int major;
        int minor;
        int patch;
        try {
            major = Integer.parseInt(p[0]);
            minor = p.length > 1 ? Integer.parseInt(p[1]) : 0;
            patch = p.length > 2 ? Integer.parseInt(p[2]) : 0;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("kernel version '" + version + "' is not like 6.4 or 5.15.126");
        }
        return new KernelConfig(v, major, minor, patch, preempt, lockdep, arch);
    }

    public boolean atLeast(int maj, int min) {
        return major > maj || (major == maj && minor >= min);
    }

    public boolean atLeast(int maj, int min, int pat) {
        return major > maj || (major == maj && (minor > min || (minor == min && patch >= pat)));
    }

    public boolean x86() {
        return arch.startsWith("x86") || arch.equals("i386");
    }

    /** CONFIG_PREEMPT_RCU: rcu_read_lock() counts in the task instead of disabling preemption. */
    public boolean preemptRcu() {
        return preempt == Preempt.FULL;
    }
}
