package kstep.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import kstep.lang.SourceError;
import kstep.lang.SourcePos;
import kstep.mm.KvmaScript;

/** {@code kstep mm}: the address-space engine on its own. */
@Command(name = "mm", description = "Memory management: replay VMA scripts, read a process's maps.",
    subcommands = {MmCommand.Replay.class})
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
        try {
            return Files.readString(Path.of(path), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SourceError(new SourcePos(path, 1, 1), "no such file");
        } catch (IOException e) {
            throw new SourceError(new SourcePos(path, 1, 1), "cannot read: " + e.getMessage());
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
