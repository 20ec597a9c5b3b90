package kstep.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kstep.lang.SourcePos;

/**
 * Executes steps. Given a World and a {@link Choice} it runs one statement of the chosen CPU (or an atomic
 * block), injects a preemption or an interrupt, or lets an external event happen, then runs the checks.
 * {@link #enabled} lists the choices the kernel would allow: preemption only where preempt_count is 0 and
 * interrupts are on, interrupts only where they are unmasked, statements only when their guard holds.
 */
public final class Machine {
    /** Model functions the machine itself pushes (sched/core.kc). */
    public static final String PREEMPT_ENTRY = "preempt_schedule_irq";
    public static final String IRQ_ENTRY = "handle_irq";
    public static final String TASK_EXIT = "do_task_dead";
    public static final String SOFTIRQ_ENTRY = "__do_softirq";
    static final int MAX_OPS_PER_STEP = 100_000;

    private final Program program;
    private final KernelConfig config;
    private final List<Check> checks;
    private final Map<String, ExternalEvent> events = new LinkedHashMap<>();

    public Machine(Program program, KernelConfig config, List<Check> checks, List<ExternalEvent> externalEvents) {
        this(program, config, checks, externalEvents, Map.of());
    }

    /** As above, with the subsystems' watchers of struct fields, by struct name. */
    public Machine(Program program, KernelConfig config, List<Check> checks, List<ExternalEvent> externalEvents, Map<String, FieldHook> fieldHooks) {
        this.program = program;
        this.config = config;
        this.checks = List.copyOf(checks);
        for (ExternalEvent e : externalEvents) events.put(e.name(), e);
        for (Map.Entry<String, FieldHook> h : fieldHooks.entrySet()) {
            StructType st = program.struct(h.getKey());
            if (st != null) st.hook = h.getValue();
        }
    }

    /** A freed object was read or written: KASAN's report, once per object. */
    void useAfterFree(Exec x, KObject o, String field, boolean write) {
        if (x.dry) return;
        x.findingOnce("use-after-free:" + o.id(), "use-after-free", KasanReport.of(x, o, field, write));
    }

    public KernelConfig config() {
        return config;
    }

    public Program program() {
        return program;
    }

    public Map<String, ExternalEvent> externalEvents() {
        return java.util.Collections.unmodifiableMap(events);
    }

    // ---------------------------------------------------------------- choices
    /** The choices possible in {@code w}, in a fixed order: CPU steps, preemptions, interrupts, events. */
    public List<Choice> enabled(World w) {
        List<Choice> out = new ArrayList<>();
        for (Cpu c : w.cpus) if (canStep(w, c)) out.add(Choice.step(c.id));
        for (Cpu c : w.cpus) if (canPreempt(w, c)) out.add(Choice.preempt(c.id));
        for (Cpu c : w.cpus) if (canIrq(w, c)) out.add(Choice.irq(c.id));
        for (Cpu c : w.cpus) if (canSoftirq(w, c)) out.add(Choice.softirq(c.id));
        for (ExternalEvent e : events.values()) if (canHappen(w, e)) out.add(Choice.event(e.name()));
        return out;
    }

    public boolean isEnabled(World w, Choice c) {
        return switch (c.kind()) {
            case STEP -> c.cpu() < w.cpus.length && canStep(w, w.cpus[c.cpu()]);
            case PREEMPT -> c.cpu() < w.cpus.length && canPreempt(w, w.cpus[c.cpu()]);
            case IRQ -> c.cpu() < w.cpus.length && canIrq(w, w.cpus[c.cpu()]);
            case SOFTIRQ -> c.cpu() < w.cpus.length && canSoftirq(w, w.cpus[c.cpu()]);
            case EVENT -> events.containsKey(c.event()) && canHappen(w, events.get(c.event()));
        };
    }

    /** Why {@code c} is not possible in {@code w}, in words (for schedule notes and the interactive mode). */
    public String whyNot(World w, Choice c) {
        if (c.kind() == Choice.Kind.EVENT) {
            ExternalEvent e = events.get(c.event());
            if (e == null) return "there is no event '" + c.event() + "'";
            Integer b = w.budgets.get(e.name());
            if (b != null && b <= 0) return e.name() + " already happened as often as the scenario allows";
            return e.name() + " cannot happen now";
        }
        if (c.cpu() >= w.cpus.length) return "there is no cpu" + c.cpu();
        Cpu cpu = w.cpus[c.cpu()];
        Task t = w.tasks.get(cpu.current);
        return switch (c.kind()) {
            case STEP -> t.idle ? "cpu" + cpu.id + " is idle (WFI) with nothing to run"
                : taskName(w, t) + " on cpu" + cpu.id + " cannot proceed";
            case PREEMPT -> config.preempt() == KernelConfig.Preempt.NONE ? "the kernel is built without CONFIG_PREEMPT"
                : !cpu.preemptible() ? "cpu" + cpu.id + " is not preemptible (preempt_count "
                + PreemptCount.describe(cpu.preemptCount) + ", irqs " + (cpu.irqsDisabled ? "off" : "on") + ")"
                : cpu.runqueue.isEmpty() ? "no other task is runnable on cpu" + cpu.id : "preemption is not possible now";
            case IRQ -> cpu.pendingIrqs.isEmpty() ? "no interrupt is pending on cpu" + cpu.id
                : "cpu" + cpu.id + " has interrupts masked";
            case SOFTIRQ -> cpu.pendingSoftirqs == 0 ? "no softirq is pending on cpu" + cpu.id
                : "cpu" + cpu.id + " cannot run softirqs now (bottom halves disabled, in an interrupt, or interrupts masked)";
            default -> "";
        };
    }

    private boolean canHappen(World w, ExternalEvent e) {
        Integer b = w.budgets.get(e.name());
        return (b == null || b > 0) && e.enabled().test(w);
    }

    private static boolean freshInjection(Task t) {
        Frame f = t.top();
        return f != null && f.pc == 0 && f.kind != Frame.Kind.NORMAL && f.kind != Frame.Kind.ENTRY;
    }

    private boolean canPreempt(World w, Cpu c) {
        Task t = w.tasks.get(c.current);
        if (config.preempt() == KernelConfig.Preempt.NONE) return false;
        if (t.idle || !c.preemptible() || c.runqueue.isEmpty() || t.atomicDepth > 0 || t.stack.isEmpty()) return false;
        if (program.function(PREEMPT_ENTRY) == null || freshInjection(t)) return false;
        Integer b = w.budgets.get("preempt");
        return b == null || b > 0;
    }

    private boolean canIrq(World w, Cpu c) {
        Task t = w.tasks.get(c.current);
        return !c.irqsDisabled && !c.pendingIrqs.isEmpty() && t.atomicDepth == 0 && !t.stack.isEmpty()
            && program.function(IRQ_ENTRY) != null && !freshInjection(t);
    }

    /** Softirqs run where bottom halves are enabled, outside hardirq context, with interrupts on. */
    private boolean canSoftirq(World w, Cpu c) {
        Task t = w.tasks.get(c.current);
        return c.pendingSoftirqs != 0 && !c.irqsDisabled && (c.preemptCount & (PreemptCount.SOFTIRQ_MASK | PreemptCount.HARDIRQ_MASK | PreemptCount.NMI_MASK)) == 0
            && t.atomicDepth == 0 && !t.stack.isEmpty() && program.function(SOFTIRQ_ENTRY) != null && !freshInjection(t);
    }

    private boolean canStep(World w, Cpu c) {
        Task t = w.tasks.get(c.current);
        Frame f = t.top();
        if (f == null) return false;
        int pc = f.fn.nextStepPc(f.pc);
        if (pc >= f.fn.size()) return false;
        if (!f.waiting) return true;
        Op.Call call = (Op.Call) f.fn.op(pc);
        Builtin b = call.builtin() != null ? call.builtin() : program.builtins().get(call.name());
        Exec x = new Exec(this, w, c, t, null, new ArrayList<>(), true);
        x.frame = f;
        x.pos = call.pos();
        return b.guard().canProceed(x, new Builtin.Args(x, evalArgs(x, call.args()), call.outs(), true, call.info()));
    }

    // ---------------------------------------------------------------- stepping
    /**
     * Performs {@code c} on {@code w} (which changes). With {@code record}, events are collected; findings
     * always are. Throws {@link kstep.lang.ModelRuntimeError} when a model goes wrong.
     */
    public StepResult step(World w, Choice c, boolean record) {
        w.stepNo++;
        List<Event> evs = record ? new ArrayList<>() : null;
        List<Finding> fs = new ArrayList<>();
        Cpu cpu = c.kind() == Choice.Kind.EVENT ? null : w.cpus[c.cpu()];
        Task t = cpu == null ? null : w.tasks.get(cpu.current);
        Exec x = new Exec(this, w, cpu, t, evs, fs, false);
        StepState st = new StepState();
        switch (c.kind()) {
            case STEP -> runCpu(x, st);
            case PREEMPT -> {
                st.where = nextPos(t);
                x.useBudget("preempt");
                x.emit(Event.say(Event.Kind.PREEMPT, "task:" + pidOf(w, t), "tick on cpu" + cpu.id + ": need_resched, "
                    + taskName(w, t) + " is preempted"));
                x.setIrqsDisabled(true); // we are on the interrupt return path
                push(x, program.function(PREEMPT_ENTRY), new Value[0], null, Frame.Kind.PREEMPT);
            }
            case IRQ -> {
                st.where = nextPos(t);
                int irq = cpu.pendingIrqs.remove(0);
                x.emit(new Event(Event.Kind.IRQ, "cpu" + cpu.id, "pending", Integer.toString(irq), "",
                    "cpu" + cpu.id + " takes irq " + w.irqName(irq) + " in " + taskName(w, t)));
                x.setIrqsDisabled(true); // exception entry masks interrupts
                push(x, program.function(IRQ_ENTRY), new Value[] {Value.of(irq)}, null, Frame.Kind.IRQ);
            }
            case SOFTIRQ -> {
                st.where = nextPos(t);
                x.emit(Event.say(Event.Kind.IRQ, "cpu" + cpu.id, "cpu" + cpu.id + " runs its pending softirqs in " + taskName(w, t)));
                push(x, program.function(SOFTIRQ_ENTRY), new Value[0], null, Frame.Kind.SOFTIRQ);
            }
            case EVENT -> {
                ExternalEvent e = events.get(c.event());
                st.where = SourcePos.NONE;
                x.useBudget(e.name());
                e.action().accept(x);
            }
        }
        x.pos = st.where;
        for (Check check : checks) check.check(x);
        return new StepResult(c, cpu == null ? -1 : cpu.id, t == null ? -1 : t.index, st.where, evs == null ? List.of() : evs,
            fs, st.entered, st.returned, cpu != null && cpu.current != t.index);
    }

    private static final class StepState {
        SourcePos where = SourcePos.NONE;
        String entered;
        String returned;
    }

    private static SourcePos nextPos(Task t) {
        Frame f = t.top();
        if (f == null) return SourcePos.NONE;
        Op op = f.nextOp();
        return op == null ? SourcePos.NONE : op.pos();
    }

    private void runCpu(Exec x, StepState st) {
        Task t = x.task;
        Cpu cpu = x.cpu;
        int executed = 0;
        int guard = 0;
        while (true) {
            Frame f = t.top();
            if (f == null) break;
            Op op = f.fn.op(f.pc);
            if (op instanceof Op.Jump j && !j.step()) {
                f.pc = j.target();
                continue;
            }
            if (op instanceof Op.AtomicEnd) {
                t.atomicDepth--;
            f.pc++;
                continue;
            }
            if (op instanceof Op.AtomicBegin) {
                if (executed > 0 && t.atomicDepth == 0) break;
                t.atomicDepth++;
            f.pc++;
                continue;
            }
            if (executed > 0 && t.atomicDepth == 0) break;
            if (++guard > MAX_OPS_PER_STEP) throw new kstep.lang.ModelRuntimeError(op.pos(), "atomic block runs for ever");
            x.frame = f;
            x.pos = op.pos();
            if (executed == 0) st.where = op.pos();
            execute(x, f, op, st);
            executed++;
            if (cpu.current != t.index) {
                if (t.atomicDepth > 0) throw new kstep.lang.ModelRuntimeError(op.pos(), "context switch inside an atomic block");
                break;
            }
        }
    }

    private void execute(Exec x, Frame f, Op op, StepState st) {
        if (op instanceof Op.Eval e) {
            e.expr().eval(x);
            f.pc++;
        } else if (op instanceof Op.Store s) {
            Value v = s.value().eval(x);
            s.target().store(x, v);
            f.pc++;
        } else if (op instanceof Op.CondJump c) {
            f.pc = c.cond().eval(x).truthy() ? c.ifTrue() : c.ifFalse();
        } else if (op instanceof Op.SwitchJump s) {
            long v = x.asLong(s.value().eval(x));
            int target = s.otherwise();
            for (int i = 0; i < s.keys().length; i++) if (s.keys()[i] == v) target = s.targets()[i];
            f.pc = target;
        } else if (op instanceof Op.Jump j) {
            f.pc = j.target();
        } else if (op instanceof Op.Call c) {
            call(x, f, c, st);
        } else if (op instanceof Op.Ret r) {
            ret(x, f, r, st);
        } else if (op instanceof Op.AtomicBegin a) {
            f.pc++;
        } else if (op instanceof Op.AtomicEnd a) {
            f.pc++;
        }
    }

    private Value[] evalArgs(Exec x, Ev[] args) {
        Value[] v = new Value[args.length];
        for (int i = 0; i < args.length; i++) v[i] = args[i] == null ? Value.ZERO : args[i].eval(x);
        return v;
    }

    Value callBuiltin(Exec x, Builtin b, Ev[] args, LV[] outs, boolean resumed, Op.ArgInfo info) {
        Value[] v = evalArgs(x, args);
        return b.impl().call(x, new Builtin.Args(x, v, outs, resumed, info));
    }

    private void call(Exec x, Frame f, Op.Call c, StepState st) {
        f.pc++;
        Function target = c.direct();
        Builtin b = c.builtin();
        if (c.callee() != null) {
            Value fv = c.callee().eval(x);
            if (fv == Value.Nil.NULL) throw x.error("call through a NULL function pointer");
            if (!(fv instanceof Value.Fn fn)) throw x.error("called value is not a function: " + fv);
            target = program.function(fn.name());
            b = target == null ? program.builtins().get(fn.name()) : null;
            if (target == null && b == null) throw x.error("unknown function " + fn.name());
        }
        if (target != null) {
            Value[] args = evalArgs(x, c.args());
            if (args.length != target.params()) throw x.error(target.name() + " takes " + target.params() + " arguments, not " + args.length);
            push(x, target, args, c, Frame.Kind.NORMAL);
            st.entered = target.name();
            return;
        }
        boolean resumed = f.waiting;
        f.waiting = false;
        Value r = callBuiltin(x, b, c.args(), c.outs(), resumed, c.info());
        if (x.parked) {
            x.parked = false;
            if (b.guard() == null) throw x.error(b.name() + "() waited, but it has no guard to wake it");
            if (x.task.atomicDepth > 0) throw x.error(b.name() + "() cannot wait inside an atomic block");
            f.waiting = true;
            f.pc--; // stay on this statement until the guard holds
            return;
        }
        if (x.pendingInvoke != null) {
            Function fn = program.function(x.pendingInvoke.name());
            if (fn == null) throw x.error(b.name() + "() calls " + x.pendingInvoke.name() + ", which is not a model function");
            Value[] args = x.pendingArgs;
            x.pendingInvoke = null;
            x.pendingArgs = null;
            if (args.length != fn.params()) throw x.error(fn.name() + " takes " + fn.params() + " arguments, not " + args.length);
            push(x, fn, args, c, Frame.Kind.NORMAL);
            st.entered = fn.name();
            return;
        }
        if (c.dest() != null) c.dest().store(x, r);
    }

    /** Pushes a frame on the executing task: parameters from {@code args}, other locals zero. */
    void push(Exec x, Function fn, Value[] args, Op.Call returnTo, Frame.Kind kind) {
        Value[] locals = new Value[fn.locals()];
        for (int i = 0; i < locals.length; i++)
            locals[i] = i < args.length ? args[i] : StructType.zeroOf(StructType.shapeOf(fn.localType(i)));
        StructType[] boxes = fn.paramBoxes();
        for (int i = 0; i < boxes.length; i++) if (boxes[i] != null) locals[i] = x.box(boxes[i], fn.name() + "." + fn.localName(i), locals[i]);
        Frame nf = new Frame(fn, locals, returnTo, kind);
        x.task.stack.add(nf);
        if (x.recording()) {
            StringBuilder b = new StringBuilder("call ").append(fn.name()).append('(');
            for (int i = 0; i < args.length; i++) {
                if (i > 0) b.append(", ");
                b.append(x.w.show(args[i], StructType.shapeOf(fn.localType(i))));
            }
            x.emit(Event.say(Event.Kind.CALL, "frame:" + fn.name(), b.append(')').toString()));
        }
    }

    private void ret(Exec x, Frame f, Op.Ret r, StepState st) {
        Value v = r.value() == null ? Value.ZERO : r.value().eval(x);
        Task t = x.task;
        if (f.fn.stackSlots().length > 0) x.freeStack(f);
        t.stack.remove(t.stack.size() - 1);
        st.returned = f.fn.name();
        if (x.recording()) {
            String shown = r.value() == null ? "" : " " + x.w.show(v, f.fn.returnShape());
            x.emit(Event.say(Event.Kind.RETURN, "frame:" + f.fn.name(), "return" + shown + " from " + f.fn.name()));
        }
        switch (f.kind) {
            case IRQ, PREEMPT -> x.setIrqsDisabled(false); // eret restores the interrupted context
            case ENTRY -> {
                Function exit = program.function(TASK_EXIT);
                if (exit == null) throw x.error("task returned from " + f.fn.name() + " but the models have no " + TASK_EXIT);
                x.emit(Event.say(Event.Kind.TASK, "task:" + pidOf(x.w, t), taskName(x.w, t) + " exits"));
                push(x, exit, new Value[0], null, Frame.Kind.NORMAL);
                return;
            }
            default -> { }
        }
        Frame caller = t.top();
        if (caller != null && f.returnTo != null && f.returnTo.dest() != null) {
            x.frame = caller;
            f.returnTo.dest().store(x, v);
        }
    }

    static String taskName(World w, Task t) {
        return w.heap.get(t.obj).text("comm");
    }

    static long pidOf(World w, Task t) {
        return w.heap.get(t.obj).getLong("pid");
    }

    /** A context for evaluating expressions on {@code w} outside any step (scenario conditions, views). */
    public Exec inspect(World w) {
        return new Exec(this, w, null, null, null, new ArrayList<>(), true);
    }

    /** Evaluates {@code ev} on {@code w} without changing it. */
    public Value evaluate(World w, Ev ev) {
        return ev.eval(inspect(w));
    }
}
