package kstep.engine;

import java.util.List;

import kstep.lang.ModelRuntimeError;
import kstep.lang.SourcePos;

/**
 * The context of one step: the world, the CPU and task executing, the frame and op being executed, and where
 * events and findings go. Every change to a World goes through here so that it is recorded as an event
 * (when the step is being recorded) and so that guards, evaluated "dry", cannot change anything.
 */
public final class Exec {
    final Machine machine;
    final World w;
    final Cpu cpu;
    Task task;
    Frame frame;
    SourcePos pos = SourcePos.NONE;
    final List<Event> events;
    final List<Finding> findings;
    final boolean dry;
    Value.Fn pendingInvoke;
    Value[] pendingArgs;
    boolean parked;

    Exec(Machine machine, World w, Cpu cpu, Task task, List<Event> events, List<Finding> findings, boolean dry) {
        this.machine = machine;
        this.w = w;
        this.cpu = cpu;
        this.task = task;
        this.frame = task == null ? null : task.top();
        this.events = events;
        this.findings = findings;
        this.dry = dry;
    }

    public World world() {
        return w;
    }

    public KernelConfig config() {
        return machine.config();
    }

    /** A subsystem's extension state, for changing it (say what changed with {@link #emit}). */
    public <T extends Extension> T ext(String key, Class<T> type) {
        mutating();
        return w.ext(key, type);
    }

    public Program program() {
        return w.program;
    }

    /** The CPU executing this step, or -1 for hardware outside the CPUs. */
    public int cpuId() {
        return cpu == null ? -1 : cpu.id;
    }

    public Cpu cpu() {
        return cpu;
    }

    public Task task() {
        return task;
    }

    /** The running task's task_struct, or null for hardware events. */
    public KObject currentTaskStruct() {
        return task == null ? null : w.heap.get(task.obj);
    }

    public Frame frame() {
        return frame;
    }

    public SourcePos pos() {
        return pos;
    }

    public boolean recording() {
        return events != null;
    }

    // ---------------------------------------------------------------- reading
    public ModelRuntimeError error(String msg) {
        return new ModelRuntimeError(pos, msg);
    }

    public long asLong(Value v) {
        if (v instanceof Value.Int i) return i.v();
        if (v == Value.Nil.NULL) return 0;
        throw error("expected a number, found " + w.show(v, StructType.Shape.POINTER));
    }

    /** The object a pointer refers to; NULL or a freed object is a model error. */
    public KObject deref(Value v) {
        return deref(v, null, false);
    }

    /**
     * The object a pointer refers to, for reading or writing {@code field} (null: the object as a whole).
     * NULL is a model error; a freed object is a use-after-free finding (the object keeps its old contents,
     * as freed slab memory does, so the run can go on where the scenario lets it).
     */
    public KObject deref(Value v, String field, boolean write) {
        if (v instanceof Value.Ref r) {
            KObject o = w.object(r.id());
            if (o == null) throw error("dangling pointer #" + r.id());
            if (o.freed()) machine.useAfterFree(this, o, field, write);
            return o;
        }
        if (v == Value.Nil.NULL) throw error("NULL pointer dereference");
        throw error("expected a pointer, found " + v);
    }

    /** {@code ref->field} read as a model statement reads it (use-after-free and field hooks included): for builtins. */
    public Value readField(Value ref, String field) {
        KObject o = deref(ref, field, false);
        int i = o.type().indexOf(field);
        if (i < 0) throw error("struct " + o.type().name() + " has no field '" + field + "'");
        fieldAccess(o, i, false);
        return o.get(i);
    }

    /** A watched struct's field is read or written (the subsystems' field hooks). */
    void fieldAccess(KObject o, int field, boolean write) {
        FieldHook h = o.type().hook;
        if (h != null && !dry) h.access(this, o, field, write);
    }

    /** The call trace of the current task, innermost first, as reports print it. */
    public java.util.List<String> callTrace() {
        return task == null ? java.util.List.of() : KernelText.callTrace(task);
    }

    private KObject.History history() {
        KObject ts = task == null ? null : w.heap.get(task.obj);
        return new KObject.History(w.stepNo, ts == null ? "?" : ts.text("comm"), ts == null ? 0 : ts.getLong("pid"), callTrace());
    }

    Value currentRef() {
        if (task == null) throw error("'current' used outside a task");
        return new Value.Ref(task.obj);
    }

    Value namedRef(String id) {
        Integer o = w.names.get(id);
        if (o == null) throw error("unknown name '" + id + "'");
        return new Value.Ref(o);
    }

    // ---------------------------------------------------------------- changing
    private void mutating() {
        if (dry) throw error("a guarded call's arguments must not change anything");
    }

    public void emit(Event e) {
        if (events != null) events.add(e);
    }

    public void note(String subject, String message) {
        emit(Event.say(Event.Kind.NOTE, subject, message));
    }

    /** Reports a finding; the step number is filled in by the trace. */
    public void finding(String kind, String message) {
        mutating();
        Finding f = new Finding(kind, -1, message);
        findings.add(f);
        emit(Event.say(Event.Kind.FINDING, "finding", f.headline()));
    }

    /** Reports a finding at most once per {@code key} for the whole run (the kernel's _ONCE and rate limits). */
    public boolean findingOnce(String key, String kind, String message) {
        if (w.reported.contains(key)) return false;
        w.reported.add(key);
        finding(kind, message);
        return true;
    }

    /** Allocates a zeroed object at run time (kmalloc and friends). */
    public KObject allocate(StructType type) {
        return allocate(type, null);
    }

    /** As {@link #allocate(StructType)}, with a display name (a VMA's copy: vma_7f0000000000). */
    public KObject allocate(StructType type, String name) {
        mutating();
        if (type == null) throw error("the models declare no struct for this allocation");
        KObject o = w.allocate(type, name);
        o.markAllocated(history());
        emit(Event.say(Event.Kind.SET, o.name(), "allocated " + o.name()));
        return o;
    }

    /**
     * A local array, or the cell of a local whose address is taken, for the current frame: the slot's object
     * again if the declaration runs again (C reuses the stack slot), zeroed, otherwise a new one. No event:
     * it is stack, not an allocation.
     */
    public Value stackObject(int slot, StructType type, String name) {
        mutating();
        KObject o = frame.locals[slot] instanceof Value.Ref r ? w.object(r.id()) : null;
        if (o != null && !o.freed() && o.type() == type) {
            for (StructType.Field f : type.fields()) setField(o, f.index(), StructType.zeroOf(f.shape()));
            return new Value.Ref(o.id());
        }
        return newStackObject(type, name);
    }

    private Value newStackObject(StructType type, String name) {
        KObject o = w.allocate(type, name);
        o.markAllocated(history());
        return new Value.Ref(o.id());
    }

    /** The cell of a parameter whose address is taken, holding the argument {@code v}. */
    Value box(StructType type, String name, Value v) {
        mutating();
        Value ref = newStackObject(type, name);
        w.object(((Value.Ref) ref).id()).setRaw(0, v);
        return ref;
    }

    /** A frame's stack objects die when it returns: a pointer kept to one is then a use-after-return. */
    void freeStack(Frame f) {
        for (int slot : f.fn.stackSlots()) {
            KObject o = f.locals[slot] instanceof Value.Ref r ? w.object(r.id()) : null;
            if (o != null && !o.freed()) o.markFreed(history());
        }
    }

    /** {@code *p} for a pointer into an array or to an addressed local (a builtin's {@code void *buf}). */
    public Value load(Value p) {
        return Compiler.ElemLV.load(this, p, 0);
    }

    /** {@code *p = v}. */
    public void store(Value p, Value v) {
        Compiler.ElemLV.store(this, p, 0, v);
    }

    /** Frees an object: it stays in the heap, marked freed, so later use of it can be caught. */
    public void free(KObject o) {
        mutating();
        o.markFreed(history());
        emit(Event.say(Event.Kind.SET, o.name(), "freed " + o.name()));
    }

    /** add_taint(TAINT_WARN): later reports say "Tainted: G        W". */
    public void taintWarn() {
        mutating();
        w.reported.add("taint:W");
    }

    public void setField(KObject o, String field, Value v) {
        int i = o.type().indexOf(field);
        if (i < 0) throw error("struct " + o.type().name() + " has no field '" + field + "'");
        setField(o, i, v);
    }

    public void setField(KObject o, String field, long v) {
        setField(o, field, Value.of(v));
    }

    public void setField(KObject o, int index, Value v) {
        mutating();
        Value old = o.get(index);
        if (old.equals(v)) return;
        o.setRaw(index, v);
        if (events != null) {
            StructType.Field f = o.type().fields().get(index);
            events.add(Event.change(Event.Kind.SET, o.name(), f.name(), w.show(old, f.shape()), w.show(v, f.shape())));
        }
    }

    void setLocal(Frame f, int slot, Value v) {
        mutating();
        Value old = f.locals[slot];
        f.locals[slot] = v;
        if (events != null && !old.equals(v) && !f.fn.localName(slot).startsWith("$")) {
            StructType.Shape s = StructType.shapeOf(f.fn.localType(slot));
            events.add(Event.change(Event.Kind.LOCAL, "frame:" + f.fn.name(), f.fn.localName(slot), w.show(old, s), w.show(v, s)));
        }
    }

    void setGlobal(int slot, String name, StructType.Shape shape, Value v) {
        mutating();
        Value old = w.globals[slot];
        w.globals[slot] = v;
        if (events != null && !old.equals(v)) events.add(Event.change(Event.Kind.SET, "global", name, w.show(old, shape), w.show(v, shape)));
    }

    public void setPreemptCount(int v) {
        mutating();
        int old = cpu.preemptCount;
        if (old == v) return;
        cpu.preemptCount = v;
        // preempt_latency_start(): the ip is recorded when the count leaves zero, whatever field rose
        if ((old & ~PreemptCount.PREEMPT_NEED_RESCHED) == 0 && (v & ~PreemptCount.PREEMPT_NEED_RESCHED) != 0 && task != null && frame != null)
            task.preemptDisableIp = KernelText.ipSym(frame, frame.pc);
        boolean bhWasOff = (old & PreemptCount.SOFTIRQ_MASK) != 0;
        boolean bhOff = (v & PreemptCount.SOFTIRQ_MASK) != 0;
        if (bhWasOff != bhOff && task != null && frame != null) task.irqTrace.mark(bhOff ? 3 : 2, KernelText.ipSym(frame, frame.pc));
        emit(Event.change(Event.Kind.CPU, "cpu" + cpu.id, "preempt_count", "0x" + Integer.toHexString(old), "0x" + Integer.toHexString(v)));
    }

    public void setIrqsDisabled(boolean off) {
        mutating();
        if (cpu.irqsDisabled == off) return;
        cpu.irqsDisabled = off;
        if (task != null && frame != null) task.irqTrace.mark(off ? 1 : 0, KernelText.ipSym(frame, frame.pc));
        emit(Event.change(Event.Kind.CPU, "cpu" + cpu.id, "irqs", off ? "on" : "off", off ? "off" : "on"));
    }

    public void setPendingSoftirqs(int bits) {
        mutating();
        int old = cpu.pendingSoftirqs;
        if (old == bits) return;
        cpu.pendingSoftirqs = bits;
        emit(Event.change(Event.Kind.IRQ, "cpu" + cpu.id, "softirqs", "0x" + Integer.toHexString(old), "0x" + Integer.toHexString(bits)));
    }

    /** Marks interrupt {@code irq} pending on CPU {@code target}, as a device or an IPI would. */
    public void raiseIrq(int target, int irq) {
        mutating();
        Cpu c = w.cpus[target];
        if (c.pendingIrqs.contains(irq)) return;
        int at = 0;
        while (at < c.pendingIrqs.size() && c.pendingIrqs.get(at) < irq) at++;
        c.pendingIrqs.add(at, irq);
        emit(new Event(Event.Kind.IRQ, "cpu" + target, "pending", "", Integer.toString(irq),
            "irq " + w.irqName(irq) + " pending on cpu" + target));
    }

    /** Clears interrupt {@code irq} wherever it is pending (irq_set_irqchip_state(..., PENDING, false)). */
    public void clearIrq(int irq) {
        mutating();
        for (Cpu c : w.cpus) {
            if (c.pendingIrqs.remove(Integer.valueOf(irq)))
                emit(new Event(Event.Kind.IRQ, "cpu" + c.id, "pending", Integer.toString(irq), "", "irq " + w.irqName(irq) + " no longer pending on cpu" + c.id));
        }
    }

    /** Whether {@code irq} is pending on any CPU. */
    public boolean irqPendingAnywhere(int irq) {
        for (Cpu c : w.cpus) if (c.pendingIrqs.contains(irq)) return true;
        return false;
    }

    public void useBudget(String key) {
        mutating();
        Integer b = w.budgets.get(key);
        if (b != null) w.budgets.put(key, b - 1);
    }

    /**
     * From a builtin used as a statement: continue by calling model function {@code fn} with {@code args}; its
     * return value becomes the builtin's (how generic_handle_domain_irq runs the registered handler).
     */
    public void invoke(Value.Fn fn, Value... args) {
        mutating();
        pendingInvoke = fn;
        pendingArgs = args;
    }

    /**
     * From a guarded builtin: stop here and wait until the guard holds (see {@link Builtin}). The statement
     * is resumed, not restarted.
     */
    public void park() {
        mutating();
        parked = true;
    }

    Value callBuiltinInExpression(Builtin b, Ev[] evs, LV[] outs, Op.ArgInfo info) {
        Value r = machine.callBuiltin(this, b, evs, outs, false, info);
        if (pendingInvoke != null)
            throw error(b.name() + "() runs model code; call it as a statement of its own");
        if (parked) throw error(b.name() + "() can wait; call it as a statement of its own");
        return r;
    }
}
