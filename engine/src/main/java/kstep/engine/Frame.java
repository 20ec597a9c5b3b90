package kstep.engine;

/**
 * One activation of a model function on a task's stack. {@code returnTo} is the call op in the caller that
 * receives the result. The kind says what returning from the frame means.
 */
public final class Frame {
    /** NORMAL calls; ENTRY is a task's first function; IRQ and PREEMPT frames were pushed by the hardware or tick. */
    public enum Kind { NORMAL, ENTRY, IRQ, PREEMPT }

    final Function fn;
    int pc;
    final Value[] locals;
    final Op.Call returnTo;
    final Kind kind;

    Frame(Function fn, Value[] locals, Op.Call returnTo, Kind kind) {
        this.fn = fn;
        this.locals = locals;
        this.returnTo = returnTo;
        this.kind = kind;
    }

    Frame copy() {
        Frame f = new Frame(fn, locals.clone(), returnTo, kind);
        f.pc = pc;
        return f;
    }

    public Function function() {
        return fn;
    }

    public int pc() {
        return pc;
    }

    public Kind kind() {
        return kind;
    }

    public Value local(int slot) {
        return locals[slot];
    }

    public int localCount() {
        return locals.length;
    }

    /** The op this frame executes next (bookkeeping jumps skipped), or null past the end. */
    public Op nextOp() {
        int p = fn.nextStepPc(pc);
        return p < fn.size() ? fn.op(p) : null;
    }
}
