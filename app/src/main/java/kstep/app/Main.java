package kstep.app;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import kstep.cli.Cli;

/** {@code kstep} with no arguments opens the window on the default sample; with a sub-command, the command line. */
public final class Main {
    private Main() { }

    public static void main(String[] args) {
        if (args.length == 0) args = new String[] {"gui"};
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(Cli.run(args, out, err));
    }
}
