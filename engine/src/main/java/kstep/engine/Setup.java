package kstep.engine;

import kstep.lang.SourceError;
import kstep.lang.SourcePos;

/**
 * Builds the initial World (step 0) for a scenario: the CPUs with their idle tasks, the scenario's tasks,
 * named objects and interrupt descriptors. Nothing here is recorded as an event.
 */
public final class Setup {
    /** The reschedule IPI's interrupt number (arm64 IPI_RESCHEDULE is SGI 0; Linux numbers it irq 1 here). */
    public static final int IPI_RESCHEDULE = 1;

    private final World w;
    private final Program p;

    public Setup(Program program, int ncpus) {
        if (ncpus < 1 || ncpus > 64) throw new IllegalArgumentException("cpus must be 1..64");
        this.p = program;
        this.w = new World(program, ncpus);
        Function idle = program.function("do_idle");
        if (idle == null) throw new IllegalStateException("the models have no do_idle (sched/core.kc is missing)");
        for (int c = 0; c < ncpus; c++) {
            KObject ts = w.allocate(structOrFail("task_struct"), "swapper/" + c);
            ts.setRaw(ts.type().indexOf("comm"), new Value.Str("swapper/" + c));
            ts.setRaw(ts.type().indexOf("cpu"), Value.of(c));
            Task t = new Task(w.tasks.size(), ts.id(), true);
            Frame f = new Frame(idle, zeroLocals(idle, new Value[0]), null, Frame.Kind.ENTRY);
            // an idle CPU starts out in WFI: parked on do_idle's first statement, cpuidle_wfi()
            f.pc = idle.nextStepPc(0);
            f.waiting = true;
            t.stack.add(f);
            t.savedPreemptCount = PreemptCount.PREEMPT_OFFSET; // the idle task runs with preemption disabled
            w.tasks.add(t);
            w.cpus[c] = new Cpu(c, t.index);
            w.cpus[c].preemptCount = PreemptCount.PREEMPT_OFFSET;
        }
        for (Program.Static st : program.statics()) w.name(st.name(), w.allocate(program.struct(st.struct()), st.name()).id());
        if (program.function("scheduler_ipi") != null)
            requestIrq(IPI_RESCHEDULE, "IPI0 Rescheduling interrupts", new Value.Fn("scheduler_ipi"), Value.Nil.NULL, -1);
    }

    public Program program() {
        return p;
    }

    public World world() {
        return w;
    }

    private StructType structOrFail(String name) {
        StructType s = p.struct(name);
        if (s == null) throw new IllegalStateException("the models declare no struct " + name);
        return s;
    }

    private static Value[] zeroLocals(Function fn, Value[] args) {
        Value[] v = new Value[fn.locals()];
        for (int i = 0; i < v.length; i++) v[i] = i < args.length ? args[i] : StructType.zeroOf(StructType.shapeOf(fn.localType(i)));
        return v;
    }

    /** Allocates a zeroed object of {@code struct}; {@code name} (may be null) makes it visible to models. */
    public KObject allocate(String struct, String name, SourcePos pos) {
        StructType s = p.struct(struct);
        if (s == null) throw new SourceError(pos, "the models declare no struct " + struct);
        if (name != null && w.names.containsKey(name)) throw new SourceError(pos, "the name '" + name + "' is already used");
        KObject o = w.allocate(s, name);
        if (name != null) w.name(name, o.id());
        return o;
    }

    public void set(KObject o, String field, Value v) {
        int i = o.type().indexOf(field);
        if (i < 0) throw new IllegalArgumentException("struct " + o.type().name() + " has no field " + field);
        o.setRaw(i, v);
    }

    /** Names an existing object (an embedded one, for instance) so models and conditions can use it. */
    public void name(String name, KObject o, SourcePos pos) {
        if (w.names.containsKey(name)) throw new SourceError(pos, "the name '" + name + "' is already used");
        w.name(name, o.id());
    }

    /**
     * Creates a task pinned to {@code cpu} that starts in {@code entry(args)}. The first task of a CPU is the
     * one running at step 0; the others wait on its runqueue in the order given.
     */
    public KObject task(String comm, int pid, int cpu, String entry, Value[] args, SourcePos pos) {
        return task(comm, pid, cpu, entry, args, pos, false);
    }

    /**
     * As {@link #task(String, int, int, String, Value[], SourcePos)}; a {@code sleeping} task starts in
     * TASK_INTERRUPTIBLE off the runqueue (a kernel thread waiting for work, a child not yet forked) and
     * runs once something wakes it.
     */
    public KObject task(String comm, int pid, int cpu, String entry, Value[] args, SourcePos pos, boolean sleeping) {
        if (cpu < 0 || cpu >= w.cpus.length) throw new SourceError(pos, "cpu " + cpu + " does not exist (the machine has " + w.cpus.length + ")");
        Function fn = p.function(entry);
        if (fn == null) throw new SourceError(pos, "no model function '" + entry + "'");
        if (fn.params() != args.length) throw new SourceError(pos, entry + " takes " + fn.params() + " arguments, not " + args.length);
        for (Task t : w.tasks) {
            if (!t.idle && w.heap.get(t.obj).getLong("pid") == pid) throw new SourceError(pos, "pid " + pid + " is used twice");
        }
        KObject ts = w.allocate(structOrFail("task_struct"), comm);
        // a task whose name is an identifier can be named in conditions: "expr kswapd0->__state == TASK_RUNNING"
        if (comm.matches("[A-Za-z_][A-Za-z0-9_]*") && !w.names.containsKey(comm)) w.name(comm, ts.id());
        set(ts, "pid", Value.of(pid));
        set(ts, "comm", new Value.Str(comm));
        set(ts, "cpu", Value.of(cpu));
        set(ts, "on_rq", Value.ONE);
        set(ts, "__state", Value.of(p.constant("TASK_RUNNING")));
        Task t = new Task(w.tasks.size(), ts.id(), false);
        t.stack.add(new Frame(fn, zeroLocals(fn, args), null, Frame.Kind.ENTRY));
        w.tasks.add(t);
        if (sleeping) {
            set(ts, "on_rq", Value.ZERO);
            set(ts, "__state", Value.of(p.constant("TASK_INTERRUPTIBLE")));
            return ts;
        }
        Cpu c = w.cpus[cpu];
        if (c.current == c.idle) {
            Task idle = w.tasks.get(c.idle);
            idle.savedPreemptCount = c.preemptCount;
            c.current = t.index;
            c.preemptCount = 0;
            c.irqsDisabled = false;
        } else {
            c.runqueue.add(t.index);
        }
        return ts;
    }

    /** request_irq(): interrupt {@code irq} runs {@code handler(irq, devId)}; {@code cpu} is its affinity (-1: any). */
    public KObject requestIrq(int irq, String name, Value.Fn handler, Value devId, int cpu) {
        KObject d = w.allocate(structOrFail("irq_desc"), "irq" + irq);
        set(d, "irq", Value.of(irq));
        set(d, "name", new Value.Str(name));
        set(d, "handler", handler);
        set(d, "dev_id", devId);
        set(d, "cpu", Value.of(cpu));
        KObject lock = w.object(((Value.Ref) d.get("lock")).id());
        set(lock, "owner_cpu", Value.of(-1));
        w.irqs.put(irq, d.id());
        return d;
    }

    /** Installs a subsystem's extension state. */
    public void extension(String key, Extension e) {
        w.ext.put(key, e);
    }

    /** open_softirq(): softirq {@code nr} runs {@code handler}. */
    public KObject openSoftirq(int nr, String name, Value.Fn handler, SourcePos pos) {
        KObject s = allocate("softirq_action", "softirq" + nr, pos);
        set(s, "nr", Value.of(nr));
        set(s, "name", new Value.Str(name));
        set(s, "action", handler);
        return s;
    }

    /** Limits how often external event or budget {@code key} may happen. */
    public void budget(String key, int n) {
        w.budgets.put(key, n);
    }
}
