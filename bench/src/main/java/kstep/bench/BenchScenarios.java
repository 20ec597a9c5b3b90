package kstep.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import kstep.engine.RandomPolicy;
import kstep.engine.Runner;
import kstep.engine.Trace;
import kstep.scenario.Instance;
import kstep.scenario.Scenario;
import kstep.scenario.ScenarioLoader;

/** The scenarios the benchmarks run. */
final class BenchScenarios {
    private BenchScenarios() { }

    /** A scenario that runs for ever (vCPUs blocking and being woken), for long traces. */
    static Instance longRun() {
        try (InputStream in = BenchScenarios.class.getResourceAsStream("/kstep/bench/long-run.yaml")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Scenario s = ScenarioLoader.parse("long-run.yaml", "bench/long-run", text, ScenarioLoader.BUILTIN);
            return s.instantiate("fixed");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A recorded trace of {@code steps} random steps of {@link #longRun()}. */
    static Trace longTrace(int steps, long seed) {
        Instance inst = longRun();
        Runner.Result r = inst.run(new RandomPolicy(seed), steps);
        if (r.trace().length() != steps) throw new IllegalStateException("the run stopped early: " + r.outcome());
        return r.trace();
    }
}
