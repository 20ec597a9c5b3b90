package kstep.engine;

import java.util.List;

/**
 * The builtins of the scheduler core and of interrupt and preemption control (include/linux/preempt.h,
 * irqflags.h, kernel/sched/core.c, kernel/irq/), plus WARN_ON and BUG_ON. Every one updates the simulated CPU
 * exactly as the kernel updates the real one, and records what changed.
 */
public final class SchedBuiltins {
    private SchedBuiltins() { }

    public static void register(Builtins b) {
        b.proc("preempt_disable", 0, "preempt_count += 1", (x, a) -> x.setPreemptCount(x.cpu.preemptCount + PreemptCount.PREEMPT_OFFSET));
        b.proc("preempt_enable", 0, "preempt_count -= 1 (a preemption may follow: the scheduler decides)", SchedBuiltins::preemptEnable);
        b.proc("preempt_enable_no_resched", 0, "preempt_count -= 1", SchedBuiltins::preemptEnable);
        b.add("preempt_count", 0, "the CPU's preempt_count", (x, a) -> Value.of(x.cpu.preemptCount));
        b.add("preemptible", 0, "preempt_count == 0 && irqs on", (x, a) -> Value.bool(x.cpu.preemptible()));
        b.add("in_atomic", 0, "preempt_count != 0", (x, a) -> Value.bool(x.cpu.preemptCount != 0));
        b.add("in_interrupt", 0, "in NMI, hardirq or softirq context, or softirqs disabled",
            (x, a) -> Value.bool((x.cpu.preemptCount & (PreemptCount.NMI_MASK | PreemptCount.HARDIRQ_MASK | PreemptCount.SOFTIRQ_MASK)) != 0));
        b.add("in_hardirq", 0, "in hardirq context", (x, a) -> Value.bool((x.cpu.preemptCount & PreemptCount.HARDIRQ_MASK) != 0));
        b.add("in_task", 0, "in task context", (x, a) -> Value.bool(PreemptCount.context(x.cpu.preemptCount).equals("task")));
        b.add("irqs_disabled", 0, "local interrupts masked", (x, a) -> Value.bool(x.cpu.irqsDisabled));
        b.proc("local_irq_disable", 0, "mask local interrupts", (x, a) -> x.setIrqsDisabled(true));
        b.proc("local_irq_enable", 0, "unmask local interrupts", (x, a) -> x.setIrqsDisabled(false));
        b.put(new Builtin("local_irq_save", 1, 1, (x, a) -> {
            a.out(0, Value.bool(x.cpu.irqsDisabled));
            x.setIrqsDisabled(true);
            return Value.ZERO;
        }, null, "flags = irqs_disabled(); mask local interrupts"));
        b.proc("local_irq_restore", 1, "restore the mask saved in flags", (x, a) -> x.setIrqsDisabled(a.b(0)));
        b.proc("local_bh_disable", 0, "preempt_count += SOFTIRQ_DISABLE_OFFSET: no softirqs on this CPU",
            (x, a) -> x.setPreemptCount(x.cpu.preemptCount + PreemptCount.SOFTIRQ_DISABLE_OFFSET));
        b.proc("local_bh_enable", 0, "preempt_count -= SOFTIRQ_DISABLE_OFFSET (pending softirqs may run next)", (x, a) -> {
            if ((x.cpu.preemptCount & PreemptCount.SOFTIRQ_MASK) < PreemptCount.SOFTIRQ_DISABLE_OFFSET)
                throw x.error("local_bh_enable() without local_bh_disable()");
            x.setPreemptCount(x.cpu.preemptCount - PreemptCount.SOFTIRQ_DISABLE_OFFSET);
        });
        b.proc("__local_bh_disable_ip", 1, "preempt_count += cnt", (x, a) -> x.setPreemptCount(x.cpu.preemptCount + (int) a.l(0)));
        b.proc("__local_bh_enable", 1, "preempt_count -= cnt", (x, a) -> x.setPreemptCount(x.cpu.preemptCount - (int) a.l(0)));
        b.add("in_softirq", 0, "softirqs are disabled or being served", (x, a) -> Value.bool((x.cpu.preemptCount & PreemptCount.SOFTIRQ_MASK) != 0));
        b.add("in_serving_softirq", 0, "in softirq context", (x, a) -> Value.bool((x.cpu.preemptCount & PreemptCount.SOFTIRQ_OFFSET) != 0));
        b.proc("raise_softirq", 1, "mark softirq nr pending on this CPU", SchedBuiltins::raiseSoftirq);
        b.proc("raise_softirq_irqoff", 1, "mark softirq nr pending on this CPU (interrupts already off)", SchedBuiltins::raiseSoftirq);
        b.add("softirq_next_pending", 0, "the lowest pending softirq of this CPU, cleared; -1 when none", (x, a) -> {
            int p = x.cpu.pendingSoftirqs;
            if (p == 0) return Value.of(-1);
            int nr = Integer.numberOfTrailingZeros(p);
            x.setPendingSoftirqs(p & ~(1 << nr));
            return Value.of(nr);
        });
        b.add("softirq_vec", 1, "the softirq_action of softirq nr", (x, a) -> {
            KObject s = x.w.named("softirq" + a.l(0));
            if (s == null) throw x.error("softirq " + a.l(0) + " has no handler (open_softirq)");
            return new Value.Ref(s.id());
        });
        b.proc("irq_enter", 0, "preempt_count += HARDIRQ_OFFSET", (x, a) -> x.setPreemptCount(x.cpu.preemptCount + PreemptCount.HARDIRQ_OFFSET));
        b.proc("irq_exit", 0, "preempt_count -= HARDIRQ_OFFSET", (x, a) -> x.setPreemptCount(x.cpu.preemptCount - PreemptCount.HARDIRQ_OFFSET));
        b.add("smp_processor_id", 0, "this CPU's number", (x, a) -> Value.of(x.cpuId()));
        b.add("get_cpu", 0, "preempt_disable(); return smp_processor_id()", (x, a) -> {
            x.setPreemptCount(x.cpu.preemptCount + PreemptCount.PREEMPT_OFFSET);
            return Value.of(x.cpuId());
        });
        b.proc("put_cpu", 0, "preempt_enable()", SchedBuiltins::preemptEnable);
        b.proc("cpu_relax", 0, "spin a little", (x, a) -> { });
        b.add("READ_ONCE", 1, "read a value once", (x, a) -> a.get(0));

        b.proc("set_current_state", 1, "current->__state = state (with a barrier)", SchedBuiltins::setState);
        b.proc("__set_current_state", 1, "current->__state = state", SchedBuiltins::setState);
        b.proc("set_special_state", 1, "current->__state = state (wake-ups cannot undo it)", (x, a) -> x.setField(x.currentTaskStruct(), "__state", a.get(0)));
        b.add("need_resched", 0, "another task waits for this CPU", (x, a) -> Value.bool(!x.cpu.runqueue.isEmpty()));
        b.proc("deactivate_task", 1, "take a task that goes to sleep off the runqueue", (x, a) -> x.setField(a.obj(0), "on_rq", Value.ZERO));
        b.add("pick_next_task", 1, "round robin: the first task waiting on this CPU, else prev, else idle", SchedBuiltins::pickNextTask);
        b.proc("context_switch", 2, "switch this CPU from prev to next", SchedBuiltins::contextSwitch);
        b.add("wake_up_process", 1, "try_to_wake_up(): make a sleeping task runnable on its CPU", (x, a) -> Value.bool(wakeUp(x, a.obj(0))));
        b.put(new Builtin("cpuidle_wfi", 0, 0, (x, a) -> {
            if (x.cpu.runqueue.isEmpty() && !a.resumed()) {
                x.note("cpu" + x.cpuId(), "cpu" + x.cpuId() + " idles in WFI");
                x.park();
            } else {
                x.note("cpu" + x.cpuId(), "cpu" + x.cpuId() + " leaves WFI: a task is runnable");
            }
            return Value.ZERO;
        }, (x, a) -> !x.cpu.runqueue.isEmpty(), "wait for interrupt until a task is runnable on this CPU"));
        b.proc("generic_handle_domain_irq", 1, "run the handler registered for the interrupt", SchedBuiltins::handleIrq);
        b.proc("smp_send_reschedule", 1, "send the reschedule IPI to a CPU", (x, a) -> {
            int cpu = (int) a.l(0);
            if (cpu < 0 || cpu >= x.w.cpus.length) throw x.error("no cpu" + cpu);
            x.raiseIrq(cpu, Setup.IPI_RESCHEDULE);
        });
        b.proc("disable_irq_nosync", 1, "mask an interrupt (nesting)", (x, a) -> {
            KObject d = desc(x, a.l(0));
            x.setField(d, "depth", Value.of(d.getLong("depth") + 1));
        });
        b.proc("enable_irq", 1, "unmask an interrupt (nesting)", (x, a) -> {
            KObject d = desc(x, a.l(0));
            if (d.getLong("depth") == 0) {
                x.finding("warning", KernelText.warning(x, "Unbalanced enable for IRQ " + a.l(0), "kernel/irq/manage.c", "__enable_irq"));
                return;
            }
            x.setField(d, "depth", Value.of(d.getLong("depth") - 1));
        });
        b.add("irq_to_desc", 1, "the interrupt's descriptor", (x, a) -> new Value.Ref(desc(x, a.l(0)).id()));
        b.add("irqd_irq_disabled", 1, "whether the interrupt is masked", (x, a) -> Value.bool(desc(x, a.l(0)).getLong("depth") > 0));
        b.proc("irq_set_affinity", 2, "route an interrupt to a CPU", (x, a) -> x.setField(desc(x, a.l(0)), "cpu", Value.of(a.l(1))));
        b.proc("preempt_notifier_register", 3, "current's context switches call sched_in(owner, cpu) and sched_out(owner, next)", (x, a) -> {
            KObject me = x.currentTaskStruct();
            x.setField(me, "preempt_notifier", a.get(0));
            x.setField(me, "pn_sched_in", a.get(1));
            x.setField(me, "pn_sched_out", a.get(2));
        });
        b.proc("preempt_notifier_unregister", 0, "current's context switches no longer call its notifier", (x, a) -> {
            KObject me = x.currentTaskStruct();
            x.setField(me, "preempt_notifier", Value.Nil.NULL);
            x.setField(me, "pn_sched_in", Value.Nil.NULL);
            x.setField(me, "pn_sched_out", Value.Nil.NULL);
        });
        b.add("irq_set_irqchip_state", 3, "set or clear an interrupt's pending state at the interrupt controller", (x, a) -> {
            KObject d = desc(x, a.l(0));
            if (a.l(1) != 0) throw x.error("kstep models only IRQCHIP_STATE_PENDING (0)");
            if (a.b(2)) x.raiseIrq(d.getLong("cpu") < 0 ? 0 : (int) d.getLong("cpu"), (int) a.l(0));
            else x.clearIrq((int) a.l(0));
            return Value.ZERO;
        });
        b.add("WARN_ON", 1, "print a warning with a backtrace when the condition holds", (x, a) -> warn(x, a.get(0), false));
        b.add("WARN_ON_ONCE", 1, "WARN_ON, but only the first time this line fires", (x, a) -> warn(x, a.get(0), true));
        b.proc("BUG_ON", 1, "the kernel cannot continue if the condition holds", (x, a) -> {
            if (a.b(0)) bug(x);
        });
        b.proc("BUG", 0, "the kernel cannot continue", (x, a) -> bug(x));
        b.proc("pr_info", 1, "print a line to the kernel log", (x, a) -> x.note("printk", a.str(0)));
    }

    private static void raiseSoftirq(Exec x, Builtin.Args a) {
        long nr = a.l(0);
        if (nr < 0 || nr > 9) throw x.error("softirq numbers are 0..9");
        x.setPendingSoftirqs(x.cpu.pendingSoftirqs | (1 << nr));
    }

    private static KObject desc(Exec x, long irq) {
        KObject d = x.w.irqDesc((int) irq);
        if (d == null) throw x.error("no interrupt " + irq);
        return d;
    }

    private static void setState(Exec x, Builtin.Args a) {
        x.setField(x.currentTaskStruct(), "__state", a.get(0));
        x.task.stateSetAt = KernelText.ipSym(x.frame, x.frame.pc);
    }

    private static void preemptEnable(Exec x, Builtin.Args a) {
        if ((x.cpu.preemptCount & PreemptCount.PREEMPT_MASK) == 0) throw x.error("preempt_count underflow: preempt_enable() without preempt_disable()");
        x.setPreemptCount(x.cpu.preemptCount - PreemptCount.PREEMPT_OFFSET);
    }

    private static String cpuAndPid(Exec x) {
        KObject ts = x.currentTaskStruct();
        return "CPU: " + x.cpuId() + " PID: " + (ts == null ? 0 : ts.getLong("pid"));
    }

    /** include/asm-generic/bug.h WARN_ON(): kernel/panic.c __warn() at the model's line. */
    private static Value warn(Exec x, Value cond, boolean once) {
        if (!cond.truthy()) return Value.ZERO;
        String msg = KernelText.warning(x, null, x.pos.fileLine());
        if (once) x.findingOnce("warn-once:" + x.pos, "warning", msg);
        else x.finding("warning", msg);
        x.taintWarn();
        return Value.ONE;
    }

    private static void bug(Exec x) {
        String fn = x.frame == null ? "?" : x.frame.fn.name();
        x.finding("bug", "------------[ cut here ]------------\nkernel BUG at " + x.pos.fileLine() + "!\nInternal error: Oops - BUG: "
            + cpuAndPid(x) + " " + fn);
    }

    private static int taskIndexOf(Exec x, KObject ts) {
        Task t = x.w.taskOfObject(ts.id());
        if (t == null) throw x.error(ts.name() + " is not a task");
        return t.index;
    }

    private static String showQueue(World w, List<Integer> q) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < q.size(); i++) {
            if (i > 0) b.append(", ");
            b.append(Machine.taskName(w, w.tasks.get(q.get(i))));
        }
        return b.append(']').toString();
    }

    private static void setRunqueue(Exec x, Cpu c, Runnable change) {
        String before = x.recording() ? showQueue(x.w, c.runqueue) : null;
        change.run();
        if (x.recording()) x.emit(Event.change(Event.Kind.CPU, "cpu" + c.id, "runqueue", before, showQueue(x.w, c.runqueue)));
    }

    private static Value pickNextTask(Exec x, Builtin.Args a) {
        KObject prev = a.obj(0);
        int pi = taskIndexOf(x, prev);
        Cpu c = x.cpu;
        Task pt = x.w.tasks.get(pi);
        if (!pt.idle && prev.getLong("on_rq") == 1 && !c.runqueue.contains(pi)) setRunqueue(x, c, () -> c.runqueue.add(pi));
        int next;
        if (!c.runqueue.isEmpty()) {
            next = c.runqueue.get(0);
            setRunqueue(x, c, () -> c.runqueue.remove(0));
        } else {
            next = c.idle;
        }
        return new Value.Ref(x.w.tasks.get(next).obj);
    }

    private static void contextSwitch(Exec x, Builtin.Args a) {
        KObject prev = a.obj(0);
        KObject next = a.obj(1);
        Task pt = x.w.tasks.get(taskIndexOf(x, prev));
        Task nt = x.w.tasks.get(taskIndexOf(x, next));
        Cpu c = x.cpu;
        if (c.current != pt.index) throw x.error("context_switch from a task that is not running here");
        pt.savedPreemptCount = c.preemptCount;
        pt.savedIrqsDisabled = c.irqsDisabled;
        if (prev.getLong("__state") == x.w.program.constant("TASK_DEAD")) pt.stack.clear();
        c.current = nt.index;
        x.emit(Event.change(Event.Kind.SWITCH, "cpu" + c.id, "current", Machine.taskName(x.w, pt), Machine.taskName(x.w, nt)));
        x.setPreemptCount(nt.savedPreemptCount);
        x.setIrqsDisabled(nt.savedIrqsDisabled);
        if (next.getLong("cpu") != c.id) x.setField(next, "cpu", Value.of(c.id));
    }

    /** kernel/sched/core.c try_to_wake_up(), without migration: tasks stay on their CPU. */
    public static boolean wakeUp(Exec x, KObject ts) {
        long running = x.w.program.constant("TASK_RUNNING");
        long state = ts.getLong("__state");
        if (state == running || state == x.w.program.constant("TASK_DEAD")) return false;
        x.setField(ts, "__state", Value.of(running));
        if (ts.getLong("on_rq") == 0) {
            x.setField(ts, "on_rq", Value.ONE);
            int ti = taskIndexOf(x, ts);
            Cpu c = x.w.cpus[(int) ts.getLong("cpu")];
            if (c.current != ti && !c.runqueue.contains(ti)) setRunqueue(x, c, () -> c.runqueue.add(ti));
        }
        return true;
    }

    private static void handleIrq(Exec x, Builtin.Args a) {
        int irq = (int) a.l(0);
        KObject d = x.w.irqDesc(irq);
        if (d == null) {
            x.note("irq", "irq " + irq + ": no handler (spurious)");
            return;
        }
        Value h = d.get("handler");
        if (!(h instanceof Value.Fn fn)) throw x.error("irq " + irq + " has no handler function");
        x.invoke(fn, Value.of(irq), d.get("dev_id"));
    }
}
