package kstep.engine;

import kstep.lang.SourcePos;

/**
 * One instruction of a compiled model function. Ops that are steps ({@link #isStep()}) are what the scheduler
 * interleaves; plain jumps and atomic markers are bookkeeping and take no step.
 */
public sealed interface Op {
    SourcePos pos();

    default boolean isStep() {
        return true;
    }

    /** An expression statement or declaration evaluated for its effect. */
    record Eval(SourcePos pos, Ev expr) implements Op { }

    /** Store a value into a place (assignments, initialised declarations). */
    record Store(SourcePos pos, LV target, Ev value) implements Op { }

    /** A branch: {@code if}, a loop test. */
    record CondJump(SourcePos pos, Ev cond, int ifTrue, int ifFalse) implements Op { }

    /** {@code switch}: jump to the matching case or the default. */
    record SwitchJump(SourcePos pos, Ev value, long[] keys, int[] targets, int otherwise) implements Op { }

    /** A jump; {@code step} for the ones the user wrote (break, continue, goto), not for loop back-edges. */
    record Jump(SourcePos pos, int target, boolean step) implements Op {
        @Override
        public boolean isStep() {
            return step;
        }
    }

    /**
     * A call as a statement: to a model function (pushes a frame), to a builtin (runs in Java), or through a
     * function pointer ({@code callee} evaluated at run time). {@code dest} receives the result, may be null.
     */
    record Call(SourcePos pos, LV dest, String name, Function direct, Builtin builtin, Ev callee, Ev[] args,
                LV[] outs, ArgInfo info) implements Op { }

    /**
     * What the compiler knows of a call's arguments that the values do not carry: their C text (lockdep names
     * a lock after it, {@code &data->lock}) and the struct a {@code sizeof} argument measured (allocators
     * allocate one).
     */
    record ArgInfo(String[] text, StructType[] structs) {
        static final ArgInfo NONE = new ArgInfo(new String[0], new StructType[0]);

        public String text(int i) {
            return i < text.length ? text[i] : null;
        }

        public StructType struct(int i) {
            return i < structs.length ? structs[i] : null;
        }
    }

    record Ret(SourcePos pos, Ev value) implements Op { }

    record AtomicBegin(SourcePos pos) implements Op {
        @Override
        public boolean isStep() {
            return false;
        }
    }

    record AtomicEnd(SourcePos pos) implements Op {
        @Override
        public boolean isStep() {
            return false;
        }
    }
}
