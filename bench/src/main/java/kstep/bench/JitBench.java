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

import kstep.bpf.BpfProgram;
import kstep.bpf.Insn;
import kstep.bpf.Verifier;
import kstep.bpf.Xlated;
import kstep.bpf.jit.Arm64Jit;
import kstep.bpf.jit.X86Jit;

/**
 * kstep's JITs on the 800 programs of the JIT corpus (engine/src/test/resources/bpf/jit): each operation
 * compiles all 800 rewritten programs, with their listings; divided by 800 it is the time a program.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(1)
public class JitBench {
    @State(Scope.Thread)
    public static class Corpus {
        final List<Xlated> programs = new ArrayList<>();

        @Setup
        public void setup() throws IOException {
            Path dir = Path.of(System.getProperty("kstep.jit.corpus", "../engine/src/test/resources/bpf/jit"));
            try (var s = Files.list(dir)) {
                for (Path f : s.filter(p -> p.toString().endsWith(".case")).sorted().toList()) {
                    String text = Files.readString(f);
                    BpfProgram.ProgType type = BpfProgram.ProgType.of(text.split("\n-- type ", 2)[1].split("\n", 2)[0].trim());
                    List<Insn> insns = new ArrayList<>();
                    for (String l : text.split("\n-- program\n", 2)[1].split("\n-- ", 2)[0].split("\n")) if (!l.isBlank()) insns.add(Insn.ofHex(l.trim()));
                    programs.add(Verifier.verify(new BpfProgram(f.getFileName().toString(), type, insns, List.of()), 1, false, true).xlated());
                }
            }
            if (programs.size() != 800) throw new IllegalStateException("expected the 800 corpus programs in " + dir + ", found " + programs.size());
        }
    }

    @Benchmark
    public int x86_64(Corpus c) {
        int bytes = 0;
        for (Xlated x : c.programs) bytes += X86Jit.compile(x.insns(), X86Jit.functions(x.subprogStarts(), x.stackDepths(), x.insns().size())).bytes().length;
        return bytes;
    }

    @Benchmark
    public int arm64(Corpus c) {
        int bytes = 0;
        for (Xlated x : c.programs) bytes += Arm64Jit.compile(x.insns(), X86Jit.functions(x.subprogStarts(), x.stackDepths(), x.insns().size())).bytes().length;
        return bytes;
    }
}
