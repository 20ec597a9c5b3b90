package kstep.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import kstep.lang.SourceError;
import kstep.mm.KvmaScript;

/**
 * {@code kstep mm compare SCRIPT...}: runs each script on the kernel this machine runs (kstep's probe, a small
 * C program built with cc on first use) and beside it on kstep's model, and reports every step where the two
 * differ: the result, the arena's VMAs, and with {@code --smaps} their smaps fields.
 */
@Command(name = "compare", description = "Run VMA scripts on the running kernel (needs Linux and a C compiler) and on kstep,"
    + " and show where they differ.")
final class MmCompare implements Callable<Integer> {
    @Parameters(paramLabel = "SCRIPT", arity = "1..*", description = "kvma script files.")
    List<String> scripts;

    @Option(names = "--smaps", description = "Compare every smaps field too, not only the maps lines and VmFlags.")
    boolean smaps;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One step's output: its "## N LINE -> RESULT" line and what follows it. */
    record Step(String head, List<String> body) { }

    static List<Step> steps(String text) {
        List<Step> out = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (l.startsWith("## ")) out.add(new Step(l, new ArrayList<>()));
            else if (!out.isEmpty() && !l.isEmpty()) out.get(out.size() - 1).body().add(l);
        }
        return out;
    }

    /** Keeps the maps line and VmFlags of each smaps block, as kvma prints them. */
    static List<String> mapsOnly(List<String> body) {
        List<String> out = new ArrayList<>();
        String header = null;
        for (String l : body) {
            if (l.matches("[0-9a-f]{8,}-[0-9a-f]{8,} .*")) header = l;
            else if (l.startsWith("VmFlags: ") && header != null) out.add(header + " [" + l.substring(9) + "]");
        }
        return out;
    }

    static Path buildProbe() throws IOException, InterruptedException {
        return Probes.build("kstep-mm-probe", "kstep mm compare");
    }

    static String runProbe(Path bin, Path script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(bin.toString(), script.toString()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("the probe did not finish on " + script);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path probe = buildProbe();
        try {
            return compareAll(probe, out, err);
        } finally {
            // the probe is rebuilt each time: it is small, and a stale one could be for another kernel's headers
            Probes.remove(probe);
        }
    }

    private int compareAll(Path probe, PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        int totalSteps = 0;
        int sameSteps = 0;
        int code = Cli.OK;
        for (String path : scripts) {
            KvmaScript s;
            try {
                s = KvmaScript.parse(path, MmCommand.read(path));
            } catch (SourceError e) {
                err.println(e.getMessage());
                code = Cli.BAD_INPUT;
                continue;
            }
            Verdict v = compare(steps(runProbe(probe, Path.of(path))), steps(s.replaySmaps()), smaps);
            totalSteps += v.steps();
            sameSteps += v.same();
            out.printf("%s: %d of %d steps identical%n", path, v.same(), v.steps());
            if (v.firstDifference() != null) {
                out.print(v.firstDifference());
                if (code == Cli.OK) code = Cli.FOUND;
            }
        }
        if (scripts.size() > 1) out.printf("all: %d of %d steps identical%n", sameSteps, totalSteps);
        return code;
    }

    /** How many of kstep's steps match the kernel's, and the first that does not (null if all do). */
    record Verdict(int steps, int same, String firstDifference) { }

    /** Compares step by step: the "## N" line and the VMAs (maps lines and VmFlags, or every smaps field). */
    static Verdict compare(List<Step> kernel, List<Step> model, boolean smaps) {
        int same = 0;
        String first = null;
        for (int i = 0; i < model.size(); i++) {
            Step m = model.get(i);
            Step k = i < kernel.size() ? kernel.get(i) : new Step("(the kernel's run stopped here)", List.of());
            List<String> kb = smaps ? k.body() : mapsOnly(k.body());
            List<String> mb = smaps ? m.body() : mapsOnly(m.body());
            if (k.head().equals(m.head()) && kb.equals(mb)) {
                same++;
            } else if (first == null) {
                first = "  first difference at step " + (i + 1) + ":\n    kernel: " + k.head() + "\n" + indent(kb) + "    kstep:  " + m.head() + "\n" + indent(mb);
            }
        }
        return new Verdict(model.size(), same, first);
    }

    private static String indent(List<String> lines) {
        StringBuilder b = new StringBuilder();
        for (String l : lines) b.append("      ").append(l).append('\n');
        return b.toString();
    }
}
