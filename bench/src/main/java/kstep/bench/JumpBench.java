package kstep.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import kstep.engine.Trace;
import kstep.engine.World;

/**
 * Navigation on a long trace (1,000,000 steps by default, in a 2 GB heap): jumping to a random step and
 * stepping back one step from a random step. Target: a jump under 50 ms.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@State(Scope.Benchmark)
public class JumpBench {
    @Param({"1000000"})
    public int steps;

    Trace trace;
    SplittableRandom random = new SplittableRandom(1);

    @Setup
    public void setUp() {
        trace = BenchScenarios.longTrace(steps, 7);
    }

    @Benchmark
    public World jumpToRandomStep() {
        return trace.worldAt(random.nextInt(trace.length() + 1));
    }

    @Benchmark
    public World stepBackFromRandomStep() {
        int n = 1 + random.nextInt(trace.length());
        trace.worldAt(n);
        return trace.worldAt(n - 1);
    }
}
