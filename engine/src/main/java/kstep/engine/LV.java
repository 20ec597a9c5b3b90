package kstep.engine;

/** A compiled assignable place: a local, a global or an object field. */
public interface LV {
    Value load(Exec x);

    void store(Exec x, Value v);
}
