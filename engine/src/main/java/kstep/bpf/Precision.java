package kstep.bpf;

/**
 * Precision tracking (__mark_chain_precision() and backtrack_insn()): when the verifier relies on a scalar's
 * exact value, it walks the path backwards to the instructions that made it and marks those registers and
 * spilled slots precise in the checkpoints on the way, so pruning compares them; the log at level 2 shows
 * the walk ("mark_precise: frame0: regs=r2 stack= before 4: ...").
 */
final class Precision {
    private static final int ENOTSUPP = 1;
    private static final int ARGS = 0x3e;

    private final Verifier v;
    private int frame;
    private final int[] regMask = new int[Verifier.MAX_CALL_FRAMES];
    private final long[] stackMask = new long[Verifier.MAX_CALL_FRAMES];
    /** The stack-args variant's outgoing stack-argument slots wanted precise, per frame (bit i: r11 -8(i+1)). */
    private final int[] argMask = new int[Verifier.MAX_CALL_FRAMES];

    Precision(Verifier v) {
        this.v = v;
    }

    private void init(int f) {
        frame = f;
        java.util.Arrays.fill(regMask, 0);
        java.util.Arrays.fill(stackMask, 0L);
        java.util.Arrays.fill(argMask, 0);
    }

    private boolean empty() {
        for (int i = 0; i <= frame; i++) if (regMask[i] != 0 || stackMask[i] != 0 || argMask[i] != 0) return false;
        return true;
    }

    private boolean regSet(int r) {
        return (regMask[frame] & (1 << r)) != 0;
    }

    private void setReg(int f, int r) {
        regMask[f] |= 1 << r;
    }

    private void clearReg(int f, int r) {
        regMask[f] &= ~(1 << r);
    }

    /** mark_chain_precision(). */
    void mark(int regno) throws Verifier.Reject {
        if (regno < 0 || !v.priv) return;
        VerifierState st = v.cur;
        init(st.curframe);
        RegState r = st.cur().regs[regno];
        if (r.type != RegType.SCALAR) throw v.reject("verifier bug: backtracking misuse");
        setReg(frame, regno);
        run(st);
    }

    /** bt_set_frame_slot() and mark_chain_precision_batch(): a spilled constant the verifier relied on. */
    void markSlot(int f, int spi) throws Verifier.Reject {
        if (!v.priv) return;
        init(v.cur.curframe);
        stackMask[f] |= 1L << spi;
        run(v.cur);
    }

    /** propagate_precision(): what was precise in the checkpoint that pruned us must be precise on our path too. */
    void propagate(VerifierState old, VerifierState cur) throws Verifier.Reject {
        init(old.curframe);
        for (int fr = old.curframe; fr >= 0; fr--) {
            FuncState f = old.frames.get(fr);
            boolean first = true;
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                RegState r = f.regs[i];
                if (r.type != RegType.SCALAR || !r.precise) continue;
                b.append(first ? "frame " + fr + ": propagating r" + i : ",r" + i);
                setReg(fr, i);
                first = false;
            }
            for (int i = 0; i < f.stack.size(); i++) {
                StackSlot s = f.stack.get(i);
                if (!s.isSpill() || s.spilled.type != RegType.SCALAR || !s.spilled.precise) continue;
                b.append(first ? "frame " + fr + ": propagating fp" + (-(i + 1) * 8) : ",fp" + (-(i + 1) * 8));
                stackMask[fr] |= 1L << i;
                first = false;
            }
            for (int i = 0; i < f.stackArgs.length; i++) {
                RegState r = f.stackArgs[i];
                if (r.type != RegType.SCALAR || !r.precise) continue;
                b.append(first ? "frame " + fr + ": propagating r11-" + (i + 1) * 8 : ",r11-" + (i + 1) * 8);
                argMask[fr] |= 1 << i;
                first = false;
            }
            if (!first && v.log.level2()) v.log.add(b + "\n");
        }
        run(cur);
    }

    /** mark_all_scalars_imprecise(): a new checkpoint starts with no precision of its own. */
    void markAllScalarsImprecise(VerifierState st) {
        for (FuncState f : st.frames) {
            for (RegState r : f.regs) if (r.type == RegType.SCALAR) r.precise = false;
            for (StackSlot s : f.stack) if (s.isSpill() && s.spilled.type == RegType.SCALAR) s.spilled.precise = false;
            for (RegState r : f.stackArgs) if (r.type == RegType.SCALAR) r.precise = false;
        }
    }

    /** mark_all_scalars_precise(): the fallback when the walk cannot follow the value. */
    private void markAllScalarsPrecise(VerifierState st) {
        if (v.log.level2()) v.log.add("mark_precise: frame" + st.curframe + ": falling back to forcing all scalars precise\n");
        for (st = st.parent; st != null; st = st.parent) {
            for (int i = 0; i <= st.curframe; i++) {
                FuncState f = st.frames.get(i);
                for (int j = 0; j < 10; j++) {
                    RegState r = f.regs[j];
                    if (r.type != RegType.SCALAR || r.precise) continue;
                    r.precise = true;
                    if (v.log.level2()) v.log.add("force_precise: frame" + i + ": forcing r" + j + " to be precise\n");
                }
                for (int j = 0; j < f.stack.size(); j++) {
                    StackSlot s = f.stack.get(j);
                    if (!s.isSpill() || s.spilled.type != RegType.SCALAR || s.spilled.precise) continue;
                    s.spilled.precise = true;
                    if (v.log.level2()) v.log.add("force_precise: frame" + i + ": forcing fp" + (-(j + 1) * 8) + " to be precise\n");
                }
                for (int j = 0; j < f.stackArgs.length; j++) {
                    RegState r = f.stackArgs[j];
                    if (r.type != RegType.SCALAR || r.precise) continue;
                    r.precise = true;
                    if (v.log.level2()) v.log.add("force_precise: frame" + i + ": forcing r11-" + (j + 1) * 8 + " to be precise\n");
                }
            }
        }
    }

    private static String regText(int mask) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            if ((mask & (1 << i)) == 0) continue;
            if (b.length() > 0) b.append(',');
            b.append('r').append(i);
        }
        return b.toString();
    }

    /** __mark_chain_precision() from {@code starting}, with the registers and slots already set. */
    private void run(VerifierState starting) throws Verifier.Reject {
        if (!v.priv || empty()) return;
        VerifierState st = starting;
        int firstIdx = st.firstInsnIdx, lastIdx = st.insnIdx, subseqIdx = -1;
        boolean skipFirst = true;
        for (;;) {
            int[] history = {st.history.size()};
            if (v.log.level2()) v.log.add("mark_precise: frame" + frame + ": last_idx " + lastIdx + " first_idx " + firstIdx + " subseq_idx " + subseqIdx + " \n");
            if (lastIdx < 0) break;
            for (int i = lastIdx;;) {
                if (skipFirst) {
                    skipFirst = false;
                } else {
                    VerifierState.HistoryEntry h = entry(st, history[0], i);
                    int err = backtrack(i, subseqIdx, h);
                    if (err == ENOTSUPP) {
                        markAllScalarsPrecise(starting);
                        init(0);
                        return;
                    }
                }
                if (empty()) return;
                subseqIdx = i;
                i = prevInsnIdx(st, i, history);
                if (i < 0) break;
            }
            st = st.parent;
            if (st == null) break;
            for (int fr = frame; fr >= 0; fr--) {
                FuncState f = st.frames.get(fr);
                for (int i = 0; i < 10; i++) {
                    if ((regMask[fr] & (1 << i)) == 0) continue;
                    RegState r = f.regs[i];
                    if (r.type != RegType.SCALAR || r.precise) clearReg(fr, i);
                    else r.precise = true;
                }
                for (int i = 0; i < 64; i++) {
                    if ((stackMask[fr] & (1L << i)) == 0) continue;
                    if (i >= f.stack.size()) throw v.reject("verifier bug: stack slot " + i + ", total slots " + f.stack.size());
                    StackSlot s = f.stack.get(i);
                    if (!s.isSpilledScalar() || s.spilled.precise) stackMask[fr] &= ~(1L << i);
                    else s.spilled.precise = true;
                }
                for (int i = 0; i < f.stackArgs.length; i++) {
                    if ((argMask[fr] & (1 << i)) == 0) continue;
                    RegState r = f.stackArgs[i];
                    if (r.type != RegType.SCALAR || r.precise) argMask[fr] &= ~(1 << i);
                    else r.precise = true;
                }
                if (v.log.level2()) {
                    v.log.add("mark_precise: frame" + fr + ": parent state regs=" + regText(regMask[fr]) + " stack=" + StackLiveness.fmtMask(stackMask[fr]) + argText(fr) + ": ");
                    v.printVerifierState(st, fr, true);
                }
            }
            if (empty()) return;
            subseqIdx = firstIdx;
            lastIdx = st.lastInsnIdx;
            firstIdx = st.firstInsnIdx;
        }
        if (!empty()) {
            markAllScalarsPrecise(starting);
            init(0);
        }
    }

    /** " args=r11-8" when stack-argument slots are wanted (never in 6.18, whose lines stay as the kernel prints them). */
    private String argText(int f) {
        if (argMask[f] == 0) return "";
        StringBuilder b = new StringBuilder(" args=");
        for (int i = 0; i < ArgTracking.MAX_STACK_ARG_SLOTS; i++) if ((argMask[f] & (1 << i)) != 0) b.append(b.length() > 6 ? "," : "").append("r11-").append((i + 1) * 8);
        return b.toString();
    }

    /** get_jmp_hist_entry(). */
    private static VerifierState.HistoryEntry entry(VerifierState st, int end, int idx) {
        if (end > 0 && st.history.get(end - 1).idx() == idx) return st.history.get(end - 1);
        return null;
    }

    /** get_prev_insn_idx(): -1 at the start of the checkpoint's segment. */
    private static int prevInsnIdx(VerifierState st, int i, int[] history) {
        int cnt = history[0];
        if (i == st.firstInsnIdx) {
            if (cnt == 0) return -1;
            if (cnt == 1 && st.history.get(0).idx() == i) return -1;
        }
        if (cnt > 0 && st.history.get(cnt - 1).idx() == i) {
            history[0]--;
            return st.history.get(cnt - 1).prevIdx();
        }
        return i - 1;
    }

    private void syncLinked(VerifierState.HistoryEntry h) {
        if (h == null || h.linkedRegs() == 0) return;
        long p = h.linkedRegs();
        boolean some = false;
        for (int i = 0; i < LinkedRegs.count(p); i++) {
            int f = LinkedRegs.frame(p, i), x = LinkedRegs.index(p, i);
            if (LinkedRegs.isReg(p, i) ? (regMask[f] & (1 << x)) != 0 : (stackMask[f] & (1L << x)) != 0) some = true;
        }
        if (!some) return;
        for (int i = 0; i < LinkedRegs.count(p); i++) {
            int f = LinkedRegs.frame(p, i), x = LinkedRegs.index(p, i);
            if (LinkedRegs.isReg(p, i)) regMask[f] |= 1 << x;
            else stackMask[f] |= 1L << x;
        }
    }

    /** backtrack_insn(): what instruction {@code idx} means for the registers still wanted. */
    private int backtrack(int idx, int subseqIdx, VerifierState.HistoryEntry h) throws Verifier.Reject {
        Insn in = v.insns.get(idx);
        if (in.code() == 0) return 0;
        if (v.log.level2()) {
            v.log.add("mark_precise: frame" + frame + ": regs=" + regText(regMask[frame]) + " stack=" + StackLiveness.fmtMask(stackMask[frame])
                + argText(frame) + " before " + idx + ": " + v.insnText(idx) + "\n");
        }
        syncLinked(h);
        int cls = in.cls(), op = in.op(), dreg = in.dst(), sreg = in.src();
        if (v.variant.stackArgs() && cls == Insn.LDX && sreg == Verifier.REG_PARAMS) {
            // a callee's incoming argument is its caller's outgoing slot
            if (!regSet(dreg)) return 0;
            clearReg(frame, dreg);
            if (frame > 0) argMask[frame - 1] |= 1 << (in.off() / 8 - 1);
            return 0;
        }
        if (v.variant.stackArgs() && (cls == Insn.STX || cls == Insn.ST) && dreg == Verifier.REG_PARAMS) {
            int bit = 1 << (-in.off() / 8 - 1);
            if ((argMask[frame] & bit) == 0) return 0;
            argMask[frame] &= ~bit;
            if (cls == Insn.STX) setReg(frame, sreg);
            return 0;
        }
        boolean stackAccess = h != null && (h.flags() & VerifierState.F_STACK_ACCESS) != 0;
        if (cls == Insn.ALU || cls == Insn.ALU64) {
            if (!regSet(dreg)) return 0;
            if (op == Insn.END || op == Insn.NEG) return 0;
            if (op == Insn.MOV) {
                clearReg(frame, dreg);
                if (in.srcX() && sreg != 10) setReg(frame, sreg);
            } else if (in.srcX() && sreg != 10) {
                setReg(frame, sreg);
            }
        } else if (cls == Insn.LDX || (cls == Insn.STX && in.mode() == Insn.ATOMIC && (in.imm() & Insn.FETCH) != 0)) {
            // an atomic fetch loads the old value into src (r0 for cmpxchg), like a fill
            int load = cls == Insn.LDX ? dreg : in.imm() == Insn.CMPXCHG ? 0 : sreg;
            if (!regSet(load)) return 0;
            clearReg(frame, load);
            if (!stackAccess) return 0;
            stackMask[StackAccess.historyFrame(h.flags())] |= 1L << StackAccess.historySpi(h.flags());
        } else if (cls == Insn.STX || cls == Insn.ST) {
            if (regSet(dreg)) return ENOTSUPP;
            if (!stackAccess) return 0;
            int f = StackAccess.historyFrame(h.flags()), spi = StackAccess.historySpi(h.flags());
            if ((stackMask[f] & (1L << spi)) == 0) return 0;
            stackMask[f] &= ~(1L << spi);
            if (cls == Insn.STX) setReg(frame, sreg);
        } else if (cls == Insn.JMP || cls == Insn.JMP32) {
            if (op == Insn.CALL && sreg == Insn.PSEUDO_CALL) {
                if ((regMask[frame] & ~ARGS) != 0) throw v.reject("verifier bug: static subprog unexpected regs " + Integer.toHexString(regMask[frame]));
                if (stackMask[frame] != 0) throw v.reject("verifier bug: static subprog leftover stack slots " + Long.toHexString(stackMask[frame]));
                for (int i = 1; i <= 5; i++) {
                    if (regSet(i)) {
                        clearReg(frame, i);
                        setReg(frame - 1, i);
                    }
                }
                frame--;
                return 0;
            } else if (op == Insn.CALL) {
                clearReg(frame, 0);
                if ((regMask[frame] & ARGS) != 0) throw v.reject("verifier bug: backtracking call unexpected regs " + Integer.toHexString(regMask[frame]));
            } else if (op == Insn.EXIT) {
                if ((regMask[frame] & ARGS) != 0) throw v.reject("verifier bug: backtracking exit unexpected regs " + Integer.toHexString(regMask[frame]));
                boolean r0 = subseqIdx - 1 >= 0 && v.insns.get(subseqIdx - 1).code() == (Insn.JMP | Insn.CALL)
                    && v.insns.get(subseqIdx - 1).src() == Insn.PSEUDO_CALL && regSet(0);
                clearReg(frame, 0);
                frame++;
                if (r0) setReg(frame, 0);
                return 0;
            } else if (in.srcX()) {
                if (!regSet(dreg) && !regSet(sreg)) return 0;
                if (h == null || (h.flags() & VerifierState.F_SRC_REG_STACK) == 0) setReg(frame, sreg);
                if (h == null || (h.flags() & VerifierState.F_DST_REG_STACK) == 0) setReg(frame, dreg);
            }
        } else if (cls == Insn.LD) {
            if (!regSet(dreg)) return 0;
            clearReg(frame, dreg);
            if (in.mode() == Insn.IND || in.mode() == Insn.ABS) return ENOTSUPP;
        }
        syncLinked(h);
        return 0;
    }
}
