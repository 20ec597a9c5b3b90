package kstep.scenario;

import java.util.ArrayList;
import java.util.List;

import kstep.engine.Choice;
import kstep.engine.Cpu;
import kstep.engine.Ev;
import kstep.engine.Frame;
import kstep.engine.Function;
import kstep.engine.Machine;
import kstep.engine.Op;
import kstep.engine.SchedulePolicy;
import kstep.engine.StepResult;
import kstep.engine.Task;
import kstep.engine.World;
import kstep.lang.SourceError;

/**
 * Follows a scenario's scripted schedule. {@code preempt} and {@code irq} happen at the first moment the CPU
 * allows them (it is stepped until then), as a tick or a pending interrupt would; lines that cannot happen at
 * all when their turn comes are skipped with a note, so one script drives a buggy and a fixed kernel whose
 * paths differ. A line's note is attached to the last step the line produced.
 */
final class ScriptedPolicy implements SchedulePolicy {
    /** The longest a single line may go before it gives up. */
    static final int RUN_LIMIT = 20_000;

    /** A schedule line checked against the variant's program; {@code cond} is the compiled {@code expr}. */
    record Compiled(ScheduleAction action, Ev cond) { }

    private final List<Compiled> actions;
    private final Instance inst;
    private int index;
    private int done;
    private boolean injecting;
    private int rr;
    private final StringBuilder before = new StringBuilder();
    private String closing;

    ScriptedPolicy(List<Compiled> actions, Instance inst) {
        this.actions = actions;
        this.inst = inst;
    }

    static List<Compiled> compile(List<ScheduleAction> schedule, Instance inst) {
        List<Compiled> out = new ArrayList<>();
        for (ScheduleAction a : schedule) {
            Ev cond = null;
            if (a instanceof ScheduleAction.Run r) {
                ScheduleAction.Until u = r.until();
                if (u instanceof ScheduleAction.Until.Enter e) fn(inst, e.fn(), a);
                if (u instanceof ScheduleAction.Until.Return e) fn(inst, e.fn(), a);
                if (u instanceof ScheduleAction.Until.Call e && inst.program().function(e.fn()) == null
                    && inst.program().builtins().get(e.fn()) == null)
                    throw new SourceError(a.pos(), "no function '" + e.fn() + "' in variant " + inst.variant().name() + "'s models");
                if (u instanceof ScheduleAction.Until.Label l) {
                    boolean found = false;
                    for (Function f : inst.program().functions().values()) found |= f.label(l.label()) >= 0;
                    if (!found) throw new SourceError(a.pos(), "no label '" + l.label() + "' in variant " + inst.variant().name() + "'s models");
                }
                if (u instanceof ScheduleAction.Until.End && inst.end() == null)
                    throw new SourceError(a.pos(), "'until end' needs the scenario's end condition");
                if (u instanceof ScheduleAction.Until.Expr x) cond = inst.condition(x.text(), x.pos());
            }
            if (a instanceof ScheduleAction.Inject i && i.choice().kind() == Choice.Kind.EVENT
                && !inst.machine().externalEvents().containsKey(i.choice().event()))
                throw new SourceError(a.pos(), "no event '" + i.choice().event() + "' (this scenario has: "
                    + String.join(", ", inst.machine().externalEvents().keySet()) + ")");
            out.add(new Compiled(a, cond));
        }
        return out;
    }

    private static void fn(Instance inst, String name, ScheduleAction a) {
        if (inst.program().function(name) == null)
            throw new SourceError(a.pos(), "no model function '" + name + "' in variant " + inst.variant().name());
    }

    @Override
    public String takeNote() {
        if (before.length() == 0) return null;
        String s = before.toString();
        before.setLength(0);
        return s;
    }

    @Override
    public String takeClosingNote() {
        String s = closing;
        closing = null;
        return s;
    }

    private void skip(ScheduleAction a, String why) {
        if (before.length() > 0) before.append('\n');
        before.append("schedule: skipped '").append(a.text()).append("': ").append(why);
        if (a.note() != null) before.append('\n').append(a.note());
        advance();
    }

    /** The line is complete with the step just taken: its note goes on that step. */
    private void finish(ScheduleAction a) {
        closing = a.note();
        advance();
    }

    private void advance() {
        index++;
        done = 0;
        injecting = false;
    }

    @Override
    public Choice next(World w, List<Choice> enabled, Machine m) {
        while (index < actions.size()) {
            Compiled c = actions.get(index);
            ScheduleAction a = c.action();
            if (done >= RUN_LIMIT) {
                skip(a, "gave up after " + RUN_LIMIT + " steps");
                continue;
            }
            if (a instanceof ScheduleAction.Step s) {
                Choice ch = Choice.step(s.cpu());
                if (enabled.contains(ch)) return ch;
                skip(a, m.whyNot(w, ch));
                continue;
            }
            if (a instanceof ScheduleAction.Inject i) {
                Choice ch = i.choice();
                if (enabled.contains(ch)) {
                    injecting = true;
                    return ch;
                }
                Choice approach = approach(w, ch, enabled);
                if (approach != null) return approach;
                skip(a, m.whyNot(w, ch));
                continue;
            }
            ScheduleAction.Run r = (ScheduleAction.Run) a;
            if (done == 0 && holdsNow(r, c.cond(), w, enabled)) {
                skip(a, "its condition already holds");
                continue;
            }
            Choice ch = pick(r.cpu(), enabled);
            if (ch != null) return ch;
            if (r.until() instanceof ScheduleAction.Until.Blocked) finishWithoutStep(a);
            else skip(a, r.cpu() < 0 ? "no CPU can step" : m.whyNot(w, Choice.step(r.cpu())));
        }
        return null;
    }

    private void finishWithoutStep(ScheduleAction a) {
        if (a.note() != null) {
            if (before.length() > 0) before.append('\n');
            before.append(a.note());
        }
        advance();
    }

    /**
     * How to get closer to an injection that is not possible yet: step the CPU until it unmasks interrupts or
     * becomes preemptible. Null when waiting cannot help (nothing pending, nobody else runnable, CPU stuck).
     */
    private Choice approach(World w, Choice ch, List<Choice> enabled) {
        if (ch.kind() == Choice.Kind.EVENT || ch.cpu() >= w.cpuCount()) return null;
        Cpu cpu = w.cpu(ch.cpu());
        if (ch.kind() == Choice.Kind.IRQ && cpu.pendingIrqs().isEmpty()) return null;
        // nothing pending yet: worth waiting only while an interrupt handler runs, which may raise one
        boolean inHardirq = false;
        for (Frame f : w.current(ch.cpu()).stack()) if (f.kind() == Frame.Kind.IRQ) inHardirq = true;
        if (ch.kind() == Choice.Kind.SOFTIRQ && cpu.pendingSoftirqs() == 0 && !inHardirq) return null;
        if (ch.kind() == Choice.Kind.PREEMPT && cpu.runqueue().isEmpty()) return null;
        Choice step = Choice.step(ch.cpu());
        return enabled.contains(step) ? step : null;
    }

    private Choice pick(int cpu, List<Choice> enabled) {
        if (cpu >= 0) {
            Choice ch = Choice.step(cpu);
            return enabled.contains(ch) ? ch : null;
        }
        List<Choice> steps = new ArrayList<>();
        for (Choice e : enabled) if (e.kind() == Choice.Kind.STEP) steps.add(e);
        if (steps.isEmpty()) return null;
        return steps.get(rr++ % steps.size());
    }

    @Override
    public void observe(StepResult res, World after) {
        if (index >= actions.size()) return;
        Compiled c = actions.get(index);
        ScheduleAction a = c.action();
        done++;
        if (a instanceof ScheduleAction.Step s) {
            if (done >= s.count()) finish(a);
        } else if (a instanceof ScheduleAction.Inject) {
            if (injecting) finish(a);
        } else {
            ScheduleAction.Run r = (ScheduleAction.Run) a;
            ScheduleAction.Until u = r.until();
            boolean met;
            if (u instanceof ScheduleAction.Until.Enter e) met = e.fn().equals(res.entered());
            else if (u instanceof ScheduleAction.Until.Return e) met = e.fn().equals(res.returned());
            else if (u instanceof ScheduleAction.Until.Switch) met = res.switched();
            else if (u instanceof ScheduleAction.Until.Finding) met = !res.findings().isEmpty();
            else met = holdsNow(r, c.cond(), after, inst.machine().enabled(after));
            if (met) finish(a);
        }
    }

    /** State conditions, evaluated on the world as it is now. */
    private boolean holdsNow(ScheduleAction.Run r, Ev cond, World w, List<Choice> enabled) {
        ScheduleAction.Until u = r.until();
        if (u instanceof ScheduleAction.Until.Blocked) return pick(r.cpu(), enabled) == null;
        if (u instanceof ScheduleAction.Until.End) return inst.end() != null && inst.end().test(w);
        if (u instanceof ScheduleAction.Until.Expr) return inst.machine().evaluate(w, cond).truthy();
        if (u instanceof ScheduleAction.Until.Call || u instanceof ScheduleAction.Until.Label) {
            for (int c = 0; c < w.cpuCount(); c++) {
                if ((r.cpu() < 0 || c == r.cpu()) && atPoint(w, c, u)) return true;
            }
        }
        return false;
    }

    private static boolean atPoint(World w, int cpu, ScheduleAction.Until u) {
        Task t = w.current(cpu);
        Frame f = t.top();
        if (f == null) return false;
        Function fn = f.function();
        int pc = fn.nextStepPc(f.pc());
        if (u instanceof ScheduleAction.Until.Label l) {
            int at = fn.label(l.label());
            return at >= 0 && fn.nextStepPc(at) == pc;
        }
        String name = ((ScheduleAction.Until.Call) u).fn();
        return pc < fn.size() && fn.op(pc) instanceof Op.Call call && name.equals(call.name());
    }
}
