package kstep.bpf;

import java.util.List;

/**
 * Where the verifier workbench's ▶▶ and ◀◀ stop: a state pruned (is_state_visited found an equal checkpoint), a
 * branch pushed or taken up, a path's exit, the rejection, an instruction simulated, or a register or stack slot
 * of the current frame changed (a watchpoint: {@code r3}, {@code fp-8}, {@code r11-8}). The last two take an
 * argument, the instruction's number or the register or slot.
 */
public enum VerifierStop {
    PRUNED("state pruned"), PUSHED("branch pushed"), POPPED("branch taken up"), EXIT("path exits"), ERROR("rejection"), INSN("instruction"),
    CHANGED("value changes");

    private final String label;

    VerifierStop(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }

    /** Whether this stop needs an argument (the instruction, the register or slot). */
    public boolean takesArgument() {
        return this == INSN || this == CHANGED;
    }

    /** What is wrong with {@code arg} for this stop, or null when it will do. */
    public String problem(String arg) {
        String a = arg == null ? "" : arg.strip().toLowerCase(java.util.Locale.ROOT);
        if (this == INSN && !a.matches("[0-9]{1,6}")) return "Type the instruction number to stop at.";
        if (this == CHANGED && !a.matches("r([0-9]|10)|fp-[0-9]{1,3}|r11-[0-9]{1,2}")) return "Type the register or stack slot to watch: r3, fp-8, r11-8.";
        return null;
    }

    /** Whether {@code s} stops here; {@code arg} is the instruction for INSN and the register or slot for CHANGED. */
    public boolean at(VerifierStep s, String arg) {
        return switch (this) {
            case PRUNED -> s instanceof VerifierStep.Pruned;
            case PUSHED -> s instanceof VerifierStep.Pushed;
            case POPPED -> s instanceof VerifierStep.Popped;
            case EXIT -> s instanceof VerifierStep.Exited;
            case ERROR -> s instanceof VerifierStep.Failed;
            case INSN -> s instanceof VerifierStep.Simulated x && x.insn() == Integer.parseInt(arg.strip());
            case CHANGED -> s instanceof VerifierStep.Simulated x && !java.util.Objects.equals(value(x.before(), arg), value(x.after(), arg));
        };
    }

    /** Register {@code r3} or slot {@code fp-8} of the state's current frame as the states table prints it, or null. */
    public static String value(VerifierState st, String arg) {
        String a = arg.strip().toLowerCase(java.util.Locale.ROOT);
        int f = st.curframeNo();
        if (a.matches("r([0-9]|10)")) return st.register(f, Integer.parseInt(a.substring(1)));
        return st.stack(f).get(a);
    }

    /** The first step after {@code from} (or, {@code back}, the last before it) that stops here; -1 if none. */
    public int next(List<VerifierStep> steps, int from, boolean back, String arg) {
        if (back) {
            for (int k = Math.min(from, steps.size()) - 1; k >= 0; k--) if (at(steps.get(k), arg)) return k;
        } else {
            for (int k = from + 1; k < steps.size(); k++) if (at(steps.get(k), arg)) return k;
        }
        return -1;
    }

    /** How many steps stop here: the hit count the workbench shows. */
    public long count(List<VerifierStep> steps, String arg) {
        return steps.stream().filter(s -> at(s, arg)).count();
    }
}
