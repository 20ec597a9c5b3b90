package kstep.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import kstep.annotate.Sidecar;
import kstep.bundle.Bundle;
import kstep.scenario.Scenario;
import kstep.scenario.Session;

/** {@code kstep bundle}: one moment (scenario, variant, schedule, step, annotations) as a .kstep file to send. */
@Command(name = "bundle", description = "Save a moment of a scenario (its variant, schedule, step, tabs and annotations) as a .kstep file; ./kstep FILE.kstep opens it.")
final class BundleCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ScenarioArgs args;

    @Option(names = "--out", paramLabel = "FILE.kstep", required = true, description = "The bundle to write.")
    Path out;

    @CommandLine.Mixin
    ScheduleArgs schedule;

    @Option(names = "--step", paramLabel = "N", defaultValue = "0", description = "The step it opens at (default ${DEFAULT-VALUE}).")
    int step;

    @Option(names = "--tabs", paramLabel = "NAME,...", split = ",", description = "The tabs it shows.")
    List<String> tabs = List.of();

    @Option(names = "--force", description = "Overwrite an existing file.")
    boolean force;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Bundle.isBundle(out.getFileName().toString())) throw new IllegalArgumentException("--out must end in .kstep");
        if (Files.exists(out) && !force) throw new IllegalArgumentException(out + " exists; kstep does not overwrite files (use --force)");
        Scenario s = args.open();
        Session session = new Session(s, args.variantOf(s));
        schedule.apply(session);
        if (step < 0 || step > session.length()) throw new IllegalArgumentException("--step " + step + " is outside 0.." + session.length());
        session.jump(step);
        Sidecar side = Sidecar.open(Sidecar.pathFor(s));
        if (side.problemText().isPresent()) throw new IllegalArgumentException("annotations: " + side.problemText().get());
        Bundle.write(out, session, side.doc(), tabs);
        spec.commandLine().getOut().printf("wrote %s (%s, variant %s, step %d of %d, %d annotation%s)%n", out, s.id(), session.variant(), step,
            session.length(), side.doc().annotations().size(), side.doc().annotations().size() == 1 ? "" : "s");
        return Cli.OK;
    }
}
