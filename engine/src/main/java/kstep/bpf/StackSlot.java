package kstep.bpf;

/**
 * Eight bytes of a BPF stack frame as the verifier tracks them (struct bpf_stack_state): a type per byte
 * and, for a spill, the register that was stored. Byte 0 is the highest address (fp-1 for the first slot),
 * byte 7 the lowest, as the kernel indexes slot_type[].
 */
public final class StackSlot {
    /** POISON is the stack-args variant's: a slot the static liveness found dead at a checkpoint, which nothing may read. */
    static final byte INVALID = 0, SPILL = 1, MISC = 2, ZERO = 3, POISON = 4;
    /** slot_type_char[], and 'p' for a poisoned byte. */
    static final char[] CHARS = {'?', 'r', 'm', '0', 'p'};

    final byte[] types = new byte[8];
    RegState spilled = new RegState();

    StackSlot copy() {
        StackSlot c = new StackSlot();
        System.arraycopy(types, 0, c.types, 0, 8);
        c.spilled = spilled.copy();
        return c;
    }

    /** is_spilled_reg(): the last byte holds a spill. */
    boolean isSpill() {
        return types[7] == SPILL;
    }

    boolean isSpilledScalar() {
        return isSpill() && spilled.type == RegType.SCALAR;
    }

    /** is_spilled_scalar_reg64(). */
    boolean isSpilledScalar64() {
        return types[0] == SPILL && spilled.type == RegType.SCALAR;
    }

    boolean allInvalid() {
        for (byte t : types) if (t != INVALID) return false;
        return true;
    }

    /** is_stack_all_misc() for a loader that may read uninitialised stack. */
    boolean allMisc() {
        for (byte t : types) if (t != MISC && t != INVALID) return false;
        return true;
    }

    /** is_stack_all_misc() for a loader that may not read uninitialised stack. */
    boolean allMiscStrict() {
        for (byte t : types) if (t != MISC) return false;
        return true;
    }

    /** Poisons the slot: its bytes may not be read again until written. */
    void poison() {
        java.util.Arrays.fill(types, POISON);
        spilled.markNotInit();
    }

    boolean anyPoison(int from, int to) {
        for (int i = from; i < to; i++) if (types[i] == POISON) return true;
        return false;
    }

    void invalidate() {
        java.util.Arrays.fill(types, INVALID);
        spilled.markNotInit();
    }

    /** The log's text after "fp-8=": a spilled register's value, or a type letter per byte. */
    String text(int curFrame) {
        if (isSpill()) {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < 8 && types[j] != SPILL; j++) b.append(CHARS[types[j]]);
            return b + spilled.text(curFrame);
        }
        StringBuilder b = new StringBuilder();
        for (byte t : types) b.append(CHARS[t]);
        return b.toString();
    }
}
