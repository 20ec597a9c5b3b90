package kstep.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import kstep.lang.SourceError;
import kstep.mm.KvmaScript;

/** {@code kstep mm}: the address-space engine on its own. */
@Command(name = "mm", description = "Memory management: replay VMA scripts, read a process's maps.",
    subcommands = {MmCommand.Replay.class, MmCompare.class, MmCommand.Maps.class})
final class MmCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Cli.OK;
    }

    /** Reads a text file for the mm commands: a missing or unreadable file is bad input at line 1. */
    static String read(String path) {
        return InputFiles.text(path);
    }

    /** {@code kstep mm maps (--pid N | FILE)}: a real process's address space. */
    @Command(name = "maps", description = "Read a process's /proc/PID/maps or smaps (or a saved copy): print a summary,"
        + " render the address-space view to PNG, or open it in a window.")
    static final class Maps implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "0..1", description = "A saved maps or smaps file.")
        String file;

        @CommandLine.Option(names = "--pid", paramLabel = "N", description = "Read /proc/N/smaps of a running process.")
        Long pid;

        @CommandLine.Option(names = "--png", paramLabel = "FILE", description = "Render the address-space view to this PNG (headless).")
        Path png;

        @CommandLine.Option(names = "--force", description = "Overwrite the PNG if it exists.")
        boolean force;

        @CommandLine.Option(names = "--show", description = "Open the address-space view in a window (needs a display).")
        boolean show;

        @CommandLine.Option(names = "--print", description = "Print the maps back as /proc/PID/maps would.")
        boolean print;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if ((file == null) == (pid == null)) throw new IllegalArgumentException("give a maps file or --pid N");
            String path = pid != null ? "/proc/" + pid + "/smaps" : file;
            String name = pid != null ? "pid " + pid : Path.of(file).getFileName().toString();
            kstep.mm.MapsFile.Result r = kstep.mm.MapsFile.parse(path, read(path));
            PrintWriter out = spec.commandLine().getOut();
            if (print) out.print(kstep.mm.ProcMaps.maps(r.mm()));
            else out.print(kstep.mm.MapsSummary.of(path, r));
            if (png != null) {
                if (Files.exists(png) && !force) throw new IllegalArgumentException(png + " exists; kstep does not overwrite files (use --force)");
                kstep.app.MapsWindow.png(r, name, png);
                out.println("wrote " + png);
            }
            if (show) kstep.app.MapsWindow.show(r, name);
            return Cli.OK;
        }
    }

    /** {@code kstep mm replay SCRIPT...}: what ../shared/tools/kvma.c prints for each script. */
    @Command(name = "replay", description = "Replay kvma scripts (mmap, munmap, mprotect, mlock, munlock, touch, mremap, madvise)"
        + " on a Linux 6.18 address space and print what kvma prints: each step's result and the arena's VMAs.")
    static final class Replay implements Callable<Integer> {
        @Parameters(paramLabel = "SCRIPT", arity = "1..*", description = "kvma script files.")
        List<String> scripts;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int code = Cli.OK;
            for (String path : scripts) {
                String text;
                KvmaScript s;
                try {
                    text = read(path);
                    s = KvmaScript.parse(path, text);
                } catch (SourceError e) {
                    err.println(e.getMessage());
                    code = Cli.BAD_INPUT;
                    continue;
                }
                if (scripts.size() > 1) out.println("==> " + path + " <==");
                out.print(s.replay());
            }
            return code;
        }
    }
}
