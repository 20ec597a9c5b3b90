package kstep.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import kstep.debug.WorldDiff;
import kstep.scenario.Scenario;
import kstep.scenario.Session;

/** {@code kstep diff}: what differs between two steps of a run, or between two variants at one step. */
@Command(name = "diff", description = "What differs between two steps (--steps A..B), or between this variant and another at one step (--step N --against V).")
final class DiffCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ScenarioArgs args;

    @Option(names = "--steps", paramLabel = "A..B", description = "Compare step A with step B of the run.")
    String steps;

    @Option(names = "--step", paramLabel = "N", description = "With --against: the step compared.")
    Integer step;

    @Option(names = "--against", paramLabel = "VARIANT", description = "Compare with this variant at the same step, on the same schedule.")
    String against;

    @CommandLine.Mixin
    ScheduleArgs schedule;

    @Option(names = "--json", description = "One JSON object with the changes.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if ((steps == null) == (against == null)) throw new IllegalArgumentException("give --steps A..B, or --step N --against VARIANT");
        Scenario s = args.open();
        Session session = new Session(s, args.variantOf(s));
        schedule.apply(session);
        List<WorldDiff.Change> cs;
        String what;
        if (steps != null) {
            String[] ab = steps.split("\\.\\.", -1);
            int a;
            int b;
            try {
                if (ab.length != 2) throw new NumberFormatException();
                a = Integer.parseInt(ab[0].strip());
                b = Integer.parseInt(ab[1].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--steps takes A..B, not '" + steps + "'");
            }
            for (int n : new int[] {a, b}) if (n < 0 || n > session.length()) throw new IllegalArgumentException("step " + n + " is outside 0.." + session.length());
            cs = WorldDiff.between(session.worldAt(a), session.worldAt(b));
            what = "step " + a + " -> step " + b;
        } else {
            if (step == null) throw new IllegalArgumentException("--against needs --step N");
            if (!s.variants().containsKey(against)) throw new IllegalArgumentException("no variant '" + against + "' (this scenario has: " + String.join(", ", s.variants().keySet()) + ")");
            if (step < 0 || step > session.length()) throw new IllegalArgumentException("step " + step + " is outside 0.." + session.length());
            cs = WorldDiff.againstVariant(session, step, against);
            what = "step " + step + ": " + session.variant() + " -> " + against;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("scenario", s.id());
            o.put("compare", what);
            List<Map<String, Object>> l = new ArrayList<>();
            for (WorldDiff.Change c : cs) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("what", c.what());
                m.put("before", c.before());
                m.put("after", c.after());
                l.add(m);
            }
            o.put("changes", l);
            out.println(Json.write(o));
        } else {
            out.printf("# %s, %s: %d difference%s%n", s.id(), what, cs.size(), cs.size() == 1 ? "" : "s");
            for (WorldDiff.Change c : cs) out.println(c);
        }
        return Cli.OK;
    }
}
