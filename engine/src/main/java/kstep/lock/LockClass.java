package kstep.lock;

/**
 * A lockdep lock class: every lock initialised at one place shares it. {@code name} is what lockdep prints
 * ({@code pgo_lock}, {@code &data->lock}); the wait types are lockdep's {@code -{outer:inner}} (1 free,
 * 2 spinning, 3 sleeping).
 */
public record LockClass(String name, String key, int waitOuter, int waitInner) { }
