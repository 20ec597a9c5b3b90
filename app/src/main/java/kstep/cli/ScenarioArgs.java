package kstep.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import kstep.scenario.Instance;
import kstep.scenario.Samples;
import kstep.scenario.Scenario;

/** The SCENARIO and --variant every scenario command takes. */
final class ScenarioArgs {
    @Parameters(paramLabel = "SCENARIO", description = "A sample id (vgic/doorbell-preemption), a scenario file or a .kstep bundle.")
    String scenario;

    @Option(names = "--variant", paramLabel = "V", description = "The kernel variant (default: the scenario's first).")
    String variant;

    Scenario open() {
        if (kstep.bundle.Bundle.isBundle(scenario)) return moment().session().scenario();
        return Samples.open(scenario);
    }

    private kstep.bundle.Bundle.Moment moment;

    /** The bundle SCENARIO names, opened once; null when it is not a .kstep file. */
    kstep.bundle.Bundle.Moment moment() {
        if (!kstep.bundle.Bundle.isBundle(scenario)) return null;
        if (moment == null) moment = kstep.bundle.Bundle.open(java.nio.file.Path.of(scenario), kstep.annotate.Sidecar.dataHome());
        return moment;
    }

    String variantOf(Scenario s) {
        if (variant == null && moment() != null) return moment().session().variant();
        return variant == null ? s.defaultVariant() : variant;
    }

    Instance instantiate(Scenario s) {
        return s.instantiate(variantOf(s));
    }
}
