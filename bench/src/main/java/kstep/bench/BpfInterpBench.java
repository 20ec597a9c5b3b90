package kstep.bench;

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
import kstep.bpf.KernelAsm;
import kstep.bpf.TestRun;
import kstep.bpf.Vm;

/**
 * The interpreter on a compute-heavy socket filter the kernel also accepts: 10,000 rounds of a linear
 * congruential generator folded into r0, 70,004 instructions a run. The time of a run divided by 70,004 is
 * kstep's ns per instruction; the kernel's BPF_PROG_TEST_RUN duration for the same program
 * ({@code kbpf -r}, or {@code kstep bpf compare}) gives the ratio the README reports.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
public class BpfInterpBench {
    /** The program, in the verifier log's syntax. */
    public static final String LCG = String.join("\n",
        "r0 = 0", "r1 = 0", "r2 = 74565",
        "r2 *= 1103515245", "r2 += 12345", "r3 = r2", "r3 >>= 16", "r0 ^= r3", "r1 += 1", "if r1 < 0x2710 goto pc-7",
        "exit");
    public static final int INSNS = 3 + 10_000 * 7 + 1;

    @State(Scope.Thread)
    public static class Prog {
        BpfProgram program;

        @Setup
        public void setup() {
            List<Insn> p = KernelAsm.assemble("lcg", LCG);
            program = new BpfProgram("lcg", BpfProgram.ProgType.SOCKET_FILTER, p);
            Vm.Result r = TestRun.run(program, TestRun.DEFAULT_PACKET, 1);
            if (!r.ok() || r.steps() != INSNS) throw new IllegalStateException("the benchmark program runs " + r.steps() + " instructions: " + r.error());
        }
    }

    @Benchmark
    public long run70kInstructions(Prog p) {
        return TestRun.run(p.program, TestRun.DEFAULT_PACKET, 1).r0();
    }
}
