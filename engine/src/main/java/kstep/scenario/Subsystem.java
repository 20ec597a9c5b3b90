package kstep.scenario;

import java.util.List;

import kstep.engine.Builtins;
import kstep.engine.Check;
import kstep.engine.ExternalEvent;
import kstep.engine.Setup;

/**
 * A kernel subsystem kstep models (vgic, and later lock, mm, bpf): its builtins, how it builds its part of the
 * initial state from the scenario section named after it, the checks that turn its states into findings and
 * the external events it offers the scheduler. Found with {@link java.util.ServiceLoader}.
 */
public interface Subsystem {
    /** The scenario section this subsystem reads ({@code vgic:}). */
    String name();

    /** Registers the builtins its models call; every subsystem's builtins are always available. */
    void registerBuiltins(Builtins b);

    /** Builds its initial objects from {@code section} (null when the scenario has none) and says what it checks. */
    Contribution setup(YNode section, Setup setup);

    /** What a subsystem adds to the machine: checks, external events, and watchers of struct fields by struct name. */
    record Contribution(List<Check> checks, List<ExternalEvent> events, java.util.Map<String, kstep.engine.FieldHook> fieldHooks) {
        public static final Contribution NONE = new Contribution(List.of(), List.of());

        public Contribution(List<Check> checks, List<ExternalEvent> events) {
            this(checks, events, java.util.Map.of());
        }
    }
}
