package kstep.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import kstep.engine.Choice;
import kstep.engine.Event;
import kstep.engine.Finding;
import kstep.engine.RandomPolicy;
import kstep.engine.Runner;
import kstep.engine.StepRecord;
import kstep.scenario.Instance;
import kstep.scenario.Scenario;

/** {@code kstep run}: record a run and print it, a line a step, then the findings. */
@Command(name = "run", description = "Run a scenario (the scripted schedule, a seeded random one or a given one) and print every step.")
final class RunCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ScenarioArgs args;

    @Option(names = "--seed", paramLabel = "N", description = "Schedule at random with this seed instead of the scenario's script.")
    Long seed;

    @Option(names = "--schedule", paramLabel = "S",
        description = "Replay these choices: \"cpu0,preempt:cpu0,irq:cpu0,event:msi\", or @FILE with a JSON array (kstep explore --json output works).")
    String schedule;

    @Option(names = "--max-steps", paramLabel = "N", defaultValue = "100000", description = "Stop after this many steps (default ${DEFAULT-VALUE}).")
    int maxSteps;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (seed != null && schedule != null) throw new IllegalArgumentException("--seed and --schedule cannot be used together");
        if (maxSteps < 1) throw new IllegalArgumentException("--max-steps must be at least 1");
        Scenario s = args.open();
        Instance inst = args.instantiate(s);
        Runner.Result r;
        String how;
        if (schedule != null) {
            List<Choice> cs = parseSchedule(schedule);
            r = inst.runChoices(cs);
            how = "given schedule (" + cs.size() + " choices)";
        } else if (seed != null || !inst.hasScript()) {
            long sd = seed == null ? 0 : seed;
            r = inst.run(new RandomPolicy(sd), maxSteps);
            how = "random schedule, seed " + sd;
        } else {
            r = inst.run(inst.scriptPolicy(), maxSteps);
            how = "scripted schedule";
        }
        String outcome = r.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-');
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            var j = Json.run(s.id(), inst.variant().name(), r.trace(), outcome);
            j.put("expect", inst.variant().expect());
            j.put("as_expected", inst.asExpected(r));
            out.println(Json.write(j));
        } else {
            printText(out, s, inst, r, how, outcome);
            out.printf("expected: %s (%s)%n", inst.variant().expect(), inst.asExpected(r) ? "as expected" : "NOT as expected");
        }
        return r.trace().findings().isEmpty() ? Cli.OK : Cli.FOUND;
    }

    static void printText(PrintWriter out, Scenario s, Instance inst, Runner.Result r, String how, String outcome) {
        Scenario.Variant v = inst.variant();
        out.printf("# %s, variant %s%s: %s%n", s.id(), v.name(), v.kernel().isEmpty() ? "" : " (kernel " + v.kernel() + ")", how);
        for (StepRecord st : r.trace().steps()) {
            StringBuilder b = new StringBuilder();
            for (Event e : st.events()) {
                if (b.length() > 0) b.append("; ");
                b.append(e.text());
            }
            out.printf("%5d %-5s %-12s %-24s %s%n", st.n(), st.cpuText(), st.taskName(), st.whereText(), b);
            if (st.note() != null) for (String l : st.note().split("\n")) out.println("      note: " + l);
        }
        for (Finding f : r.trace().findings()) {
            out.printf("finding %s at step %d:%n", f.kind(), f.step());
            for (String l : f.message().split("\n")) out.println("  " + l);
        }
        out.printf("outcome: %s after %d steps%n", outcome, r.trace().length());
    }

    static List<Choice> parseSchedule(String spec) throws IOException {
        List<String> items;
        if (spec.startsWith("@")) {
            Path p = Path.of(spec.substring(1));
            if (!Files.isRegularFile(p)) throw new IllegalArgumentException("no schedule file " + p);
            String text = Files.readString(p, StandardCharsets.UTF_8);
            try {
                items = Json.readSchedule(text);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                var loc = e.getLocation();
                throw new IllegalArgumentException(p + ":" + (loc == null ? 1 : loc.getLineNr()) + ":" + (loc == null ? 1 : loc.getColumnNr())
                    + ": error: not a JSON schedule: " + e.getOriginalMessage());
            }
        } else {
            items = new ArrayList<>();
            for (String x : spec.split("[,\\s]+")) if (!x.isBlank()) items.add(x);
        }
        List<Choice> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            try {
                out.add(Choice.parse(items.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("schedule entry " + (i + 1) + ": " + e.getMessage());
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("the schedule is empty");
        return out;
    }
}
