package kstep.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import kstep.bpf.BpfProgram;
import kstep.bpf.Conformance;
import kstep.bpf.ProgramFile;
import kstep.bpf.TestRun;
import kstep.bpf.Vm;
import kstep.lang.SourceError;

/** {@code kstep bpf}: the BPF instruction set on its own: assemble, disassemble, run, the conformance suite. */
@Command(name = "bpf", description = "BPF: assemble, disassemble, run and verify programs; run the bpf_conformance suite.",
    subcommands = {BpfCommand.Asm.class, BpfCommand.Disasm.class, BpfCommand.Run.class, BpfCommand.ConformanceCmd.class, BpfCompare.class,
        VerifyCommand.class, JitCommand.class})
final class BpfCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Cli.OK;
    }

    static byte[] read(String path) {
        return InputFiles.bytes(path);
    }

    static byte[] hexBytes(String s) {
        String h = s.replaceAll("\\s", "");
        if (h.length() % 2 != 0 || !h.matches("[0-9a-fA-F]*")) throw new IllegalArgumentException("--data is hex bytes, like 0011aabb");
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        return b;
    }

    /** {@code kstep bpf asm FILE}: the program in kbpf's hex, one instruction slot a line. */
    @Command(name = "asm", description = "Assemble a program (the verifier log's syntax or bpf_conformance's) into kbpf's hex format.")
    static final class Asm implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "An assembly file.")
        String file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            List<BpfProgram> ps = ProgramFile.read(file, read(file), false, null);
            PrintWriter out = spec.commandLine().getOut();
            for (BpfProgram p : ps) out.print(ProgramFile.toHex(p.insns()));
            return Cli.OK;
        }
    }

    /** {@code kstep bpf disasm FILE [--hex]}: the verifier log's text for each instruction. */
    @Command(name = "disasm", description = "Disassemble a program (kbpf hex, assembly or an ELF object) into the verifier log's text.")
    static final class Disasm implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "A program file.")
        String file;

        @Option(names = "--hex", description = "The file is kbpf's hex format (16 hex digits a line).")
        boolean hex;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            List<BpfProgram> ps = ProgramFile.read(file, read(file), hex, null);
            PrintWriter out = spec.commandLine().getOut();
            for (BpfProgram p : ps) {
                if (ps.size() > 1) out.println(p.name() + ":");
                out.print(ProgramFile.listing(p.insns()));
            }
            return Cli.OK;
        }
    }

    /** {@code kstep bpf run FILE...}: a test run on a packet, as BPF_PROG_TEST_RUN does. */
    @Command(name = "run", description = "Run programs on a packet (default: 64 zero bytes) as BPF_PROG_TEST_RUN would, and print the return value.")
    static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "Program files: kbpf hex, assembly or ELF objects.")
        List<String> files;

        @Option(names = "--hex", description = "The files are kbpf's hex format.")
        boolean hex;

        @Option(names = "--type", paramLabel = "TYPE", description = "socket_filter (the default for hex and assembly) or xdp.")
        String type;

        @Option(names = "--data", paramLabel = "HEX", description = "The packet, in hex.")
        String data;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "The seed of bpf_get_prandom_u32().")
        long seed;

        @Option(names = "--json", description = "One JSON line a program: {\"file\", \"retval\"} or {\"file\", \"error\"}.")
        boolean json;

        @Option(names = "--trace", description = "Print every instruction executed and the registers it changed.")
        boolean trace;

        @Option(names = "--show", description = "Open the run in the step view, a window (needs a display).")
        boolean show;

        @CommandLine.Mixin
        PngOptions png = new PngOptions();

        @Option(names = "--step", paramLabel = "N", defaultValue = "0", description = "The step --png shows (0: before the first instruction).")
        int step;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            byte[] packet = data == null ? TestRun.DEFAULT_PACKET : hexBytes(data);
            BpfProgram.ProgType t = type == null ? null : BpfProgram.ProgType.of(type);
            int code = Cli.OK;
            for (String f : files) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("file", f);
                try {
                    List<BpfProgram> ps = ProgramFile.read(f, read(f), hex, t);
                    for (BpfProgram p : ps) {
                        Vm vm = TestRun.prepare(p, packet, seed);
                        Vm.Result r;
                        if (trace || show || png.png != null) {
                            kstep.bpf.StepTrace st = kstep.bpf.StepTrace.record(vm, 1_000_000);
                            if (trace) out.print(st.text());
                            r = st.result();
                            if (png.png != null) {
                                png.check();
                                kstep.app.BpfWindow.png(p, st, step, png.scale, png.png);
                                out.println("wrote " + png.png);
                            }
                            if (show) kstep.app.BpfWindow.show(p, st);
                        } else {
                            r = vm.run();
                        }
                        String name = ps.size() > 1 ? f + ":" + p.name() : f;
                        if (json) {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("file", name);
                            if (r.ok()) m.put("retval", r.retval());
                            else m.put("error", r.error() + " (insn " + r.errorPc() + ")");
                            out.println(Json.write(m));
                        } else {
                            out.println(r.ok() ? name + ": retval " + r.retval() + " (r0 0x" + Long.toHexString(r.r0()) + ", " + r.steps() + " instructions)"
                                : name + ": error at insn " + r.errorPc() + ": " + r.error());
                            if (!r.log().isEmpty()) out.print(r.log().replaceAll("(?m)^", "  trace_printk: "));
                        }
                        if (!r.ok()) code = Cli.FOUND;
                    }
                } catch (SourceError | IllegalArgumentException e) {
                    if (json) {
                        line.put("error", e.getMessage());
                        out.println(Json.write(line));
                    } else {
                        err.println(e.getMessage());
                    }
                    code = Cli.BAD_INPUT;
                }
            }
            return code;
        }
    }

    /** {@code kstep bpf conformance FILE.data...}: bpf_conformance's tests, then "N passed, N failed". */
    @Command(name = "conformance", description = "Run bpf_conformance test files and print each failure, then \"N passed, N failed\".")
    static final class ConformanceCmd implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "bpf_conformance .data files (or directories of them).")
        List<String> files;

        @Option(names = "--verbose", description = "Print every test's outcome, not only the failures.")
        boolean verbose;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            int pass = 0, fail = 0;
            for (String f : files) {
                Path p = Path.of(f);
                List<Path> tests;
                if (Files.isDirectory(p)) {
                    try (var s = Files.list(p)) {
                        tests = s.filter(x -> x.toString().endsWith(".data")).sorted().toList();
                    }
                } else {
                    tests = List.of(p);
                }
                for (Path t : tests) {
                    Conformance.Outcome o = Conformance.run(t.toString(), new String(read(t.toString()), java.nio.charset.StandardCharsets.UTF_8));
                    if (o.passed()) pass++;
                    else fail++;
                    if (!o.passed() || verbose) out.println((o.passed() ? "PASS " : "FAIL ") + t + ": " + o.detail());
                }
            }
            out.println(pass + " passed, " + fail + " failed");
            return fail == 0 ? Cli.OK : Cli.FOUND;
        }
    }
}
