package kstep.bpf;

import java.util.ArrayList;
import java.util.List;

/**
 * A path through the program as the verifier explores it (struct bpf_verifier_state): the frames, where it
 * is, the checkpoint it descends from, how many paths from it are still open, and the jump history that
 * precision backtracking walks.
 */
public final class VerifierState {
    /** One entry of jmp_history: an instruction reached other than by falling through, or a stack access. */
    record HistoryEntry(int idx, int prevIdx, int flags, long linkedRegs) { }

    static final int F_STACK_ACCESS = 1 << 3;
    static final int F_SRC_REG_STACK = 1 << 12, F_DST_REG_STACK = 1 << 13;

    final List<FuncState> frames = new ArrayList<>();
    int curframe;
    VerifierState parent;
    int insnIdx;
    int firstInsnIdx;
    int lastInsnIdx;
    int branches = 1;
    boolean cleaned;
    /** A path simulated only as the CPU might run it mispredicted (Spectre v1), for a loader without CAP_PERFMON. */
    boolean speculative;
    List<HistoryEntry> history = new ArrayList<>();
    /** A number for the exploration tree the app draws (not the kernel's). */
    int serial;

    VerifierState copy() {
        VerifierState v = new VerifierState();
        for (FuncState f : frames) v.frames.add(f.copy());
        v.curframe = curframe;
        v.parent = parent;
        v.insnIdx = insnIdx;
        v.firstInsnIdx = firstInsnIdx;
        v.lastInsnIdx = lastInsnIdx;
        v.branches = branches;
        v.cleaned = cleaned;
        v.speculative = speculative;
        v.history = new ArrayList<>(history);
        v.serial = serial;
        return v;
    }

    FuncState cur() {
        return frames.get(curframe);
    }

    RegState[] regs() {
        return cur().regs;
    }

    /** frame_insn_idx(): where frame {@code i} is, its own instruction for the innermost, the call for the others. */
    int frameInsnIdx(int i) {
        return i == curframe ? insnIdx : frames.get(i + 1).callsite;
    }

    // ------------------------------------------------------------------ read-only views for the workbench
    /** The innermost frame's number (0 for the main program). */
    public int curframeNo() {
        return curframe;
    }

    /** The instruction this state is at. */
    public int insn() {
        return insnIdx;
    }

    /** Register {@code r} of frame {@code frame} as the log prints it ("ctx()", "P3"), or null when it is not initialised. */
    public String register(int frame, int r) {
        if (frame < 0 || frame > curframe) return null;
        RegState x = frames.get(frame).regs[r];
        return x.type == RegType.NOT_INIT ? null : x.text(frame);
    }

    /** Whether register {@code r} of {@code frame} is a scalar marked precise. */
    public boolean precise(int frame, int r) {
        RegState x = frames.get(frame).regs[r];
        return x.type == RegType.SCALAR && x.precise;
    }

    /**
     * The frame's used stack slots, highest first: "fp-8" to its text ("mmmmmmmm", "ctx()", "P0"); then, in
     * the stack-args variants, the outgoing stack arguments it has stored ("r11-8").
     */
    public java.util.Map<String, String> stack(int frame) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        if (frame < 0 || frame > curframe) return out;
        FuncState f = frames.get(frame);
        for (int i = 0; i < f.stack.size(); i++) {
            StackSlot st = f.stack.get(i);
            if (!st.allInvalid()) out.put("fp" + (-(i + 1) * 8), st.text(frame));
        }
        for (int i = 0; i < f.stackArgs.length; i++) if (f.stackArgs[i].type != RegType.NOT_INIT) out.put("r11-" + (i + 1) * 8, f.stackArgs[i].text(frame));
        return out;
    }
}
