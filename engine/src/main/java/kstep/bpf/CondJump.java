package kstep.bpf;

/**
 * A conditional jump (check_cond_jmp_op()): when the registers decide it (is_branch_taken()) only one side
 * is followed and the registers it depended on are marked precise; otherwise the jump side is pushed for
 * later, and each side learns from the comparison (reg_set_min_max(), linked scalars, NULL checks of map
 * lookups, packet bounds against data_end).
 */
final class CondJump {
    private CondJump() { }

    static InsnChecks.Outcome check(Verifier v, InsnChecks c, Insn in, int idx) throws Verifier.Reject {
        int op = in.op();
        if (op == Insn.JA || op > Insn.JCOND) throw v.reject(String.format("invalid BPF_JMP/JMP32 opcode %x", op));
        if (op == Insn.JCOND) throw v.reject("kstep does not model may_goto yet");
        VerifierState thisBranch = v.cur;
        RegState[] regs = thisBranch.regs();
        c.checkRegArg(in.dst(), InsnChecks.Op.SRC);
        RegState dst = regs[in.dst()];
        RegState src;
        int flags = 0;
        if (in.srcX()) {
            if (in.imm() != 0) throw v.reject("BPF_JMP/JMP32 uses reserved fields");
            c.checkRegArg(in.src(), InsnChecks.Op.SRC);
            src = regs[in.src()];
            boolean bothPkt = pktAny(dst) && pktAny(src);
            if (!bothPkt && c.leaks(in.src())) throw v.reject("R" + in.src() + " pointer comparison prohibited");
            if (src.type == RegType.STACK) flags |= VerifierState.F_SRC_REG_STACK;
            if (dst.type == RegType.STACK) flags |= VerifierState.F_DST_REG_STACK;
        } else {
            if (in.src() != 0) throw v.reject("BPF_JMP/JMP32 uses reserved fields");
            src = new RegState();
            src.markUnknown();
            src.markKnown(in.imm());
            if (dst.type == RegType.STACK) flags |= VerifierState.F_DST_REG_STACK;
        }
        if (flags != 0) v.pushJmpHistory(thisBranch, flags, 0);
        boolean jmp32 = in.cls() == Insn.JMP32;
        int pred = branchTaken(dst, src, op, jmp32);
        if (pred >= 0) {
            if (!dst.type.isPointer()) v.precision.mark(in.dst());
            if (in.srcX() && !src.type.isPointer()) v.precision.mark(in.src());
        }
        if (pred == 1) {
            if (!v.priv) speculativePath(v, in, idx + 1, idx);
            if (v.log.on()) v.printInsnState(thisBranch);
            return new InsnChecks.Outcome(idx + in.off() + 1, false, false);
        } else if (pred == 0) {
            if (!v.priv) speculativePath(v, in, idx + in.off() + 1, idx);
            if (v.log.on()) v.printInsnState(thisBranch);
            return new InsnChecks.Outcome(idx + 1, false, false);
        }
        long linked = 0;
        if (in.srcX() && src.type == RegType.SCALAR && src.id != 0) linked = LinkedRegs.collect(thisBranch, src.id, linked, v.live);
        if (dst.type == RegType.SCALAR && dst.id != 0) linked = LinkedRegs.collect(thisBranch, dst.id, linked, v.live);
        if (LinkedRegs.count(linked) > 1) v.pushJmpHistory(thisBranch, 0, linked);
        VerifierState other = v.pushStack(idx + in.off() + 1, idx);
        RegState[] oregs = other.regs();
        if (in.srcX()) {
            regSetMinMax(oregs[in.dst()], oregs[in.src()], dst, src, op, jmp32);
            sanity(v, oregs[in.dst()], oregs[in.src()], dst, src);
        } else {
            RegState fake1 = src.copy();
            regSetMinMax(oregs[in.dst()], src, dst, fake1, op, jmp32);
            sanity(v, oregs[in.dst()], src, dst, fake1);
        }
        if (in.srcX() && src.type == RegType.SCALAR && src.id != 0) {
            LinkedRegs.sync(thisBranch, src, linked);
            LinkedRegs.sync(other, oregs[in.src()], linked);
        }
        if (dst.type == RegType.SCALAR && dst.id != 0) {
            LinkedRegs.sync(thisBranch, dst, linked);
            LinkedRegs.sync(other, oregs[in.dst()], linked);
        }
        if (!jmp32 && in.srcX() && src.type.isPointer() && dst.type.isPointer() && src.maybeNull != dst.maybeNull) {
            RegState[] eq = op == Insn.JEQ ? oregs : op == Insn.JNE ? regs : null;
            if (eq != null) {
                if (src.maybeNull) eq[in.src()].maybeNull = false;
                else eq[in.dst()].maybeNull = false;
            }
        }
        if (!jmp32 && !in.srcX() && in.imm() == 0 && (op == Insn.JEQ || op == Insn.JNE) && dst.maybeNull) {
            markPtrOrNullRegs(thisBranch, in.dst(), op == Insn.JNE);
            markPtrOrNullRegs(other, in.dst(), op == Insn.JEQ);
            if (!v.priv) {
                // the pointer was precise as every register of an unprivileged loader is; so is the 0 it becomes
                v.markAllPrecise(thisBranch);
                v.markAllPrecise(other);
            }
        } else if (!matchPktPointers(in, dst, regs[in.src()], thisBranch, other) && c.leaks(in.dst())) {
            throw v.reject("R" + in.dst() + " pointer comparison prohibited");
        }
        if (v.log.on()) v.printInsnState(thisBranch);
        return new InsnChecks.Outcome(idx + 1, false, false);
    }

    /** mark_ptr_or_null_regs(): every copy of a checked lookup result becomes a pointer, or the scalar 0. */
    private static void markPtrOrNullRegs(VerifierState st, int regno, boolean isNull) {
        int id = st.regs()[regno].id;
        for (FuncState f : st.frames) {
            for (RegState r : f.regs) markPtrOrNull(r, id, isNull);
            for (StackSlot s : f.stack) if (s.isSpill()) markPtrOrNull(s.spilled, id, isNull);
        }
    }

    private static void markPtrOrNull(RegState r, int id, boolean isNull) {
        if (!r.maybeNull || r.id != id) return;
        if (isNull) {
            r.type = RegType.SCALAR;
            r.maybeNull = false;
            r.map = null;
            r.id = 0;
            return;
        }
        r.maybeNull = false;
        r.id = 0;
    }

    static void clearAllPktPointers(VerifierState st) {
        for (FuncState f : st.frames) {
            for (RegState r : f.regs) if (r.type.isPacket() || r.type == RegType.PACKET_END) r.markUnknown();
            for (StackSlot s : f.stack) if (s.isSpill() && (s.spilled.type.isPacket() || s.spilled.type == RegType.PACKET_END)) s.spilled.markUnknown();
        }
    }

    // ------------------------------------------------------------------ is_branch_taken()
    private static boolean isConst(RegState r, boolean jmp32) {
        return jmp32 ? r.s.varOff.subregIsConst() : r.s.varOff.isConst();
    }

    private static long constValue(RegState r, boolean jmp32) {
        return jmp32 ? r.s.varOff.value() & 0xffffffffL : r.s.varOff.value();
    }

    static int flip(int op) {
        return switch (op) {
            case Insn.JGT -> Insn.JLT;
            case Insn.JLT -> Insn.JGT;
            case Insn.JGE -> Insn.JLE;
            case Insn.JLE -> Insn.JGE;
            case Insn.JSGT -> Insn.JSLT;
            case Insn.JSLT -> Insn.JSGT;
            case Insn.JSGE -> Insn.JSLE;
            case Insn.JSLE -> Insn.JSGE;
            default -> op;
        };
    }

    /** rev_opcode(): the condition of the fall-through side (JSET's reverse is kept apart as JSET|X). */
    static int rev(int op) {
        return switch (op) {
            case Insn.JEQ -> Insn.JNE;
            case Insn.JNE -> Insn.JEQ;
            case Insn.JSET -> Insn.JSET | Insn.X;
            case Insn.JSET | Insn.X -> Insn.JSET;
            case Insn.JGT -> Insn.JLE;
            case Insn.JLE -> Insn.JGT;
            case Insn.JGE -> Insn.JLT;
            case Insn.JLT -> Insn.JGE;
            case Insn.JSGT -> Insn.JSLE;
            case Insn.JSLE -> Insn.JSGT;
            case Insn.JSGE -> Insn.JSLT;
            case Insn.JSLT -> Insn.JSGE;
            default -> op;
        };
    }

    static int branchTaken(RegState r1, RegState r2, int op, boolean jmp32) {
        boolean pkt1 = r1.type.isPacket() || r1.type == RegType.PACKET_END, pkt2 = r2.type.isPacket() || r2.type == RegType.PACKET_END;
        if (pkt1 && pkt2 && !jmp32) return pktBranchTaken(r1, r2, op);
        if (r1.type.isPointer() || r2.type.isPointer()) {
            if (!isConst(r2, jmp32)) {
                op = flip(op);
                RegState t = r1;
                r1 = r2;
                r2 = t;
            }
            if (!isConst(r2, jmp32) || r2.type.isPointer()) return -1;
            if (!notNull(r1)) return -1;
            if (constValue(r2, jmp32) != 0) return -1;
            return op == Insn.JEQ ? 0 : op == Insn.JNE ? 1 : -1;
        }
        return scalarBranchTaken(r1.s, r2.s, op, jmp32);
    }

    /** reg_not_null(). */
    private static boolean notNull(RegState r) {
        if (r.maybeNull) return false;
        return r.type == RegType.MAP_VALUE || r.type == RegType.MAP_KEY || r.type == RegType.CONST_PTR_TO_MAP || r.type == RegType.MEM
            || r.type == RegType.SOCK_COMMON;
    }

    /** is_pkt_ptr_branch_taken(). */
    private static int pktBranchTaken(RegState r1, RegState r2, int op) {
        RegState pkt;
        if (r2.type == RegType.PACKET_END) {
            pkt = r1;
        } else if (r1.type == RegType.PACKET_END) {
            pkt = r2;
            op = flip(op);
        } else {
            return -1;
        }
        if (pkt.range >= 0) return -1;
        switch (op) {
            case Insn.JLE, Insn.JGT -> {
                if (pkt.range == -2) return op == Insn.JGT ? 1 : 0;
            }
            case Insn.JLT, Insn.JGE -> {
                return op == Insn.JGE ? 1 : 0;
            }
            default -> { }
        }
        return -1;
    }

    private static int scalarBranchTaken(Scalar a, Scalar b, int op, boolean jmp32) {
        Tnum t1 = jmp32 ? a.varOff.subreg() : a.varOff, t2 = jmp32 ? b.varOff.subreg() : b.varOff;
        long umin1 = jmp32 ? a.u32min & 0xffffffffL : a.umin, umax1 = jmp32 ? a.u32max & 0xffffffffL : a.umax;
        long smin1 = jmp32 ? a.s32min : a.smin, smax1 = jmp32 ? a.s32max : a.smax;
        long umin2 = jmp32 ? b.u32min & 0xffffffffL : b.umin, umax2 = jmp32 ? b.u32max & 0xffffffffL : b.umax;
        long smin2 = jmp32 ? b.s32min : b.smin, smax2 = jmp32 ? b.s32max : b.smax;
        switch (op) {
            case Insn.JEQ, Insn.JNE -> {
                boolean eq = op == Insn.JEQ;
                if (t1.isConst() && t2.isConst()) return (t1.value() == t2.value()) == eq ? 1 : 0;
                long mu = ~t1.mask() & ~t2.mask();
                boolean differ = (t1.value() & mu) != (t2.value() & mu)
                    || Long.compareUnsigned(umin1, umax2) > 0 || Long.compareUnsigned(umax1, umin2) < 0
                    || smin1 > smax2 || smax1 < smin2
                    || (!jmp32 && (Integer.compareUnsigned(a.u32min, b.u32max) > 0 || Integer.compareUnsigned(a.u32max, b.u32min) < 0
                        || a.s32min > b.s32max || a.s32max < b.s32min));
                if (differ) return eq ? 0 : 1;
            }
            case Insn.JSET -> {
                Tnum x = t1, k = t2;
                Scalar kk = b;
                if (!(jmp32 ? kk.varOff.subregIsConst() : kk.varOff.isConst())) {
                    x = t2;
                    k = t1;
                    kk = a;
                }
                if (!(jmp32 ? kk.varOff.subregIsConst() : kk.varOff.isConst())) return -1;
                if (((~x.mask() & x.value()) & k.value()) != 0) return 1;
                if (((x.mask() | x.value()) & k.value()) == 0) return 0;
            }
            case Insn.JGT -> {
                if (Long.compareUnsigned(umin1, umax2) > 0) return 1;
                if (Long.compareUnsigned(umax1, umin2) <= 0) return 0;
            }
            case Insn.JSGT -> {
                if (smin1 > smax2) return 1;
                if (smax1 <= smin2) return 0;
            }
            case Insn.JLT -> {
                if (Long.compareUnsigned(umax1, umin2) < 0) return 1;
                if (Long.compareUnsigned(umin1, umax2) >= 0) return 0;
            }
            case Insn.JSLT -> {
                if (smax1 < smin2) return 1;
                if (smin1 >= smax2) return 0;
            }
            case Insn.JGE -> {
                if (Long.compareUnsigned(umin1, umax2) >= 0) return 1;
                if (Long.compareUnsigned(umax1, umin2) < 0) return 0;
            }
            case Insn.JSGE -> {
                if (smin1 >= smax2) return 1;
                if (smax1 < smin2) return 0;
            }
            case Insn.JLE -> {
                if (Long.compareUnsigned(umax1, umin2) <= 0) return 1;
                if (Long.compareUnsigned(umin1, umax2) > 0) return 0;
            }
            case Insn.JSLE -> {
                if (smax1 <= smin2) return 1;
                if (smin1 > smax2) return 0;
            }
            default -> { }
        }
        return -1;
    }

    // ------------------------------------------------------------------ reg_set_min_max()
    private static void regSetMinMax(RegState t1, RegState t2, RegState f1, RegState f2, int op, boolean jmp32) {
        if (f1.type != RegType.SCALAR || f2.type != RegType.SCALAR) return;
        refine(f1.s, f2.s, rev(op), jmp32);
        f1.s.sync();
        f2.s.sync();
        refine(t1.s, t2.s, op, jmp32);
        t1.s.sync();
        t2.s.sync();
    }

    private static void sanity(Verifier v, RegState t1, RegState t2, RegState f1, RegState f2) {
        if (f1.type != RegType.SCALAR || f2.type != RegType.SCALAR) return;
        InsnChecks.boundsSanity(v, t1, "true_reg1");
        InsnChecks.boundsSanity(v, t2, "true_reg2");
        InsnChecks.boundsSanity(v, f1, "false_reg1");
        InsnChecks.boundsSanity(v, f2, "false_reg2");
    }

    private static Tnum withSubreg(Tnum reg, Tnum sub) {
        return reg.clearSubreg().or(sub.subreg());
    }

    /** regs_refine_cond_op(). */
    private static void refine(Scalar r1, Scalar r2, int op, boolean jmp32) {
        switch (op) {
            case Insn.JGE, Insn.JGT, Insn.JSGE, Insn.JSGT -> {
                op = flip(op);
                Scalar t = r1;
                r1 = r2;
                r2 = t;
            }
            default -> { }
        }
        switch (op) {
            case Insn.JEQ -> {
                if (jmp32) {
                    r1.u32min = Scalar.u32maxOf(r1.u32min, r2.u32min);
                    r1.u32max = Scalar.u32minOf(r1.u32max, r2.u32max);
                    r1.s32min = Math.max(r1.s32min, r2.s32min);
                    r1.s32max = Math.min(r1.s32max, r2.s32max);
                    r2.u32min = r1.u32min;
                    r2.u32max = r1.u32max;
                    r2.s32min = r1.s32min;
                    r2.s32max = r1.s32max;
                    Tnum t = r1.varOff.subreg().intersect(r2.varOff.subreg());
                    r1.varOff = withSubreg(r1.varOff, t);
                    r2.varOff = withSubreg(r2.varOff, t);
                } else {
                    r1.umin = Scalar.umaxOf(r1.umin, r2.umin);
                    r1.umax = Scalar.uminOf(r1.umax, r2.umax);
                    r1.smin = Math.max(r1.smin, r2.smin);
                    r1.smax = Math.min(r1.smax, r2.smax);
                    r2.umin = r1.umin;
                    r2.umax = r1.umax;
                    r2.smin = r1.smin;
                    r2.smax = r1.smax;
                    r1.varOff = r1.varOff.intersect(r2.varOff);
                    r2.varOff = r1.varOff;
                }
            }
            case Insn.JNE -> {
                if (!(jmp32 ? r2.varOff.subregIsConst() : r2.varOff.isConst())) {
                    Scalar t = r1;
                    r1 = r2;
                    r2 = t;
                }
                if (!(jmp32 ? r2.varOff.subregIsConst() : r2.varOff.isConst())) break;
                long val = r2.varOff.value();
                if (jmp32) {
                    int v32 = (int) val;
                    if (r1.u32min == v32) r1.u32min++;
                    if (r1.u32max == v32) r1.u32max--;
                    if (r1.s32min == v32) r1.s32min++;
                    if (r1.s32max == v32) r1.s32max--;
                } else {
                    if (r1.umin == val) r1.umin++;
                    if (r1.umax == val) r1.umax--;
                    if (r1.smin == val) r1.smin++;
                    if (r1.smax == val) r1.smax--;
                }
            }
            case Insn.JSET -> {
                if (!(jmp32 ? r2.varOff.subregIsConst() : r2.varOff.isConst())) {
                    Scalar t = r1;
                    r1 = r2;
                    r2 = t;
                }
                if (!(jmp32 ? r2.varOff.subregIsConst() : r2.varOff.isConst())) break;
                long val = jmp32 ? r2.varOff.value() & 0xffffffffL : r2.varOff.value();
                if (val == 0 || (val & (val - 1)) != 0) break;
                if (jmp32) r1.varOff = withSubreg(r1.varOff, r1.varOff.subreg().or(Tnum.constant(val)));
                else r1.varOff = r1.varOff.or(Tnum.constant(val));
            }
            case Insn.JSET | Insn.X -> {
                if (!(jmp32 ? r2.varOff.subregIsConst() : r2.varOff.isConst())) {
                    Scalar t = r1;
                    r1 = r2;
                    r2 = t;
                }
                if (!(jmp32 ? r2.varOff.subregIsConst() : r2.varOff.isConst())) break;
                long val = jmp32 ? r2.varOff.value() & 0xffffffffL : r2.varOff.value();
                r1.unbound();
                if (jmp32) r1.varOff = withSubreg(r1.varOff, r1.varOff.subreg().and(Tnum.constant(~val)));
                else r1.varOff = r1.varOff.and(Tnum.constant(~val));
            }
            case Insn.JLE -> {
                if (jmp32) {
                    r1.u32max = Scalar.u32minOf(r1.u32max, r2.u32max);
                    r2.u32min = Scalar.u32maxOf(r1.u32min, r2.u32min);
                } else {
                    r1.umax = Scalar.uminOf(r1.umax, r2.umax);
                    r2.umin = Scalar.umaxOf(r1.umin, r2.umin);
                }
            }
            case Insn.JLT -> {
                if (jmp32) {
                    r1.u32max = Scalar.u32minOf(r1.u32max, r2.u32max - 1);
                    r2.u32min = Scalar.u32maxOf(r1.u32min + 1, r2.u32min);
                } else {
                    r1.umax = Scalar.uminOf(r1.umax, r2.umax - 1);
                    r2.umin = Scalar.umaxOf(r1.umin + 1, r2.umin);
                }
            }
            case Insn.JSLE -> {
                if (jmp32) {
                    r1.s32max = Math.min(r1.s32max, r2.s32max);
                    r2.s32min = Math.max(r1.s32min, r2.s32min);
                } else {
                    r1.smax = Math.min(r1.smax, r2.smax);
                    r2.smin = Math.max(r1.smin, r2.smin);
                }
            }
            case Insn.JSLT -> {
                if (jmp32) {
                    r1.s32max = Math.min(r1.s32max, r2.s32max - 1);
                    r2.s32min = Math.max(r1.s32min + 1, r2.s32min);
                } else {
                    r1.smax = Math.min(r1.smax, r2.smax - 1);
                    r2.smin = Math.max(r1.smin + 1, r2.smin);
                }
            }
            default -> { }
        }
    }

    // ------------------------------------------------------------------ packet pointers (try_match_pkt_pointers())
    private static boolean isInitPkt(RegState r) {
        return r.type == RegType.PACKET && r.off == 0 && r.s.varOff.isConst() && r.s.varOff.value() == 0;
    }

    private static boolean pktAny(RegState r) {
        return r.type.isPacket() || r.type == RegType.PACKET_END;
    }

    /** sanitize_speculative_path(): the side the registers rule out, simulated as a mispredicting CPU might run it. */
    private static void speculativePath(Verifier v, Insn in, int next, int cur) throws Verifier.Reject {
        VerifierState b = v.pushStack(next, cur, true);
        RegState[] r = b.regs();
        r[in.dst()].markUnknown();
        if (in.srcX()) r[in.src()].markUnknown();
        v.markAllPrecise(b);
    }

    /** try_match_pkt_pointers(): true when the comparison was of a packet pointer with data_end (or meta with data). */
    private static boolean matchPktPointers(Insn in, RegState dst, RegState src, VerifierState thisBranch, VerifierState other) {
        if (!in.srcX() || in.cls() == Insn.JMP32) return false;
        boolean fwd = (dst.type == RegType.PACKET && src.type == RegType.PACKET_END) || (dst.type == RegType.PACKET_META && isInitPkt(src));
        boolean back = (dst.type == RegType.PACKET_END && src.type == RegType.PACKET) || (isInitPkt(dst) && src.type == RegType.PACKET_META);
        if (!fwd && !back) return false;
        // for each comparison: which side learns the range (and whether it is right-open), which meets data_end
        boolean taken;
        boolean open;
        switch (in.op()) {
            case Insn.JGT -> {
                taken = !fwd;
                open = !fwd;
            }
            case Insn.JLT -> {
                taken = fwd;
                open = fwd;
            }
            case Insn.JGE -> {
                taken = !fwd;
                open = fwd;
            }
            case Insn.JLE -> {
                taken = fwd;
                open = !fwd;
            }
            default -> {
                return false;
            }
        }
        // "pkt' > pkt_end" and friends: the pointer compared is dst going forward, src going back
        RegState ptr = fwd ? dst : src;
        int endReg = fwd ? in.dst() : in.src();
        goodPkt(taken ? other : thisBranch, ptr, open);
        pktEnd(taken ? thisBranch : other, endReg, in.op() == Insn.JGT || in.op() == Insn.JLE ? fwd : !fwd);
        return true;
    }

    /** find_good_pkt_pointers(): every copy of the checked pointer may now reach {@code off} (+1 if open) bytes. */
    private static void goodPkt(VerifierState st, RegState dst, boolean rightOpen) {
        if (dst.off < 0 || (dst.off == 0 && rightOpen)) return;
        if (Long.compareUnsigned(dst.s.umax, InsnChecks.MAX_PACKET_OFF) > 0 || Long.compareUnsigned(dst.s.umax + dst.off, InsnChecks.MAX_PACKET_OFF) > 0) return;
        int range = dst.off + (rightOpen ? 1 : 0);
        RegType t = dst.type;
        int id = dst.id;
        for (FuncState f : st.frames) {
            for (RegState r : f.regs) if (r.type == t && r.id == id) r.range = Math.max(r.range, range);
            for (StackSlot s : f.stack) if (s.isSpill() && s.spilled.type == t && s.spilled.id == id) s.spilled.range = Math.max(s.spilled.range, range);
        }
    }

    /** mark_pkt_end(): the pointer is at (or beyond) data_end. */
    private static void pktEnd(VerifierState st, int regno, boolean open) {
        RegState r = st.regs()[regno];
        if (r.type != RegType.PACKET) return;
        r.range = open ? -2 : -1;
    }
}
