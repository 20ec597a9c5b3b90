package kstep.bpf;

import java.util.List;

/**
 * Where the verifier workbench's ▶▶ and ◀◀ stop: a state pruned (is_state_visited found an equal checkpoint), a
 * branch pushed or taken up, a path's exit, the rejection, or an instruction simulated.
 */
public enum VerifierStop {
    PRUNED("state pruned"), PUSHED("branch pushed"), POPPED("branch taken up"), EXIT("path exits"), ERROR("rejection"), INSN("instruction");

    private final String label;

    VerifierStop(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }

    /** Whether {@code s} stops here; {@code insn} is the instruction for INSN. */
    public boolean at(VerifierStep s, int insn) {
        return switch (this) {
            case PRUNED -> s instanceof VerifierStep.Pruned;
            case PUSHED -> s instanceof VerifierStep.Pushed;
            case POPPED -> s instanceof VerifierStep.Popped;
            case EXIT -> s instanceof VerifierStep.Exited;
            case ERROR -> s instanceof VerifierStep.Failed;
            case INSN -> s instanceof VerifierStep.Simulated x && x.insn() == insn;
        };
    }

    /** The first step after {@code from} (or, {@code back}, the last before it) that stops here; -1 if none. */
    public int next(List<VerifierStep> steps, int from, boolean back, int insn) {
        if (back) {
            for (int k = Math.min(from, steps.size()) - 1; k >= 0; k--) if (at(steps.get(k), insn)) return k;
        } else {
            for (int k = from + 1; k < steps.size(); k++) if (at(steps.get(k), insn)) return k;
        }
        return -1;
    }

    /** How many steps stop here: the hit count the workbench shows. */
    public long count(List<VerifierStep> steps, int insn) {
        return steps.stream().filter(s -> at(s, insn)).count();
    }
}
