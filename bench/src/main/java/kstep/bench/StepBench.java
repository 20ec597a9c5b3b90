package kstep.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import kstep.engine.Choice;
import kstep.engine.Machine;
import kstep.engine.RandomPolicy;
import kstep.engine.Trace;
import kstep.engine.World;
import kstep.scenario.Instance;

/**
 * Step rate: how many model steps per second the machine executes, recording events into a trace (what runs
 * and the GUI do) and replaying without events (what jumps and the explorer do).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class StepBench {
    static final int BATCH = 10_000;

    Instance inst;
    Machine machine;
    Choice[] choices;
    World start;

    @Setup(Level.Trial)
    public void setUp() {
        inst = BenchScenarios.longRun();
        machine = inst.machine();
        Trace t = BenchScenarios.longTrace(BATCH, 11);
        choices = t.schedule().toArray(new Choice[0]);
        start = inst.initial();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int recordSteps() {
        Trace t = new Trace(machine, start);
        for (Choice c : choices) t.append(c, null);
        return t.length();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public World replaySteps() {
        World w = start.copy();
        for (Choice c : choices) machine.step(w, c, false);
        return w;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int randomRun() {
        return inst.run(new RandomPolicy(3), BATCH).trace().length();
    }
}
