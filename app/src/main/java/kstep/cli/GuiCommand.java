package kstep.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import kstep.app.KstepApp;
import kstep.scenario.Samples;
import kstep.scenario.Scenario;

/** {@code kstep gui}: open the window (what {@code kstep} with no arguments does). */
@Command(name = "gui", description = "Open the kstep window on a scenario (default: " + Samples.DEFAULT + ").")
public final class GuiCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SCENARIO", arity = "0..1", description = "A sample id or a scenario file.")
    String scenario;

    @Option(names = "--variant", paramLabel = "V", description = "The kernel variant to show first.")
    String variant;

    @Option(names = "--screenshot", paramLabel = "FILE", description = "Save the window to this PNG once it is up, then quit.")
    java.nio.file.Path screenshot;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        // report bad input before any window
        Scenario s = scenario != null && kstep.bundle.Bundle.isBundle(scenario)
            ? kstep.bundle.Bundle.open(java.nio.file.Path.of(scenario), kstep.annotate.Sidecar.dataHome()).session().scenario()
            : Samples.open(scenario == null ? Samples.DEFAULT : scenario);
        if (variant != null && s.variant(variant) == null)
            throw new IllegalArgumentException("no variant '" + variant + "' (this scenario has: " + String.join(", ", s.variants().keySet()) + ")");
        try {
            if (screenshot != null && java.nio.file.Files.exists(screenshot))
                throw new IllegalArgumentException(screenshot + " exists; kstep does not overwrite files");
            KstepApp.launchWindow(scenario, variant, screenshot);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            spec.commandLine().getErr().println("kstep: cannot open a window: " + e.getMessage() + "\n"
                + "The window needs GTK 3 and a display. On a bare Debian/Ubuntu machine:\n"
                + "  apt-get install -y libgtk-3-0 libxtst6 xvfb\n"
                + "and, without a screen, run it under xvfb-run. The command line (kstep run, explore, export) needs neither.");
            return Cli.INTERNAL;
        }
        return Cli.OK;
    }
}
