package kstep.bpf;

/**
 * Loads and stores through a stack pointer (check_stack_read_fixed_off(), check_stack_write_fixed_off(),
 * their variable-offset forms and check_stack_range_initialized() for helpers): spills keep a register's
 * state, other writes make bytes STACK_MISC or STACK_ZERO, and the liveness pass hears of every slot read
 * and every slot written whole.
 */
final class StackAccess {
    private StackAccess() { }

    static int spi(int off) {
        return (-off - 1) / 8;
    }

    private static int slotIndex(int slot) {
        return slot % 8;
    }

    /** check_stack_write(). */
    static void write(Verifier v, InsnChecks c, int ptrRegno, int off, int size, int valueRegno) throws Verifier.Reject {
        RegState ptr = v.cur.regs()[ptrRegno];
        FuncState state = v.cur.frames.get(ptr.frameno);
        if (ptr.s.varOff.isConst()) writeFixed(v, state, (int) (off + ptr.s.varOff.value()), size, valueRegno);
        else writeVar(v, state, ptr, off, size, valueRegno);
    }

    /** check_stack_write_fixed_off(). */
    private static void writeFixed(Verifier v, FuncState state, int off, int size, int valueRegno) throws Verifier.Reject {
        int slot = -off - 1, spi = slot / 8;
        Insn insn = v.insns.get(v.insnIdx);
        RegState reg = valueRegno >= 0 ? v.cur.regs()[valueRegno] : null;
        StackSlot s = state.stack.get(spi);
        if (!v.priv && s.isSpill() && !s.isSpilledScalar() && size != 8) throw v.reject("attempt to corrupt spilled pointer on stack");
        if (!v.priv) {
            // sanitize_stack_spill(): a speculative path stops after a store over anything but data
            boolean sanitize = reg != null && reg.type.isPointer();
            for (int i = 0; i < size; i++) {
                byte t = s.types[i];
                if (t != StackSlot.MISC && t != StackSlot.ZERO) sanitize = true;
            }
            if (sanitize) v.nospecResult.set(v.insnIdx);
        }
        v.markStackScratched(spi);
        int flags = historyFlags(state.frameno, spi);
        if (reg != null && off % 8 == 0 && reg.type == RegType.SCALAR && v.priv) {
            boolean fits = InsnChecks.width(reg) <= 8 * size;
            if (fits) v.checks.assignScalarIdBeforeMov(reg);
            saveRegisterState(s, reg, size);
            if (!fits) s.spilled.id = 0;
        } else if (reg == null && off % 8 == 0 && insn.cls() == Insn.ST && v.priv) {
            RegState tmp = new RegState();
            tmp.markUnknown();
            tmp.markKnown(insn.imm());
            saveRegisterState(s, tmp, size);
        } else if (reg != null && reg.type.isPointer()) {
            if (size != 8) throw v.reject("invalid size of register spill");
            if (state != v.cur.cur() && reg.type == RegType.STACK) throw v.reject("cannot spill pointers to stack into stack frame of the caller");
            saveRegisterState(s, reg, size);
        } else {
            byte t = StackSlot.MISC;
            s.spilled.type = RegType.NOT_INIT;
            if (s.isSpill()) for (int i = 0; i < 8; i++) if (s.types[i] != StackSlot.INVALID) s.types[i] = StackSlot.MISC;
            if ((reg != null && reg.isNull()) || (reg == null && insn.cls() == Insn.ST && insn.imm() == 0)) {
                v.precision.mark(valueRegno);
                t = StackSlot.ZERO;
            }
            for (int i = 0; i < size; i++) s.types[slotIndex(slot - i)] = t;
            flags = 0;
        }
        if (size == 8) v.stackLive.markWrite(state.frameno, 1L << spi);
        if (flags != 0) v.pushJmpHistory(v.cur, flags, 0);
    }

    /** save_register_state(). */
    private static void saveRegisterState(StackSlot s, RegState reg, int size) {
        s.spilled = reg.copy();
        int i;
        for (i = 8; i > 8 - size; i--) s.types[i - 1] = StackSlot.SPILL;
        for (; i > 0; i--) {
            byte t = s.types[i - 1];
            if (t == StackSlot.ZERO || t == StackSlot.INVALID) continue;
            s.types[i - 1] = StackSlot.MISC;
        }
    }

    /** insn_stack_access_flags(): the history records which frame and slot a spill or fill used. */
    static int historyFlags(int frameno, int spi) {
        return VerifierState.F_STACK_ACCESS | (spi << 4) | frameno;
    }

    static int historySpi(int flags) {
        return (flags >> 4) & 0x3f;
    }

    static int historyFrame(int flags) {
        return flags & 0x7;
    }

    /** check_stack_write_var_off(). */
    private static void writeVar(Verifier v, FuncState state, RegState ptr, int off, int size, int valueRegno) throws Verifier.Reject {
        Insn insn = v.insns.get(v.insnIdx);
        long minOff = ptr.s.smin + off, maxOff = ptr.s.smax + off + size;
        RegState value = valueRegno >= 0 ? v.cur.regs()[valueRegno] : null;
        boolean writingZero = (value != null && value.isNull()) || (value == null && insn.cls() == Insn.ST && insn.imm() == 0);
        boolean zeroUsed = false;
        for (long i = minOff; i < maxOff; i++) {
            int slot = (int) (-i - 1), spi = slot / 8;
            StackSlot s = state.stack.get(spi);
            v.markStackScratched(spi);
            byte t = s.types[slotIndex(slot)];
            if (writingZero && t == StackSlot.SPILL && s.isSpilledScalar() && s.spilled.isConst() && s.spilled.s.varOff.value() == 0) {
                zeroUsed = true;
                continue;
            }
            // the spill is gone as a whole: its other bytes become plain data too
            if (s.spilled.type != RegType.NOT_INIT || t == StackSlot.SPILL) {
                for (int j = 0; j < 8; j++) if (s.types[j] == StackSlot.SPILL) s.types[j] = StackSlot.MISC;
            }
            s.spilled.type = RegType.NOT_INIT;
            byte nt = StackSlot.MISC;
            if (writingZero && t == StackSlot.ZERO) {
                nt = StackSlot.ZERO;
                zeroUsed = true;
            }
            s.types[slotIndex(slot)] = nt;
        }
        if (zeroUsed) v.precision.mark(valueRegno);
    }

    /** check_stack_read(). */
    static void read(Verifier v, InsnChecks c, int ptrRegno, int off, int size, int dstRegno) throws Verifier.Reject {
        RegState ptr = v.cur.regs()[ptrRegno];
        FuncState state = v.cur.frames.get(ptr.frameno);
        boolean varOff = !ptr.s.varOff.isConst();
        if (dstRegno < 0 && varOff) {
            throw v.reject("variable offset stack pointer cannot be passed into helper function; var_off=" + ptr.s.varOff.text() + " off=" + off
                + " size=" + size);
        }
        if (!varOff) readFixed(v, state, (int) (off + ptr.s.varOff.value()), size, dstRegno);
        else readVar(v, c, ptrRegno, off, size, dstRegno);
    }

    /** check_stack_read_fixed_off(). */
    private static void readFixed(Verifier v, FuncState state, int off, int size, int dstRegno) throws Verifier.Reject {
        checkPoison(v, state, off, off + size);
        int slot = -off - 1, spi = slot / 8;
        StackSlot s = state.stack.get(spi);
        RegState[] regs = v.cur.regs();
        int flags = historyFlags(state.frameno, spi);
        v.markStackScratched(spi);
        v.stackLive.markRead(v.cur, state.frameno, v.insnIdx, 1L << spi);
        if (s.isSpill()) {
            int spillSize = 1;
            for (int i = 7; i > 0 && s.types[i - 1] == StackSlot.SPILL; i--) spillSize++;
            RegState reg = s.spilled;
            if (size != 8 || spillSize != 8) {
                if (reg.type != RegType.SCALAR) throw v.reject("invalid size of register fill");
                if (dstRegno < 0) return;
                if (size <= spillSize && off % 8 == 0) {
                    if (size == 4 && spillSize == 4 && InsnChecks.width(reg) <= 32) v.checks.assignScalarIdBeforeMov(reg);
                    regs[dstRegno].copyFrom(reg);
                    if (InsnChecks.width(reg) > size * 8) regs[dstRegno].id = 0;
                } else {
                    int spillCnt = 0, zeroCnt = 0;
                    for (int i = 0; i < size; i++) {
                        byte t = s.types[slotIndex(slot - i)];
                        if (t == StackSlot.SPILL) spillCnt++;
                        else if (t == StackSlot.ZERO) zeroCnt++;
                        else if (t == StackSlot.INVALID && !v.priv) throw v.reject("invalid read from stack off " + off + "+" + i + " size " + size);
                    }
                    if (spillCnt == size && reg.isConst() && reg.s.varOff.value() == 0) {
                        constZero(regs[dstRegno]);
                    } else if (zeroCnt == size) {
                        constZero(regs[dstRegno]);
                        flags = 0;
                    } else {
                        regs[dstRegno].markUnknown();
                        flags = 0;
                    }
                }
            } else if (dstRegno >= 0) {
                v.checks.assignScalarIdBeforeMov(reg);
                regs[dstRegno].copyFrom(reg);
            } else if (!v.priv && reg.type.isPointer()) {
                throw v.reject("leaking pointer from stack off " + off);
            }
        } else {
            if (!v.priv) {
                for (int i = 0; i < size; i++) {
                    byte t = s.types[slotIndex(slot - i)];
                    if (t == StackSlot.INVALID) throw v.reject("invalid read from stack off " + off + "+" + i + " size " + size);
                }
            }
            if (dstRegno >= 0) markRegStackRead(v, state, off, off + size, dstRegno);
            flags = 0;
        }
        if (flags != 0) v.pushJmpHistory(v.cur, flags, 0);
    }

    private static void constZero(RegState r) {
        r.markUnknown();
        r.markKnown(0);
    }

    /** mark_reg_stack_read(): zero bytes give a zero, anything else an unknown scalar. */
    private static void markRegStackRead(Verifier v, FuncState state, long minOff, long maxOff, int dstRegno) {
        int zeros = 0;
        for (long i = minOff; i < maxOff; i++) {
            int slot = (int) (-i - 1), spi = slot / 8;
            v.markStackScratched(spi);
            if (state.stack.get(spi).types[slotIndex(slot)] != StackSlot.ZERO) break;
            zeros++;
        }
        RegState dst = v.cur.regs()[dstRegno];
        if (zeros == maxOff - minOff) constZero(dst);
        else dst.markUnknown();
    }

    /** check_stack_read_var_off(). */
    private static void readVar(Verifier v, InsnChecks c, int ptrRegno, int off, int size, int dstRegno) throws Verifier.Reject {
        RegState ptr = v.cur.regs()[ptrRegno];
        FuncState state = v.cur.frames.get(ptr.frameno);
        checkPoison(v, state, ptr.s.smin + off, ptr.s.smax + off + size);
        rangeInitialized(v, c, ptrRegno, off, size, false, false, null);
        markRegStackRead(v, state, ptr.s.smin + off, ptr.s.smax + off + size, dstRegno);
    }

    /**
     * The stack-args variant: a read of a byte the static liveness found dead (poisoned at a checkpoint) is
     * refused — with a correct liveness no path reads one. kstep's message; 6.18 has no poisoning.
     */
    private static void checkPoison(Verifier v, FuncState state, long from, long to) throws Verifier.Reject {
        if (v.argTracking == null) return;
        for (long o = from; o < to; o++) {
            int slot = (int) (-o - 1), spi = slot / 8;
            if (slot < 0 || spi >= state.stack.size()) continue;
            if (state.stack.get(spi).types[slotIndex(slot)] == StackSlot.POISON) {
                throw v.reject("invalid read from poisoned stack frame" + state.frameno + " off " + from + "+" + (o - from) + " size " + (to - from)
                    + ": the liveness analysis found fp" + (-(spi + 1) * 8) + " dead");
            }
        }
    }

    /** What a helper's raw (uninitialised) memory argument asks of check_helper_call(): the bytes to mark written. */
    static final class RawMode {
        boolean on;
        int accessSize;
        int regno = -1;
    }

    /** check_stack_range_initialized(): a helper reading (or writing) [off, off + size) of the stack. */
    static void rangeInitialized(Verifier v, InsnChecks c, int regno, int off, int size, boolean zeroOk, boolean write, RawMode raw) throws Verifier.Reject {
        RegState reg = v.cur.regs()[regno];
        FuncState state = v.cur.frames.get(reg.frameno);
        if (size == 0 && !zeroOk) throw v.reject("invalid zero-sized read");
        c.checkStackAccessWithinBounds(regno, off, size, write);
        long minOff, maxOff;
        if (reg.s.varOff.isConst()) {
            minOff = maxOff = reg.s.varOff.value() + off;
        } else {
            if (raw != null && raw.on) raw = null;
            minOff = reg.s.smin + off;
            maxOff = reg.s.smax + off;
        }
        if (raw != null && raw.on) {
            raw.accessSize = size;
            raw.regno = regno;
            return;
        }
        for (long i = minOff; i < maxOff + size; i++) {
            int slot = (int) (-i - 1), spi = slot / 8;
            if (state.allocatedStack() <= slot) throw v.reject("allocated_stack too small");
            StackSlot s = state.stack.get(spi);
            byte t = s.types[slotIndex(slot)];
            if (t == StackSlot.ZERO || (t == StackSlot.INVALID && v.priv)) {
                if (write) s.types[slotIndex(slot)] = StackSlot.MISC;
            } else if (t == StackSlot.MISC) {
                // readable as it is
            } else if (s.isSpill() && (v.priv || s.spilled.type == RegType.SCALAR)) {
                if (write) {
                    s.spilled.markUnknown();
                    for (int j = 0; j < 8; j++) if (s.types[j] != StackSlot.INVALID) s.types[j] = StackSlot.MISC;
                }
            } else {
                if (reg.s.varOff.isConst()) throw v.reject("invalid read from stack R" + regno + " off " + minOff + "+" + (i - minOff) + " size " + size);
                throw v.reject("invalid read from stack R" + regno + " var_off " + reg.s.varOff.text() + "+" + (i - minOff) + " size " + size);
            }
            v.stackLive.markRead(v.cur, reg.frameno, v.insnIdx, 1L << spi);
        }
    }
}
