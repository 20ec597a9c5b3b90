package kstep.bpf;

/**
 * The stack-args variant's R11 instructions, as the series describes them: a caller stores argument 6+i with
 * {@code *(u64 *)(r11 -8(i+1)) = rX} (or an immediate) before {@code call pc+N}; the callee loads it with
 * {@code rY = *(u64 *)(r11 +8(i+1))} and gets the caller's register state, a pointer into the caller's stack
 * included. The messages are kstep's: the running kernel has no such instructions ("R11 is invalid").
 */
final class StackArgs {
    private StackArgs() { }

    /** The slot of an outgoing (negative) or incoming (positive) offset, or a rejection saying what is allowed. */
    private static int slot(Verifier v, Insn in, boolean outgoing) throws Verifier.Reject {
        int off = in.off();
        int max = ArgTracking.MAX_STACK_ARG_SLOTS * 8;
        boolean ok = outgoing ? off < 0 && off >= -max : off > 0 && off <= max;
        if (!ok || off % 8 != 0) {
            String range = outgoing ? "r11 -8 to r11 -" + max : "r11 +8 to r11 +" + max;
            throw v.reject("invalid " + (outgoing ? "outgoing" : "incoming") + " stack argument off " + off + " (" + range + ", a multiple of 8)");
        }
        if (in.size() != Insn.DW) throw v.reject("stack argument access of size " + Insn.bytes(in.size()) + ": stack arguments are 8 bytes");
        return Math.abs(off) / 8 - 1;
    }

    /** {@code *(u64 *)(r11 -N) = rX} or {@code = imm}: the next call's argument 6 + (N/8 - 1). */
    static void store(Verifier v, InsnChecks c, Insn in) throws Verifier.Reject {
        if (in.mode() != Insn.MEM) throw v.reject("stack arguments cannot be accessed atomically");
        int slot = slot(v, in, true);
        FuncState f = v.cur.cur();
        if (in.cls() == Insn.STX) {
            c.checkRegArg(in.src(), InsnChecks.Op.SRC);
            f.stackArgs[slot] = f.regs[in.src()].copy();
        } else {
            RegState r = new RegState();
            r.markUnknown();
            r.markKnown(in.imm());
            f.stackArgs[slot] = r;
        }
        v.markRegScratched(16 + slot);
    }

    /** {@code rY = *(u64 *)(r11 +N)}: what the caller stored for this call at {@code r11 -N}. */
    static void load(Verifier v, InsnChecks c, Insn in) throws Verifier.Reject {
        if (in.mode() != Insn.MEM) throw v.reject("stack arguments cannot be sign-extended on load");
        int slot = slot(v, in, false);
        VerifierState st = v.cur;
        if (st.curframe == 0) throw v.reject("the main program has no incoming stack arguments (r11 +" + in.off() + ")");
        RegState arg = st.frames.get(st.curframe - 1).stackArgs[slot];
        if (arg.type == RegType.NOT_INIT) {
            throw v.reject("stack argument " + (slot + 6) + " (r11 +" + in.off() + ") was not passed by the caller");
        }
        c.checkRegArg(in.dst(), InsnChecks.Op.DST_NO_MARK);
        st.cur().regs[in.dst()] = arg.copy();
    }
}
