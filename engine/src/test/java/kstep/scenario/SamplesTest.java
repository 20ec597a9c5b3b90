package kstep.scenario;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import kstep.engine.Runner;

/** Every sample's scripted run ends the way each of its variants says it should ({@code expect:}). */
class SamplesTest {
    @Test
    void everyVariantOfEverySampleEndsAsItExpects() {
        for (String id : Samples.ids()) {
            Scenario s = ScenarioLoader.loadSample(id);
            for (Scenario.Variant v : s.variants().values()) {
                Instance inst = s.instantiate(v.name());
                Runner.Result r = inst.runDefault();
                assertTrue(inst.asExpected(r), id + " " + v.name() + " expects " + v.expect() + " but ended " + r.outcome()
                    + " with " + r.trace().findings());
            }
        }
    }
}
