package kstep.scenario;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.Predicate;

import kstep.engine.Check;
import kstep.engine.Choice;
import kstep.engine.Compiler;
import kstep.engine.Ev;
import kstep.engine.Explorer;
import kstep.engine.ExternalEvent;
import kstep.engine.Function;
import kstep.engine.ListPolicy;
import kstep.engine.Machine;
import kstep.engine.Program;
import kstep.engine.RandomPolicy;
import kstep.engine.Runner;
import kstep.engine.SchedulePolicy;
import kstep.engine.Setup;
import kstep.engine.Value;
import kstep.engine.World;
import kstep.lang.Ast;
import kstep.lang.Parser;
import kstep.lang.SourceError;
import kstep.lang.SourcePos;

/**
 * One variant of a scenario, ready to run: the linked program, the machine with its checks and events, the
 * World at step 0, the end condition and the compiled schedule.
 */
public final class Instance {
    /** The longest run kstep makes unless asked otherwise. */
    public static final int DEFAULT_MAX_STEPS = 100_000;

    private final Scenario scenario;
    private final Scenario.Variant variant;
    private final Program program;
    private final Machine machine;
    private final World initial;
    private final Predicate<World> end;
    private final List<ScriptedPolicy.Compiled> script;

    Instance(Scenario s, Scenario.Variant v) {
        this.scenario = s;
        this.variant = v;
        this.program = Compiler.compile(s.models, new HashSet<>(v.defines()), Subsystems.builtins());
        Setup setup = new Setup(program, s.cpus);
        List<Check> checks = new ArrayList<>();
        List<ExternalEvent> events = new ArrayList<>();
        java.util.Map<String, kstep.engine.FieldHook> hooks = new java.util.LinkedHashMap<>();
        for (Subsystem sub : Subsystems.all()) {
            YNode section = s.sections.get(sub.name());
            Subsystem.Contribution c = sub.setup(section, setup);
            checks.addAll(c.checks());
            events.addAll(c.events());
            hooks.putAll(c.fieldHooks());
        }
        events.addAll(interrupts(s.sections.get("irqs"), s.sections.get("softirqs"), setup));
        this.machine = new Machine(program, config(s, v), checks, events, hooks);
        for (Scenario.TaskSpec t : s.tasks) {
            Ast.Expr e = Parser.parseExpression(t.entry(), t.entryPos());
            if (!(e instanceof Ast.Call call) || !(call.callee() instanceof Ast.Name fn))
                throw new SourceError(t.entryPos(), "entry must be a call such as kvm_arch_vcpu_ioctl_run(vcpu0)");
            Function f = program.function(fn.id());
            if (f == null) throw new SourceError(fn.pos(), "no model function '" + fn.id() + "'");
            Value[] args = new Value[call.args().size()];
            for (int i = 0; i < args.length; i++) args[i] = machine.evaluate(setup.world(), condition(call.args().get(i), setup.world()));
            setup.task(t.name(), t.pid(), t.cpu(), fn.id(), args, t.pos(), t.sleeping());
        }
        // names in model code may be the scenario's objects or its tasks (ptrace_access_vm(target, ...))
        for (Program.Unresolved u : program.unresolved()) {
            if (setup.world().named(u.name()) == null)
                throw new SourceError(u.pos(), "unknown name '" + u.name() + "' (not a variable, constant, function or scenario object)");
        }
        this.initial = setup.world();
        if (s.end != null) {
            Ev ev = condition(Parser.parseExpression(s.end, s.endPos), initial);
            this.end = w -> machine.evaluate(w, ev).truthy();
        } else {
            this.end = null;
        }
        this.script = ScriptedPolicy.compile(s.schedule, this);
    }

    /**
     * Whether a run ended as the variant's {@code expect} says: "none" means no finding, anything else is the
     * kind of the first finding.
     */
    public boolean asExpected(Runner.Result r) {
        String expect = variant.expect();
        if (expect.equals("none")) return r.trace().findings().isEmpty();
        return !r.trace().findings().isEmpty() && r.trace().findings().get(0).kind().equals(expect);
    }

    /**
     * The scenario's own interrupts and softirqs: {@code irqs: [{irq: 30, name: eth0, handler: eth_irq, cpu: 0,
     * event: nic, times: 1}]} requests the interrupt (and lets the event raise it on its CPU);
     * {@code softirqs: [{nr: 3, name: NET_RX, handler: net_rx_action}]} opens the softirq.
     */
    private List<ExternalEvent> interrupts(YNode irqs, YNode softirqs, Setup setup) {
        List<ExternalEvent> out = new ArrayList<>();
        if (irqs != null) {
            for (YNode n : irqs.list()) {
                n.allowOnly(java.util.Set.of("irq", "name", "handler", "cpu", "dev", "event", "times"));
                int irq = n.require("irq").intIn(2, 1 << 20);
                if (setup.world().irqDesc(irq) != null) throw n.require("irq").error("irq " + irq + " is already requested");
                Function h = handler(n.require("handler"), 2);
                int cpu = n.get("cpu") == null ? 0 : n.get("cpu").intIn(0, s().cpus - 1);
                kstep.engine.Value dev = kstep.engine.Value.Nil.NULL;
                if (n.get("dev") != null) {
                    kstep.engine.KObject o = setup.world().named(n.get("dev").str());
                    if (o == null) throw n.get("dev").error("no object named '" + n.get("dev").str() + "'");
                    dev = new kstep.engine.Value.Ref(o.id());
                }
                setup.requestIrq(irq, n.optStr("name", "irq" + irq), new kstep.engine.Value.Fn(h.name()), dev, cpu);
                if (n.get("event") != null) {
                    String ev = n.get("event").str();
                    int times = n.get("times") == null ? 1 : n.get("times").intIn(1, 1_000_000);
                    setup.budget(ev, times);
                    out.add(new ExternalEvent(ev, "the device raises irq " + irq + " on cpu" + cpu, times, w -> true,
                        x -> x.raiseIrq(cpu, irq)));
                }
            }
        }
        if (softirqs != null) {
            for (YNode n : softirqs.list()) {
                n.allowOnly(java.util.Set.of("nr", "name", "handler"));
                int nr = n.require("nr").intIn(0, 9);
                if (setup.world().named("softirq" + nr) != null) throw n.require("nr").error("softirq " + nr + " is opened twice");
                Function h = handler(n.require("handler"), 1);
                setup.openSoftirq(nr, n.optStr("name", "SOFTIRQ" + nr), new kstep.engine.Value.Fn(h.name()), n.pos());
            }
        }
        return out;
    }

    private Scenario s() {
        return scenario;
    }

    private Function handler(YNode n, int params) {
        Function f = program.function(n.str());
        if (f == null) throw n.error("no model function '" + n.str() + "'" + kstep.lang.Suggest.didYouMean(n.str(), program.functions().keySet()));
        if (f.params() != params) throw n.error(f.name() + " must take " + params + " parameter" + (params == 1 ? "" : "s"));
        return f;
    }

    private static kstep.engine.KernelConfig config(Scenario s, Scenario.Variant v) {
        try {
            return kstep.engine.KernelConfig.of(v.kernel(), s.preempt, s.lockdep, s.arch);
        } catch (IllegalArgumentException e) {
            throw new SourceError(v.pos(), e.getMessage());
        }
    }

    /** Compiles an expression over the world; names must be declared or be scenario objects. */
    Ev condition(Ast.Expr e, World w) {
        List<Program.Unresolved> un = new ArrayList<>();
        Ev ev = Compiler.expression(program, e, un);
        for (Program.Unresolved u : un)
            if (w.named(u.name()) == null) throw new SourceError(u.pos(), "unknown name '" + u.name() + "'");
        return ev;
    }

    Ev condition(String text, SourcePos pos) {
        return condition(Parser.parseExpression(text, pos), initial);
    }

    public Scenario scenario() {
        return scenario;
    }

    public Scenario.Variant variant() {
        return variant;
    }

    public Program program() {
        return program;
    }

    public Machine machine() {
        return machine;
    }

    /** A copy of the World at step 0. */
    public World initial() {
        return initial.copy();
    }

    public Predicate<World> end() {
        return end;
    }

    public boolean hasScript() {
        return !script.isEmpty();
    }

    /** A fresh policy following the scenario's scripted schedule. */
    public SchedulePolicy scriptPolicy() {
        return new ScriptedPolicy(script, this);
    }

    public Runner.Result run(SchedulePolicy policy, int maxSteps) {
        return Runner.run(machine, initial(), policy, end, maxSteps, scenario.stopAtFinding());
    }

    /** The scripted schedule if the scenario has one, else a seeded random walk with seed 0. */
    public Runner.Result runDefault() {
        return run(hasScript() ? scriptPolicy() : new RandomPolicy(0), DEFAULT_MAX_STEPS);
    }

    public Runner.Result runSeed(long seed, int maxSteps) {
        return run(new RandomPolicy(seed), maxSteps);
    }

    public Runner.Result runChoices(List<Choice> choices) {
        return run(new ListPolicy(choices), choices.size());
    }

    /** Explores every schedule up to {@code bound} steps (the scenario's bound when null) for the scenario's target. */
    public Explorer.Result explore(Integer bound) {
        return explore(bound, Explorer.Goal.finding(scenario.explore.target()));
    }

    /** Explores for {@code goal}: a finding (of a kind), or a schedule that reaches the end with no finding. */
    public Explorer.Result explore(Integer bound, Explorer.Goal goal) {
        Scenario.ExploreSpec x = scenario.explore;
        if (goal.toEnd() && end == null) throw new IllegalArgumentException("this scenario has no end condition to reach");
        World w = x.preemptions() == null ? initial() : initial.withBudget("preempt", x.preemptions());
        return Explorer.explore(machine, w, bound == null ? x.bound() : bound, end, x.maxStates(), goal);
    }
}
