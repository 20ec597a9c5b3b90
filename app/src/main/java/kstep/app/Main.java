package kstep.app;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import kstep.cli.Cli;

/**
 * {@code kstep} with no arguments opens the window on the default sample, with a .kstep file that bundle; with a
 * sub-command, the command line.
 */
public final class Main {
    private Main() { }

    public static void main(String[] args) {
        if (args.length == 0) args = new String[] {"gui"};
        // ./kstep moment.kstep opens a bundle someone sent, as a double-click would
        else if (args.length == 1 && kstep.bundle.Bundle.isBundle(args[0])) args = new String[] {"gui", args[0]};
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(Cli.run(args, out, err));
    }
}
