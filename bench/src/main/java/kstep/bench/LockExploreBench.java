package kstep.bench;

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

import kstep.engine.Explorer;
import kstep.scenario.Instance;
import kstep.scenario.ScenarioLoader;

/**
 * Explorer throughput on the lock samples, lockdep running: pgo v2 until it finds the -EAGAIN returned to cat,
 * pgo v3 over its whole bounded space (no finding), ABBA until the deadlock, and the fixed ABBA over its
 * whole space. The "states" counter divided by the time is states per second.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(1)
@State(Scope.Benchmark)
public class LockExploreBench {
    @Param({"locks/pgo-prf-open:v2", "locks/pgo-prf-open:v3", "locks/abba:buggy", "locks/abba:fixed"})
    public String sample;

    Instance inst;

    @Setup
    public void setUp() {
        String[] sv = sample.split(":");
        inst = ScenarioLoader.loadSample(sv[0]).instantiate(sv[1]);
    }

    @Benchmark
    public Explorer.Result explore(ExploreBench.Counters c) {
        Explorer.Result r = inst.explore(null);
        c.states += r.exploredStates();
        return r;
    }
}
