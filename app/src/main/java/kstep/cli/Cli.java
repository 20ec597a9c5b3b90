package kstep.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import kstep.lang.SourceError;

/**
 * The {@code kstep} command line. Exit codes: 0 ran with no finding, 3 ran and reached a finding, 2 bad input
 * or usage (message on stderr), 1 internal error.
 */
@Command(name = "kstep", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "kstep 0.1.0",
    description = "Step through Linux kernel code paths, find the bad interleaving, export the steps.",
    subcommands = {ListCommand.class, RunCommand.class, ExploreCommand.class, ExportCommand.class, BundleCommand.class, DebugCommand.class, DiffCommand.class, GuiCommand.class, MmCommand.class, BpfCommand.class})
public final class Cli implements Callable<Integer> {
    public static final int OK = 0;
    public static final int INTERNAL = 1;
    public static final int BAD_INPUT = 2;
    public static final int FOUND = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return OK;
    }

    /** Runs the command line with {@code args}; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Cli());
        cl.setExpandAtFiles(false); // "@FILE" is ours: kstep run --schedule @FILE
        cl.setOut(out);
        cl.setErr(err);
        cl.setExitCodeExceptionMapper(e -> e instanceof SourceError || e instanceof IllegalArgumentException ? BAD_INPUT : INTERNAL);
        cl.setExecutionExceptionHandler((e, cmd, parse) -> {
            if (e instanceof SourceError || e instanceof IllegalArgumentException) {
                cmd.getErr().println(e instanceof SourceError ? e.getMessage() : "kstep: " + e.getMessage());
                return BAD_INPUT;
            }
            cmd.getErr().println("kstep: internal error: " + e);
            e.printStackTrace(cmd.getErr());
            return INTERNAL;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("kstep: " + e.getMessage());
            e.getCommandLine().usage(e.getCommandLine().getErr());
            return BAD_INPUT;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
