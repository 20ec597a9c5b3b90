package kstep.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * Explorer throughput on the doorbell sample: the whole bounded space of the fixed kernel (no finding, every
 * state visited) and the search that finds the lost wake-up in the buggy one. The "states" counter divided by
 * the time is states per second.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
@State(Scope.Benchmark)
public class ExploreBench {
    @Param({"buggy", "fixed"})
    public String variant;

    Instance inst;

    @Setup
    public void setUp() {
        inst = ScenarioLoader.loadSample("vgic/doorbell-preemption").instantiate(variant);
    }

    /** Counts explored states per invocation, reported beside the time. */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Counters {
        public long states;

        @Setup(Level.Iteration)
        public void clean() {
            states = 0;
        }
    }

    @Benchmark
    public Explorer.Result explore(Counters c) {
        Explorer.Result r = inst.explore(null);
        c.states += r.exploredStates();
        return r;
    }
}
