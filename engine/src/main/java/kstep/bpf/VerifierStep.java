package kstep.bpf;

/**
 * One step of verification, as the app steps through it: an instruction simulated in a state (with the
 * frames before and after), a branch pushed for later, a branch popped, a state found equivalent to one
 * already verified (pruned), a path that reached its exit, or the error that ended verification.
 */
public sealed interface VerifierStep {
    int insn();

    /** The log's length when the step happened, so a view can show the log up to it. */
    int logPos();

    record Simulated(int insn, int logPos, int path, VerifierState before, VerifierState after) implements VerifierStep { }

    record Pushed(int insn, int logPos, int path, int target, int child) implements VerifierStep { }

    record Popped(int insn, int logPos, int path, int from) implements VerifierStep { }

    /** {@code checkpoint}: the path whose checkpoint at {@code insn} covered this state. */
    record Pruned(int insn, int logPos, int path, int checkpoint) implements VerifierStep { }

    record Exited(int insn, int logPos, int path) implements VerifierStep { }

    record Failed(int insn, int logPos, int path, String error) implements VerifierStep { }
}
