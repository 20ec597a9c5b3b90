package kstep.engine;

/**
 * Turns states into findings. Runs after every step with the step's context; reports through
 * {@link Exec#finding} or {@link Exec#findingOnce}.
 */
@FunctionalInterface
public interface Check {
    void check(Exec x);
}
