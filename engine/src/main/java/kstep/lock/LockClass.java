package kstep.lock;

import kstep.engine.KernelConfig;

/**
 * A lockdep lock class: every lock initialised at one place shares it. {@code name} is what lockdep prints
 * ({@code pgo_lock}, {@code &data->lock}); {@code lockType} is the struct of its locks, which fixes lockdep's
 * wait types.
 */
public record LockClass(String name, String key, String lockType) {
    /**
     * lockdep's "-{outer:inner}" wait types (include/linux/lockdep_types.h): LD_WAIT_FREE 1, LD_WAIT_SPIN 2,
     * LD_WAIT_CONFIG (spinlock_t, rwlock_t: 3 with CONFIG_PROVE_RAW_LOCK_NESTING, else the same as SPIN),
     * LD_WAIT_SLEEP one above CONFIG. PROVE_LOCKING turns PROVE_RAW_LOCK_NESTING on since 6.12.
     */
    public String waitTypes(KernelConfig c) {
        int config = c.atLeast(6, 12) ? 3 : 2;
        int sleep = config + 1;
        return switch (lockType) {
            case "mutex", "rw_semaphore", "semaphore" -> "{" + sleep + ":" + sleep + "}";
            case "raw_spinlock" -> "{2:2}";
            case "lockdep_map" -> "{1:" + config + "}"; // rcu_read_lock: wait-free outside, CONFIG inside
            default -> "{" + config + ":" + config + "}";
        };
    }
}
