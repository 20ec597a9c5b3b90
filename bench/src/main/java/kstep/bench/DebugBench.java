package kstep.bench;

import java.util.List;
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

import kstep.debug.Breakpoint;
import kstep.debug.Breakpoints;
import kstep.debug.Debugger;
import kstep.scenario.ScenarioLoader;
import kstep.scenario.Session;

/**
 * Every hit of one breakpoint over kswapd-reclaim's 1,767 recorded steps, as the Breakpoints tab counts them:
 * a field watch and a happening read the step records only; a frame, PTE or VMA watch and a condition replay the
 * worlds before and after each step.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class DebugBench {
    @Param({"watch kswapd0", "page-reclaimed", "watch frame6", "watch pte@0x10001000", "when cpu1.preempt_count > 0"})
    public String spec;

    Session session;
    Breakpoint bp;

    @Setup
    public void setUp() {
        session = new Session(ScenarioLoader.loadSample("mm/kswapd-reclaim"), "linux-6.18");
        bp = Breakpoints.parse(spec, session.worldAt(0));
    }

    @Benchmark
    public List<Debugger.Hit> allHits() {
        return Debugger.all(session, bp);
    }
}
