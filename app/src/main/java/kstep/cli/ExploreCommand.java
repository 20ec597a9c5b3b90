package kstep.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import kstep.engine.Choice;
import kstep.engine.Explorer;
import kstep.scenario.Instance;
import kstep.scenario.Scenario;

/** {@code kstep explore}: search every schedule up to a bound for a finding. */
@Command(name = "explore", description = "Search all schedules (up to a bound) for the shortest one that reaches a finding.")
final class ExploreCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ScenarioArgs args;

    @Option(names = "--bound", paramLabel = "N", description = "Longest schedule to consider, in steps (default: the scenario's).")
    Integer bound;

    @Option(names = "--target", paramLabel = "KIND", description = "Look only for findings of this kind (default: the scenario's explore target, else any).")
    String target;

    @Option(names = "--goal", paramLabel = "G", defaultValue = "finding",
        description = "finding (default): the shortest schedule to a finding; clean-end: the shortest schedule that reaches the scenario's end with no finding (none means every schedule meets a finding first).")
    String goal;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (bound != null && bound < 1) throw new IllegalArgumentException("--bound must be at least 1");
        Scenario s = args.open();
        Instance inst = args.instantiate(s);
        int b = bound == null ? s.explore().bound() : bound;
        if (!goal.equals("finding") && !goal.equals("clean-end")) throw new IllegalArgumentException("--goal is finding or clean-end");
        boolean cleanEnd = goal.equals("clean-end");
        if (cleanEnd && target != null) throw new IllegalArgumentException("--target only goes with --goal finding");
        Explorer.Result r = inst.explore(b, cleanEnd ? Explorer.Goal.cleanEnd()
            : Explorer.Goal.finding(target != null ? target : s.explore().target()));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            var j = Json.explore(s.id(), inst.variant().name(), b, r);
            j.put("goal", goal);
            j.put("reached_end", r.reachedEnd());
            out.println(Json.write(j));
        } else {
            out.printf("# %s, variant %s: explored %d states (%d transitions), bound %d steps%s%n", s.id(), inst.variant().name(),
                r.exploredStates(), r.transitions(), b, s.explore().preemptions() == null ? "" : ", at most " + s.explore().preemptions() + " preemptions");
            if (cleanEnd) {
                if (r.reachedEnd()) {
                    out.printf("a schedule of %d steps reaches the end with no finding:%n  %s%n", r.schedule().size(), compress(r));
                } else if (r.exhausted()) {
                    out.println("no schedule of at most " + b + " steps reaches the end without a finding: every one meets a finding first");
                } else {
                    out.println("the search stopped at its state limit: not exhausted");
                }
            } else if (r.finding() != null) {
                out.printf("finding %s after %d steps; shortest schedule:%n", r.finding().kind(), r.schedule().size());
                out.println("  " + compress(r));
                for (String l : r.finding().message().split("\n")) out.println("  " + l);
                out.println("replay: kstep run " + args.scenario + " --variant " + inst.variant().name() + " --schedule @FILE (save this with --json)");
            } else if (r.exhausted()) {
                out.printf("no finding: the bounded space is exhausted%s%n",
                    r.frontierAtBound() == 0 ? " (every reachable state was visited)" : " (" + r.frontierAtBound() + " states at the bound not expanded)");
            } else {
                out.println("no finding, but the search stopped at its state limit: not exhausted");
            }
        }
        if (cleanEnd) return r.reachedEnd() ? Cli.OK : Cli.FOUND;
        return r.finding() == null ? Cli.OK : Cli.FOUND;
    }

    /** "cpu0 x115, preempt:cpu0, ..." : runs of the same choice folded. */
    private static String compress(Explorer.Result r) {
        StringBuilder b = new StringBuilder();
        Choice prev = null;
        int n = 0;
        for (Choice c : r.schedule()) {
            if (c.equals(prev)) {
                n++;
                continue;
            }
            if (prev != null) b.append(prev).append(n > 1 ? " x" + n : "").append(", ");
            prev = c;
            n = 1;
        }
        if (prev != null) b.append(prev).append(n > 1 ? " x" + n : "");
        return b.toString();
    }
}
