package kstep.engine;

/** A compiled expression: evaluated in the context of one step. */
@FunctionalInterface
public interface Ev {
    Value eval(Exec x);
}
