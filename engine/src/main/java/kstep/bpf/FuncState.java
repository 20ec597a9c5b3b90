package kstep.bpf;

import java.util.ArrayList;
import java.util.List;

/** One frame of a verifier state (struct bpf_func_state): eleven registers and the stack the frame has touched. */
public final class FuncState {
    final RegState[] regs = new RegState[11];
    /** Slot i covers fp-8(i+1) .. fp-8i-1; allocated_stack is 8 times the size. */
    final List<StackSlot> stack = new ArrayList<>();
    int frameno;
    /** The call instruction that entered this frame (-1 for the main program, as BPF_MAIN_FUNC). */
    int callsite = -1;
    int subprogno;
    /**
     * The outgoing stack arguments of the stack-args variant: slot i is what {@code *(u64 *)(r11 -8(i+1))}
     * stored for the next call, which the callee reads as {@code *(u64 *)(r11 +8(i+1))}; cleared when the
     * callee returns.
     */
    final RegState[] stackArgs = new RegState[ArgTracking.MAX_STACK_ARG_SLOTS];

    FuncState() {
        for (int i = 0; i < stackArgs.length; i++) stackArgs[i] = new RegState();
        for (int i = 0; i < regs.length; i++) regs[i] = new RegState();
    }

    FuncState copy() {
        FuncState f = new FuncState();
        for (int i = 0; i < regs.length; i++) f.regs[i] = regs[i].copy();
        for (StackSlot s : stack) f.stack.add(s.copy());
        for (int i = 0; i < stackArgs.length; i++) f.stackArgs[i] = stackArgs[i].copy();
        f.frameno = frameno;
        f.callsite = callsite;
        f.subprogno = subprogno;
        return f;
    }

    int allocatedStack() {
        return stack.size() * 8;
    }

    /** grow_stack_state(): room for {@code size} bytes below the frame pointer. */
    void grow(int size) {
        int slots = (size + 7) / 8;
        while (stack.size() < slots) stack.add(new StackSlot());
    }
}
