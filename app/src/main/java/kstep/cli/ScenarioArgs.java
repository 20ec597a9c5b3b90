package kstep.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import kstep.scenario.Instance;
import kstep.scenario.Samples;
import kstep.scenario.Scenario;

/** The SCENARIO and --variant every scenario command takes. */
final class ScenarioArgs {
    @Parameters(paramLabel = "SCENARIO", description = "A sample id (vgic/doorbell-preemption) or a scenario file.")
    String scenario;

    @Option(names = "--variant", paramLabel = "V", description = "The kernel variant (default: the scenario's first).")
    String variant;

    Scenario open() {
        return Samples.open(scenario);
    }

    String variantOf(Scenario s) {
        return variant == null ? s.defaultVariant() : variant;
    }

    Instance instantiate(Scenario s) {
        return s.instantiate(variantOf(s));
    }
}
