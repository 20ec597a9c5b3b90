package kstep.cli;

import java.io.IOException;
import java.nio.file.Path;

import kstep.bpf.BpfMap;
import kstep.bpf.BpfProgram;
import kstep.bpf.ProgramFile;
import kstep.bpf.TestRun;
import kstep.bpf.Vm;

/**
 * The running kernel's verifier, asked through kstep's probe (built with cc on first use, once a JVM):
 * its verdict, errno and log for a program, at a log level. For the verify command's --compare and the
 * verifier workbench's "kernel" column; needs Linux, cc and the right to load BPF programs.
 */
public final class KernelVerifier {
    private static Path probe;

    private KernelVerifier() { }

    /** What the kernel said. {@code error} is the line before "processed", as kstep's verifier reports it. */
    public record Answer(boolean accepted, int errno, String log, String error) {
        /** The log with map addresses (which the kernel picks) written as MAP, for comparing with kstep's. */
        public static String normalised(String log) {
            return log.replaceAll("0xffff88[0-9a-f]{10}", "MAP");
        }
    }

    /** The probe's stdin for {@code p}: a "map TYPE KEY VALUE MAX [NAME]" line a map, then the program's hex. */
    static String probeInput(BpfProgram p) {
        StringBuilder in = new StringBuilder();
        for (BpfMap m : p.maps()) {
            String name = m.name.replaceAll("[^A-Za-z0-9_.]", "");
            if (name.length() > 15) name = name.substring(0, 15);
            in.append("map ").append(m.type).append(' ').append(m.keySize).append(' ').append(m.valueSize).append(' ').append(m.maxEntries)
                .append(name.isEmpty() ? "" : " " + name).append('\n');
        }
        return in.append(ProgramFile.toHex(p.insns())).toString();
    }

    /** The images the kernel made of {@code p} (root, log level 1): its xlated and jited hex, "" when rejected. */
    public static synchronized String[] images(BpfProgram p) throws IOException, InterruptedException {
        ensureProbe();
        BpfCompare.KernelAnswer k = BpfCompare.parse(Probes.run(java.util.List.of(probe.toString(), p.type() == BpfProgram.ProgType.XDP ? "xdp" : "socket_filter", "1",
            Vm.hex(TestRun.DEFAULT_PACKET)), probeInput(p)));
        if (!k.accepted() && k.errno() == 1) throw new IllegalArgumentException("cannot load BPF programs here (EPERM): that needs root");
        return new String[] {k.xlated(), k.jited()};
    }

    private static void ensureProbe() throws IOException, InterruptedException {
        if (probe != null) return;
        probe = Probes.build("kstep-bpf-probe", "comparing with the kernel");
        Path built = probe;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Probes.remove(built);
            } catch (IOException e) {
                // a temporary directory left behind is harmless
            }
        }));
    }

    /** Asks the kernel; an IllegalArgumentException says why it cannot be asked here. */
    public static synchronized Answer ask(BpfProgram p, int logLevel) throws IOException, InterruptedException {
        return ask(p, logLevel, true);
    }

    /**
     * As {@link #ask(BpfProgram, int)}; {@code privileged} false loads as user nobody (kstep must run as root,
     * with kernel.unprivileged_bpf_disabled 0, to do that).
     */
    public static synchronized Answer ask(BpfProgram p, int logLevel, boolean privileged) throws IOException, InterruptedException {
        ensureProbe();
        String in = probeInput(p);
        java.util.List<String> cmd = new java.util.ArrayList<>();
        if (!privileged) {
            if (!"root".equals(System.getProperty("user.name"))) throw new IllegalArgumentException("comparing as an unprivileged loader needs kstep to run as root (it loads as nobody)");
            String disabled = java.nio.file.Files.readString(Path.of("/proc/sys/kernel/unprivileged_bpf_disabled")).strip();
            if (!disabled.equals("0")) throw new IllegalArgumentException("unprivileged BPF is disabled here (kernel.unprivileged_bpf_disabled = " + disabled + ")");
            probe.toFile().setReadable(true, false);
            probe.toFile().setExecutable(true, false);
            probe.getParent().toFile().setExecutable(true, false);
            cmd.addAll(java.util.List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        cmd.addAll(java.util.List.of(probe.toString(), p.type() == BpfProgram.ProgType.XDP ? "xdp" : "socket_filter", Integer.toString(logLevel),
            Vm.hex(TestRun.DEFAULT_PACKET)));
        String out = Probes.run(cmd, in);
        BpfCompare.KernelAnswer k = BpfCompare.parse(out);
        if (!k.accepted() && k.errno() == 1 && privileged) {
            throw new IllegalArgumentException("cannot load BPF programs here (EPERM): that needs root, or CAP_BPF with CAP_PERFMON or CAP_NET_ADMIN");
        }
        return new Answer(k.accepted(), k.errno(), k.log(), k.accepted() ? "" : k.errorLine());
    }
}
