package kstep.engine;

/**
 * One activation of a model function on a task's stack. {@code returnTo} is the call op in the caller that
 * receives the result. The kind says what returning from the frame means.
 */
public final class Frame {
    /** NORMAL calls; ENTRY is a task's first function; IRQ, SOFTIRQ and PREEMPT frames were pushed by the machine. */
    public enum Kind { NORMAL, ENTRY, IRQ, SOFTIRQ, PREEMPT }

    final Function fn;
    int pc;
    final Value[] locals;
    final Op.Call returnTo;
    final Kind kind;
    /** Parked on a guarded builtin (spinning on a lock, idling in WFI): the next step resumes it. */
    boolean waiting;

    Frame(Function fn, Value[] locals, Op.Call returnTo, Kind kind) {
        this.fn = fn;
        this.locals = locals;
        this.returnTo = returnTo;
        this.kind = kind;
    }

    Frame copy() {
        Frame f = new Frame(fn, locals.clone(), returnTo, kind);
        f.pc = pc;
        f.waiting = waiting;
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

    /** Whether this frame is parked on a guarded builtin, waiting for its guard. */
    public boolean waiting() {
        return waiting;
    }

    public Value local(int slot) {
        return locals[slot];
    }

    /** What local {@code slot} holds as C sees it: for a local whose address is taken, its cell's value. */
    public Value value(World w, int slot) {
        Value v = locals[slot];
        if (fn.isCell(slot) && v instanceof Value.Ref r && w.object(r.id()) != null) return w.object(r.id()).get(r.index());
        return v;
    }

    public int localCount() {
        return locals.length;
    }

    /** The op this frame executes next (bookkeeping jumps skipped), or null past the end. */
    /** "file:line" of the statement this frame runs next ("?" at its end). */
    public String nextPosText() {
        Op op = nextOp();
        return op == null ? "?" : op.pos().fileLine();
    }

    public Op nextOp() {
        int p = fn.nextStepPc(pc);
        return p < fn.size() ? fn.op(p) : null;
    }
}
