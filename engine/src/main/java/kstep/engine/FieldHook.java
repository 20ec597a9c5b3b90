package kstep.engine;

/**
 * A subsystem watching the fields of one struct type as the models read and write them (the 1999 vma
 * locking rules, a writer's half-done update). Called before the access, with the step's context.
 */
@FunctionalInterface
public interface FieldHook {
    void access(Exec x, KObject o, int field, boolean write);
}
