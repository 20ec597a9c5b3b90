package kstep.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import kstep.bpf.BpfMap;
import kstep.bpf.BpfProgram;
import kstep.bpf.KernelVariant;
import kstep.bpf.ProgramFile;
import kstep.bpf.Verifier;
import kstep.lang.SourceError;

/**
 * {@code kstep bpf verify FILE...}: kstep's model of Linux 6.18's verifier for a privileged loader, its
 * log as the kernel prints it; with {@code --json} one line a program, with {@code --compare} the running
 * kernel's answer beside it. Exit 0 when every program is accepted (and, comparing, every answer the
 * same), 3 otherwise, 2 for a file that is not a program.
 */
@Command(name = "verify", description = "Verify programs as Linux 6.18's verifier does for root, and print its log"
    + " (--json: one line a program; --compare: the running kernel's answer beside kstep's).")
final class VerifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Program files: kbpf hex, assembly or ELF objects.")
    List<String> files;

    @Option(names = "--hex", description = "The files are kbpf's hex format.")
    boolean hex;

    @Option(names = "--type", paramLabel = "TYPE", description = "socket_filter (the default for hex and assembly) or xdp.")
    String type;

    @Option(names = "--log-level", paramLabel = "N", defaultValue = "2", description = "The log level: 0, 1 or 2 (default 2, as kbpf).")
    int logLevel;

    @Option(names = "--map", paramLabel = "TYPE:KEY:VALUE:MAX", description = "A map the program's 64-bit loads name by index"
        + " (r1 = map[id:0] is the first): array or hash, key and value sizes, max entries. Repeatable.")
    List<String> maps = new ArrayList<>();

    @Option(names = "--unprivileged", description = "Verify as for a loader without CAP_BPF/CAP_PERFMON (no pointer leaks, no"
        + " uninitialised stack, Spectre v1 paths simulated); --compare then loads as user nobody.")
    boolean unprivileged;

    @Option(names = "--kernel", paramLabel = "VARIANT", description = "The kernel: 6.18 (this machine's, the default), stack-args (6.18 with the"
        + " stack-arguments series: R11 arguments, static stack liveness, dead slots poisoned) or stack-args-unpatched (that series"
        + " without its patch 04/18). Without it, a file's \"// kernel VARIANT\" line decides.")
    String kernelVariant;

    @Option(names = "--no-jit", description = "As with bpf_jit_enable=0: the stack-args variants then refuse stack arguments.")
    boolean noJit;

    @Option(names = "--json", description = "One JSON line a program: file, accepted, error, log, live_regs, processed,"
        + " stack_live (6.18's +live/+written lines; the stack-args variants' stack use/def lines), xlated (the program as the"
        + " kernel rewrites it for the JIT), and kernel for a variant.")
    boolean json;

    @Option(names = "--compare", description = "Also load each program into the running kernel (needs Linux, cc and root) and"
        + " show whether the verdict, error line, live-regs table and log are the same.")
    boolean compare;

    @Option(names = "--show", description = "Open the verifier workbench on the programs (a directory is a tour; needs a display).")
    boolean show;

    @CommandLine.Mixin
    PngOptions png = new PngOptions();

    @Option(names = "--view", paramLabel = "TAB", defaultValue = "states", description = "The middle pane --png shows: states (the default) or liveness.")
    String view;

    @Option(names = "--chain", paramLabel = "N", defaultValue = "1", description = "The call chain (or, for the stack-args kernels, the"
        + " instance) --png --view liveness shows (1 is the first, as the list above the table orders them).")
    int chain;

    @Option(names = "--why", paramLabel = "REG", description = "With --png: explain this register or stack slot of the current frame at"
        + " --step (r3, fp-8) as a click on it does: its def-use chain, with arrows from each definition to its use.")
    String why;

    @Option(names = "--program", paramLabel = "N", defaultValue = "1", description = "Which program of a tour --png shows (1 is the first).")
    int program;

    @Option(names = "--step", paramLabel = "N", defaultValue = "0", description = "The verifier step --png shows (1 is the first; 0: the last).")
    int step;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The workbench: in a window, or as a PNG. */
    private int workbench(BpfProgram.ProgType t, List<BpfMap> declared) throws Exception {
        List<kstep.app.VerifierWindow.Program> programs = new ArrayList<>();
        for (String f : files) programs.addAll(kstep.app.VerifierWindow.load(java.nio.file.Path.of(f)));
        java.util.function.Function<BpfProgram, kstep.views.VerifierView.Kernel> kernel = !compare ? null : p -> {
            try {
                KernelVerifier.Answer a = KernelVerifier.ask(p, 2, !unprivileged);
                return new kstep.views.VerifierView.Kernel(a.accepted(), a.error(), a.log());
            } catch (Exception e) {
                return new kstep.views.VerifierView.Kernel(false, "could not ask the kernel: " + e.getMessage(), "");
            }
        };
        if (png.png != null) {
            png.check();
            if (program < 1 || program > programs.size()) throw new IllegalArgumentException("--program is 1.." + programs.size());
            if (!view.equals("states") && !view.equals("liveness")) throw new IllegalArgumentException("--view is states or liveness");
            if (why != null && !why.strip().toLowerCase(java.util.Locale.ROOT).matches("r([0-9]|10)|fp-[0-9]{1,3}"))
                throw new IllegalArgumentException("--why takes a register or a stack slot: r3, fp-8");
            if (why != null && view.equals("liveness")) throw new IllegalArgumentException("--why draws on the states table: drop --view liveness");
            kstep.app.VerifierWindow.png(programs, program - 1, step - 1, t, declared, kernel, !unprivileged, forcedVariant(), view.equals("liveness") ? chain : 0,
                why == null ? null : why.strip().toUpperCase(java.util.Locale.ROOT).replace("FP", "fp"), png.scale, png.png);
            spec.commandLine().getOut().println("wrote " + png.png);
        }
        if (show) kstep.app.VerifierWindow.show(programs, t, declared, kernel, !unprivileged, forcedVariant());
        return Cli.OK;
    }

    /** The kernel a program is verified as: --kernel, else the file's "// kernel" line, else 6.18. */
    static KernelVariant variantOf(String option, String file, boolean hex) {
        KernelVariant v = option != null ? KernelVariant.of(option)
            : hex ? null : KernelVariant.declared(file, new String(BpfCommand.read(file), java.nio.charset.StandardCharsets.UTF_8));
        return v == null ? KernelVariant.LINUX_6_18 : v;
    }

    private KernelVariant forcedVariant() {
        return kernelVariant == null ? null : KernelVariant.of(kernelVariant);
    }

    static List<BpfMap> parseMaps(List<String> specs) {
        List<BpfMap> out = new ArrayList<>();
        for (String s : specs) {
            String[] w = s.split(":");
            if (w.length != 4) throw new IllegalArgumentException("--map is TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES, like array:4:8:16, not '" + s + "'");
            int t = switch (w[0]) {
                case "array" -> BpfMap.ARRAY;
                case "hash" -> BpfMap.HASH;
                default -> throw new IllegalArgumentException("--map type is array or hash, not '" + w[0] + "'");
            };
            try {
                out.add(new BpfMap("", t, Integer.parseInt(w[1]), Integer.parseInt(w[2]), Integer.parseInt(w[3])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--map sizes are numbers: '" + s + "'");
            }
        }
        return out;
    }

    @Override
    public Integer call() throws Exception {
        if (logLevel < 0 || logLevel > 2) throw new IllegalArgumentException("--log-level is 0, 1 or 2");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BpfProgram.ProgType t = type == null ? null : BpfProgram.ProgType.of(type);
        List<BpfMap> declared = parseMaps(maps);
        if (show || png.png != null) return workbench(t, declared);
        int code = Cli.OK;
        for (String f : files) {
            List<BpfProgram> ps;
            try {
                ps = ProgramFile.read(f, BpfCommand.read(f), hex, t);
            } catch (SourceError | IllegalArgumentException e) {
                if (json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("file", f);
                    m.put("input_error", e.getMessage());
                    out.println(Json.write(m));
                } else {
                    err.println(e.getMessage());
                }
                code = Cli.BAD_INPUT;
                continue;
            }
            KernelVariant variant;
            try {
                variant = variantOf(kernelVariant, f, hex);
            } catch (SourceError e) {
                err.println(e.getMessage());
                code = Cli.BAD_INPUT;
                continue;
            }
            for (BpfProgram p0 : ps) {
                BpfProgram p = declared.isEmpty() ? p0 : new BpfProgram(p0.name(), p0.type(), p0.insns(), declared);
                String name = ps.size() > 1 ? f + ":" + p.name() : f;
                Verifier.Result r = Verifier.verify(p, logLevel, false, !unprivileged, variant, !noJit);
                if (!r.accepted() && code == Cli.OK) code = Cli.FOUND;
                // at level 0 the kernel writes no log: ask it at level 1 for its error line, compare no logs
                KernelVerifier.Answer k = compare ? KernelVerifier.ask(p, Math.max(1, logLevel), !unprivileged) : null;
                Comparison c = k == null ? null : Comparison.of(r, k, logLevel > 0);
                if (c != null && !c.same() && code == Cli.OK) code = Cli.FOUND;
                if (json) {
                    out.println(Json.write(jsonLine(name, r, k, c)));
                    continue;
                }
                if (files.size() > 1 || ps.size() > 1) out.println("== " + name + ": " + (r.accepted() ? "accepted" : "rejected"));
                out.print(r.log());
                if (logLevel == 0) out.println(r.accepted() ? "accepted" : "rejected: " + r.error());
                if (c != null) out.print(c.text());
            }
        }
        return code;
    }

    static Map<String, Object> jsonLine(String name, Verifier.Result r, KernelVerifier.Answer k, Comparison c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", name);
        // 6.18's lines stay as they were; the variants say which kernel answered
        if (r.variant() != KernelVariant.LINUX_6_18) m.put("kernel", r.variant().label());
        m.put("accepted", r.accepted());
        m.put("error", r.error());
        m.put("log", r.log());
        Map<String, String> live = new LinkedHashMap<>();
        r.liveRegs().forEach((i, s) -> live.put(Integer.toString(i), s));
        m.put("live_regs", live);
        m.put("processed", r.processed());
        m.put("stack_live", r.stackLive());
        // the program as the kernel rewrites it for the JIT ("" when rejected, or when kstep cannot rewrite it)
        String xl = "";
        if (r.xlated() != null) {
            try {
                xl = r.xlated().hex();
            } catch (kstep.bpf.Xlated.Unsupported e) {
                m.put("xlated_error", e.getMessage());
            }
        }
        m.put("xlated", xl);
        if (k != null) {
            m.put("kernel_accepted", k.accepted());
            m.put("kernel_error", k.error());
            m.put("same", c.same());
            m.put("differences", c.differences());
        }
        return m;
    }

    /** kstep's answer against the kernel's: what differs, and the first line where the logs part. */
    record Comparison(List<String> differences, String firstLogDifference, boolean logsCompared) {
        static Comparison of(Verifier.Result r, KernelVerifier.Answer k, boolean logs) {
            List<String> d = new ArrayList<>();
            if (r.accepted() != k.accepted()) d.add("verdict");
            if (!r.error().equals(k.error())) d.add("error");
            String a = KernelVerifier.Answer.normalised(r.log()), b = KernelVerifier.Answer.normalised(k.log());
            String first = "";
            if (logs && !a.equals(b)) {
                d.add("log");
                String[] x = a.split("\n", -1), y = b.split("\n", -1);
                int i = 0;
                while (i < x.length && i < y.length && x[i].equals(y[i])) i++;
                first = "line " + (i + 1) + "\n  kstep:  " + (i < x.length ? x[i] : "<end>") + "\n  kernel: " + (i < y.length ? y[i] : "<end>");
            }
            return new Comparison(d, first, logs);
        }

        boolean same() {
            return differences.isEmpty();
        }

        String text() {
            if (same()) return logsCompared ? "kernel: the same answer, the same log\n" : "kernel: the same answer\n";
            return "kernel: DIFFERENT (" + String.join(", ", differences) + ")" + (firstLogDifference.isEmpty() ? "" : ", logs part at " + firstLogDifference) + "\n";
        }
    }
}
