package kstep.bpf;

/**
 * Scalars that share an id hold the same value (or the same value plus a constant, BPF_ADD_CONST): what a
 * comparison learns about one holds for all (collect_linked_regs(), sync_linked_regs()). The set is packed
 * in a long for the jump history: a count in bits 0-2, then ten bits an entry (frame, register or slot, is-register).
 */
final class LinkedRegs {
    static final int MAX = 6;

    private LinkedRegs() { }

    static int count(long packed) {
        return (int) (packed & 7);
    }

    static int frame(long packed, int i) {
        return (int) (packed >>> (3 + 10 * i)) & 7;
    }

    static int index(long packed, int i) {
        return (int) (packed >>> (6 + 10 * i)) & 0x3f;
    }

    static boolean isReg(long packed, int i) {
        return ((packed >>> (12 + 10 * i)) & 1) != 0;
    }

    private static long push(long packed, int frame, int index, boolean isReg) {
        int n = count(packed);
        long e = frame | ((long) index << 3) | ((isReg ? 1L : 0L) << 9);
        return (packed & ~7L) | ((long) e << (3 + 10 * n)) | (n + 1);
    }

    /**
     * collect_linked_regs(): the live scalars and spilled scalars carrying {@code id}, added to {@code packed}
     * (collected once for each side of a comparison, so a register may be listed twice; past six entries a
     * register loses its id, as the kernel's fixed-size set does).
     */
    static long collect(VerifierState st, int id, long packed, LiveRegs live) {
        id &= ~RegState.ADD_CONST;
        for (int i = st.curframe; i >= 0; i--) {
            FuncState f = st.frames.get(i);
            int liveMask = live.bits(st.frameInsnIdx(i));
            for (int j = 0; j < 10; j++) {
                if ((liveMask & (1 << j)) == 0) continue;
                packed = add(packed, f.regs[j], id, i, j, true);
            }
            for (int j = 0; j < f.stack.size(); j++) {
                if (!f.stack.get(j).isSpill()) continue;
                packed = add(packed, f.stack.get(j).spilled, id, i, j, false);
            }
        }
        return packed;
    }

    private static long add(long packed, RegState r, int id, int frame, int index, boolean isReg) {
        if (r.type != RegType.SCALAR || (r.id & ~RegState.ADD_CONST) != id) return packed;
        if (count(packed) >= MAX) {
            r.id = 0;
            return packed;
        }
        return push(packed, frame, index, isReg);
    }

    static RegState reg(VerifierState st, long packed, int i) {
        FuncState f = st.frames.get(frame(packed, i));
        return isReg(packed, i) ? f.regs[index(packed, i)] : f.stack.get(index(packed, i)).spilled;
    }

    /** sync_linked_regs(): every linked scalar takes {@code known}'s bounds, shifted by its constant. */
    static void sync(VerifierState st, RegState known, long packed) {
        for (int i = 0; i < count(packed); i++) {
            RegState r = reg(st, packed, i);
            if (r.type != RegType.SCALAR || r == known) continue;
            if ((r.id & ~RegState.ADD_CONST) != (known.id & ~RegState.ADD_CONST)) continue;
            boolean rc = (r.id & RegState.ADD_CONST) != 0, kc = (known.id & RegState.ADD_CONST) != 0;
            if ((!rc && !kc) || r.off == known.off) {
                r.copyFrom(known);
            } else {
                int savedOff = r.off, savedId = r.id;
                long delta = (long) r.off - (long) known.off;
                r.copyFrom(known);
                r.off = savedOff;
                r.id = savedId;
                r.s.alu(Insn.ADD, Scalar.known(delta), (savedId & RegState.ADD_CONST32) != 0);
            }
        }
    }
}
