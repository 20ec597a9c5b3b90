package kstep.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import kstep.bpf.BpfProgram;
import kstep.bpf.ProgramFile;
import kstep.bpf.TestRun;
import kstep.bpf.Vm;
import kstep.lang.SourceError;

/**
 * {@code kstep bpf compare FILE...}: loads each program into the running kernel with kstep's probe (built
 * with cc on first use; needs root or CAP_BPF) and test-runs it there and in kstep, and shows both answers:
 * the kernel's verdict and the last line of its log, and the two return values.
 */
@Command(name = "compare", description = "Load programs into the running kernel (kstep's probe; needs Linux, cc and the right to load BPF)"
    + " and test-run them there and in kstep; show the verdicts and return values side by side.")
final class BpfCompare implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Program files: kbpf hex, assembly or ELF objects.")
    List<String> files;

    @Option(names = "--hex", description = "The files are kbpf's hex format.")
    boolean hex;

    @Option(names = "--type", paramLabel = "TYPE", description = "socket_filter (the default) or xdp.")
    String type;

    @Option(names = "--data", paramLabel = "HEX", description = "The packet, in hex (default: 64 zero bytes).")
    String data;

    @Option(names = "--log", description = "Print the kernel's verifier log too.")
    boolean log;

    @Option(names = "--json", description = "One JSON line a program.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** What the kernel said: accepted, errno, the test run's retval or its errno, the log. */
    /** {@code xlated} and {@code jited} are hex, "" when the kernel rejected the program or would not say. */
    record KernelAnswer(boolean accepted, int errno, Long retval, Integer runErrno, String log, String xlated, String jited) {
        String lastLogLine() {
            String[] l = log.strip().split("\n");
            return l.length == 0 ? "" : l[l.length - 1];
        }

        /** The verifier's error: the last non-empty line before "processed N insns", or the last line. */
        String errorLine() {
            String[] l = log.strip().split("\n");
            for (int i = l.length - 1; i > 0; i--) {
                if (!l[i].startsWith("processed ")) continue;
                for (int j = i - 1; j >= 0; j--) if (!l[j].isEmpty()) return l[j];
            }
            return lastLogLine();
        }
    }

    static KernelAnswer parse(String out) {
        boolean accepted = false;
        int errno = 0;
        Long retval = null;
        Integer runErrno = null;
        String xlated = "", jited = "";
        int at = out.indexOf("\nlog\n");
        String head = at < 0 ? out : out.substring(0, at);
        for (String l : head.split("\n")) {
            String[] w = l.split(" ");
            if (w.length != 2) continue;
            switch (w[0]) {
                case "accepted" -> accepted = w[1].equals("1");
                case "errno" -> errno = Integer.parseInt(w[1]);
                case "retval" -> retval = Long.parseLong(w[1]);
                case "run_errno" -> runErrno = Integer.parseInt(w[1]);
                case "xlated" -> xlated = w[1];
                case "jited" -> jited = w[1];
                default -> { }
            }
        }
        return new KernelAnswer(accepted, errno, retval, runErrno, at < 0 ? "" : out.substring(at + 5), xlated, jited);
    }

    static KernelAnswer runKernel(Path probe, BpfProgram p, byte[] packet) throws IOException, InterruptedException {
        return parse(Probes.run(List.of(probe.toString(), p.type() == BpfProgram.ProgType.XDP ? "xdp" : "socket_filter", "2", Vm.hex(packet)),
            KernelVerifier.probeInput(p)));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        byte[] packet = data == null ? TestRun.DEFAULT_PACKET : BpfCommand.hexBytes(data);
        BpfProgram.ProgType t = type == null ? null : BpfProgram.ProgType.of(type);
        Path probe = Probes.build("kstep-bpf-probe", "kstep bpf compare");
        int code = Cli.OK;
        try {
            for (String f : files) {
                List<BpfProgram> ps;
                try {
                    ps = ProgramFile.read(f, BpfCommand.read(f), hex, t);
                } catch (SourceError e) {
                    err.println(e.getMessage());
                    code = Cli.BAD_INPUT;
                    continue;
                }
                for (BpfProgram p : ps) {
                    String name = ps.size() > 1 ? f + ":" + p.name() : f;
                    KernelAnswer k = runKernel(probe, p, packet);
                    Vm.Result r = TestRun.run(p, packet, 1);
                    boolean same = k.accepted() && k.retval() != null && r.ok() && r.retval() == k.retval();
                    if (!same) code = Cli.FOUND;
                    if (json) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("file", name);
                        m.put("kernel_accepted", k.accepted());
                        m.put("kernel_error", k.accepted() ? "" : k.errorLine());
                        m.put("kernel_retval", k.retval());
                        m.put("kstep_retval", r.ok() ? r.retval() : null);
                        m.put("kstep_error", r.ok() ? "" : r.error());
                        m.put("same", same);
                        out.println(Json.write(m));
                        continue;
                    }
                    List<String> lines = new ArrayList<>();
                    lines.add(name + ": " + (same ? "same" : "DIFFERENT"));
                    lines.add("  kernel: " + (!k.accepted() && k.errno() == 1 ? "cannot load BPF programs here (EPERM): that needs root, or CAP_BPF with CAP_PERFMON or CAP_NET_ADMIN"
                        : !k.accepted() ? "rejected (errno " + k.errno() + "): " + k.errorLine()
                        : k.retval() != null ? "accepted, retval " + k.retval() : "accepted, test run failed with errno " + k.runErrno()));
                    lines.add("  kstep:  " + (r.ok() ? "retval " + r.retval() : "error at insn " + r.errorPc() + ": " + r.error()));
                    for (String l : lines) out.println(l);
                    if (log) out.print(k.log().replaceAll("(?m)^", "  | "));
                }
            }
        } finally {
            Probes.remove(probe);
        }
        return code;
    }
}
