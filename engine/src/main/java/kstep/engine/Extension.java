package kstep.engine;

/**
 * Subsystem state kept beside the heap when objects do not fit it (lockdep's class graph, the held-lock
 * stacks). Part of the World: copied with it, hashed with it, and changed only through {@link Exec}.
 */
public interface Extension {
    Extension copy();

    /** Feeds everything the future depends on to {@code h}, in a fixed order. */
    void hashInto(StateHash.Sink h);
}
