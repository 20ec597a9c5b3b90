package kstep.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import kstep.bpf.BpfMap;
import kstep.bpf.BpfProgram;
import kstep.bpf.Insn;
import kstep.bpf.Verifier;

/**
 * kstep's verifier on the 1,200 programs of the verifier corpus (engine/src/test/resources/bpf/verifier,
 * tools/bpfverify.py), as the command line runs it: no step trace, the log kept for the error line. One
 * operation verifies all 1,200; divided by 1,200 it is the mean time a program, to set beside the mean of
 * the kernel's "verification time" for the same programs (tools/bpfverifytime.py).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(1)
public class VerifierBench {
    @State(Scope.Thread)
    public static class Corpus {
        final List<BpfProgram> programs = new ArrayList<>();

        @Setup
        public void setup() throws IOException {
            Path dir = Path.of(System.getProperty("kstep.verifier.corpus", "../engine/src/test/resources/bpf/verifier"));
            try (var s = Files.list(dir)) {
                for (Path f : s.filter(p -> p.toString().endsWith(".case")).sorted().toList()) programs.add(read(f));
            }
            if (programs.size() != 1200) throw new IllegalStateException("expected the 1,200 corpus programs in " + dir + ", found " + programs.size());
        }

        static BpfProgram read(Path f) throws IOException {
            String text = Files.readString(f);
            BpfProgram.ProgType type = BpfProgram.ProgType.of(text.split("\n-- type ", 2)[1].split("\n", 2)[0].trim());
            List<BpfMap> maps = new ArrayList<>();
            if (text.contains("\n-- maps\n")) {
                for (String l : text.split("\n-- maps\n", 2)[1].split("\n-- ", 2)[0].split("\n")) {
                    if (l.isBlank()) continue;
                    String[] w = l.trim().split(" ");
                    maps.add(new BpfMap("", Integer.parseInt(w[0]), Integer.parseInt(w[1]), Integer.parseInt(w[2]), Integer.parseInt(w[3])));
                }
            }
            List<Insn> insns = new ArrayList<>();
            for (String h : text.split("\n-- program\n", 2)[1].split("\n-- ", 2)[0].split("\n")) if (!h.isBlank()) insns.add(Insn.ofHex(h.trim()));
            return new BpfProgram(f.getFileName().toString(), type, insns, maps);
        }
    }

    @Benchmark
    public int verify1200Programs(Corpus c) {
        int accepted = 0;
        for (BpfProgram p : c.programs) if (Verifier.verify(p, 0, false).accepted()) accepted++;
        return accepted;
    }
}
