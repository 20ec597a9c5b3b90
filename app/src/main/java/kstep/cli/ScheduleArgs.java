package kstep.cli;

import java.io.IOException;

import picocli.CommandLine.Option;

import kstep.scenario.Session;

/** The --seed and --schedule the commands that record a session take (bundle, debug, diff). */
final class ScheduleArgs {
    @Option(names = "--seed", paramLabel = "N", description = "A random schedule with this seed instead of the scenario's script.")
    Long seed;

    @Option(names = "--schedule", paramLabel = "S", description = "These choices (as kstep run takes them).")
    String schedule;

    /** Records {@code s} again with the schedule asked for (nothing asked: the scenario's script stays). */
    void apply(Session s) throws IOException {
        if (seed != null && schedule != null) throw new IllegalArgumentException("--seed and --schedule cannot be used together");
        if (seed != null) s.seeded(seed);
        if (schedule != null) s.replay(RunCommand.parseSchedule(schedule));
    }
}
