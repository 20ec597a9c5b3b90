package kstep.bpf;

/**
 * What the verifier does with one instruction in one state (do_check_insn() and the checks it calls:
 * check_alu_op(), check_mem_access(), check_helper_call(), check_cond_jmp_op(), ...), for a privileged
 * loader: pointer leaks, uninitialised stack reads and variable stack offsets are allowed, as they are for
 * root on Linux 6.18. Messages are the kernel's.
 */
final class InsnChecks {
    /** What happened: the next instruction, or the end of the path; and whether the next one starts with a "from" line. */
    record Outcome(int next, boolean exit, boolean doPrintState) { }

    static final long MAX_VAR_OFF = 1L << 29;
    static final long MAX_VAR_SIZ = 1L << 29;
    static final long MAX_PACKET_OFF = 0xffff;
    /** nr_cpu_ids of the machine the corpus was recorded on; bpf_get_smp_processor_id() returns below it. */
    static final int NR_CPUS = 2;
    private static final String[] ALU_NAMES = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian"};

    private final Verifier v;
    private final BpfProgram.ProgType type;

    InsnChecks(Verifier v) {
        this.v = v;
        this.type = v.prog.type();
    }

    private Verifier.Reject reject(String m) {
        return v.reject(m);
    }

    private RegState[] regs() {
        return v.cur.regs();
    }

    /** is_pointer_value(): a pointer, where the loader may not leak one (privileged loaders may). */
    boolean leaks(int regno) {
        return !v.priv && regs()[regno].type.isPointer();
    }

    // ------------------------------------------------------------------ check_reg_arg()
    enum Op { SRC, DST, DST_NO_MARK }

    void checkRegArg(int regno, Op t) throws Verifier.Reject {
        if (regno > 10) throw reject("R" + regno + " is invalid");
        v.markRegScratched(regno);
        RegState r = regs()[regno];
        if (t == Op.SRC) {
            if (r.type == RegType.NOT_INIT) throw reject("R" + regno + " !read_ok");
            return;
        }
        if (regno == 10) throw reject("frame pointer is read only");
        if (t == Op.DST) r.markUnknown();
    }

    Outcome doCheckInsn(Insn in, int idx) throws Verifier.Reject {
        int cls = in.cls();
        switch (cls) {
            case Insn.ALU, Insn.ALU64 -> {
                checkAlu(in);
                boundsSanity(v, regs()[in.dst()], "alu");
            }
            case Insn.LDX -> {
                if (v.variant.stackArgs() && in.src() == Verifier.REG_PARAMS) {
                    StackArgs.load(v, this, in);
                    break;
                }
                checkRegArg(in.src(), Op.SRC);
                checkRegArg(in.dst(), Op.DST_NO_MARK);
                RegType t = regs()[in.src()].type;
                checkMemAccess(in.src(), in.off(), Insn.bytes(in.size()), false, in.dst(), in.mode() == Insn.MEMSX);
                saveAuxPtrType(t);
                boundsSanity(v, regs()[in.dst()], "ldx");
            }
            case Insn.STX -> {
                if (v.variant.stackArgs() && in.dst() == Verifier.REG_PARAMS) {
                    StackArgs.store(v, this, in);
                    break;
                }
                if (in.mode() == Insn.ATOMIC) {
                    checkAtomic(in);
                    break;
                }
                if (in.mode() != Insn.MEM || in.imm() != 0) throw reject("BPF_STX uses reserved fields");
                checkRegArg(in.src(), Op.SRC);
                checkRegArg(in.dst(), Op.SRC);
                RegType t = regs()[in.dst()].type;
                checkMemAccess(in.dst(), in.off(), Insn.bytes(in.size()), true, in.src(), false);
                saveAuxPtrType(t);
            }
            case Insn.ST -> {
                if (in.mode() != Insn.MEM || in.src() != 0) throw reject("BPF_ST uses reserved fields");
                if (v.variant.stackArgs() && in.dst() == Verifier.REG_PARAMS) {
                    StackArgs.store(v, this, in);
                    break;
                }
                checkRegArg(in.dst(), Op.SRC);
                RegType t = regs()[in.dst()].type;
                checkMemAccess(in.dst(), in.off(), Insn.bytes(in.size()), true, -1, false);
                saveAuxPtrType(t);
            }
            case Insn.JMP, Insn.JMP32 -> {
                return checkJmp(in, idx);
            }
            default -> {
                int mode = in.mode();
                if (mode == Insn.ABS || mode == Insn.IND) {
                    checkLdAbs(in);
                } else if (mode == Insn.IMM) {
                    checkLdImm(in, idx);
                    return new Outcome(idx + 2, false, false);
                } else {
                    throw reject("invalid BPF_LD mode");
                }
            }
        }
        return new Outcome(idx + 1, false, false);
    }

    /**
     * reg_bounds_sanity_check(): bounds that contradict each other (a dead branch, or a gap in the
     * verifier's own arithmetic) are reported as a verifier bug and forgotten, the tnum kept.
     */
    static void boundsSanity(Verifier v, RegState r, String ctx) {
        Scalar s = r.s;
        String msg = null;
        if (Long.compareUnsigned(s.umin, s.umax) > 0 || s.smin > s.smax || Integer.compareUnsigned(s.u32min, s.u32max) > 0 || s.s32min > s.s32max) {
            msg = "range bounds violation";
        } else if (s.varOff.isConst() && (s.umin != s.varOff.value() || s.umax != s.varOff.value() || s.smin != s.varOff.value() || s.smax != s.varOff.value())) {
            msg = "const tnum out of sync with range bounds";
        } else if (s.varOff.subregIsConst()) {
            int c = (int) s.varOff.value();
            if (s.u32min != c || s.u32max != c || s.s32min != c || s.s32max != c) msg = "const subreg tnum out of sync with range bounds";
        }
        if (msg == null) return;
        v.log.add(String.format("verifier bug: REG INVARIANTS VIOLATION (%s): %s u64=[%#x, %#x] s64=[%#x, %#x] u32=[%#x, %#x] s32=[%#x, %#x] var_off=(%#x, %#x)%n",
            ctx, msg, s.umin, s.umax, s.smin, s.smax, s.u32min, s.u32max, s.s32min, s.s32max, s.varOff.value(), s.varOff.mask()));
        s.unbound();
    }

    /** save_aux_ptr_type(): one load or store may not see ctx on one path and another pointer on another. */
    private void saveAuxPtrType(RegType t) throws Verifier.Reject {
        RegType prev = v.auxPtrType[v.insnIdx];
        if (prev == null) {
            v.auxPtrType[v.insnIdx] = t;
        } else if (prev != t && (prev == RegType.CTX || t == RegType.CTX)) {
            throw reject("same insn cannot be used with different pointers");
        }
    }

    // ------------------------------------------------------------------ ALU (check_alu_op())
    private void checkAlu(Insn in) throws Verifier.Reject {
        int op = in.op();
        boolean alu64 = in.cls() == Insn.ALU64;
        RegState[] regs = regs();
        if (op == Insn.END || op == Insn.NEG) {
            if (op == Insn.NEG) {
                if (in.srcX() || in.src() != 0 || in.off() != 0 || in.imm() != 0) throw reject("BPF_NEG uses reserved fields");
            } else if (in.src() != 0 || in.off() != 0 || (in.imm() != 16 && in.imm() != 32 && in.imm() != 64) || (alu64 && in.srcX())) {
                throw reject("BPF_END uses reserved fields");
            }
            checkRegArg(in.dst(), Op.SRC);
            if (leaks(in.dst())) throw reject("R" + in.dst() + " pointer arithmetic prohibited");
            if (regs[in.dst()].type == RegType.SCALAR) {
                checkRegArg(in.dst(), Op.DST_NO_MARK);
                adjustScalar(in, regs[in.dst()], regs[in.dst()].copy());
                // a value that changes loses its links; le64 on a little-endian machine changes nothing
                if (!(op == Insn.END && in.imm() == 64 && !alu64 && !in.srcX())) regs[in.dst()].id = 0;
            } else {
                checkRegArg(in.dst(), Op.DST);
            }
            return;
        }
        if (op == Insn.MOV) {
            if (in.srcX()) {
                if (alu64 && in.off() == 1) {
                    // BPF_ADDR_SPACE_CAST, for programs with an arena (kstep has none)
                    if (in.imm() != 1 && in.imm() != 1 << 16) throw reject("addr_space_cast insn can only convert between address space 1 and 0");
                    throw reject("addr_space_cast insn can only be used in a program that has an associated arena");
                }
                boolean offOk = alu64 ? in.off() == 0 || in.off() == 8 || in.off() == 16 || in.off() == 32
                    : in.off() == 0 || in.off() == 8 || in.off() == 16;
                if (in.imm() != 0 || !offOk) throw reject("BPF_MOV uses reserved fields");
                checkRegArg(in.src(), Op.SRC);
            } else if (in.src() != 0 || in.off() != 0) {
                throw reject("BPF_MOV uses reserved fields");
            }
            checkRegArg(in.dst(), Op.DST_NO_MARK);
            RegState dst = regs[in.dst()];
            if (in.srcX()) {
                RegState src = regs[in.src()];
                if (alu64) {
                    if (in.off() == 0) {
                        assignScalarIdBeforeMov(src);
                        dst.copyFrom(src);
                    } else if (leaks(in.src())) {
                        throw reject("R" + in.src() + " sign-extension part of pointer");
                    } else if (src.type == RegType.SCALAR) {
                        boolean noSext = Long.compareUnsigned(src.s.umax, 1L << (in.off() - 1)) < 0;
                        if (noSext) assignScalarIdBeforeMov(src);
                        dst.copyFrom(src);
                        if (!noSext) dst.id = 0;
                        ScalarCasts.sext(dst.s, in.off() >> 3);
                    } else {
                        dst.markUnknown();
                    }
                } else {
                    if (leaks(in.src())) throw reject("R" + in.src() + " partial copy of pointer");
                    if (src.type == RegType.SCALAR) {
                        if (in.off() == 0) {
                            boolean u32 = width(src) <= 32;
                            if (u32) assignScalarIdBeforeMov(src);
                            dst.copyFrom(src);
                            if (!u32) dst.id = 0;
                        } else {
                            boolean noSext = Long.compareUnsigned(src.s.umax, 1L << (in.off() - 1)) < 0;
                            if (noSext) assignScalarIdBeforeMov(src);
                            dst.copyFrom(src);
                            if (!noSext) dst.id = 0;
                            ScalarCasts.sextSubreg(dst.s, in.off() >> 3);
                        }
                    } else {
                        dst.markUnknown();
                    }
                    dst.s.zext();
                    dst.s.sync();
                }
            } else {
                dst.markUnknown();
                dst.markKnown(alu64 ? in.imm() : in.imm() & 0xffffffffL);
            }
            return;
        }
        if (op > Insn.END) throw reject(String.format("invalid BPF_ALU opcode %x", op));
        boolean signedOk = (op == Insn.DIV || op == Insn.MOD) && in.off() == 1;
        if (in.srcX()) {
            if (in.imm() != 0 || (in.off() != 0 && !signedOk)) throw reject("BPF_ALU uses reserved fields");
            checkRegArg(in.src(), Op.SRC);
        } else if (in.src() != 0 || (in.off() != 0 && !signedOk)) {
            throw reject("BPF_ALU uses reserved fields");
        }
        checkRegArg(in.dst(), Op.SRC);
        if ((op == Insn.MOD || op == Insn.DIV) && !in.srcX() && in.imm() == 0) throw reject("div by zero");
        if ((op == Insn.LSH || op == Insn.RSH || op == Insn.ARSH) && !in.srcX()) {
            int size = alu64 ? 64 : 32;
            if (in.imm() < 0 || in.imm() >= size) throw reject("invalid shift " + in.imm());
        }
        checkRegArg(in.dst(), Op.DST_NO_MARK);
        adjustRegMinMaxVals(in);
    }

    /** get_reg_width(): the bits the register's unsigned maximum needs. */
    static int width(RegState r) {
        return 64 - Long.numberOfLeadingZeros(r.s.umax);
    }

    /** assign_scalar_id_before_mov(): give a scalar an id so a copy stays linked to it. */
    void assignScalarIdBeforeMov(RegState src) {
        if (src.type != RegType.SCALAR) return;
        if ((src.id & RegState.ADD_CONST) != 0) {
            src.id = 0;
            src.off = 0;
        }
        if (src.id == 0 && !src.s.varOff.isConst()) src.id = ++v.idGen;
    }

    /** adjust_reg_min_max_vals(). */
    private void adjustRegMinMaxVals(Insn in) throws Verifier.Reject {
        RegState[] regs = regs();
        RegState dst = regs[in.dst()];
        int op = in.op();
        boolean alu32 = in.cls() != Insn.ALU64;
        RegState ptr = dst.type != RegType.SCALAR ? dst : null;
        RegState src;
        if (in.srcX()) {
            src = regs[in.src()];
            if (src.type != RegType.SCALAR) {
                if (dst.type != RegType.SCALAR) {
                    if (op == Insn.SUB && v.priv) {
                        dst.markUnknown();
                        return;
                    }
                    throw reject("R" + in.dst() + " pointer " + ALU_NAMES[op >> 4] + " pointer prohibited");
                }
                v.precision.mark(in.dst());
                adjustPtrMinMaxVals(in, src, dst);
                return;
            } else if (ptr != null) {
                v.precision.mark(in.src());
                adjustPtrMinMaxVals(in, dst, src);
                return;
            } else if (dst.precise) {
                v.precision.mark(in.src());
            }
        } else {
            src = new RegState();
            src.markUnknown();
            src.markKnown(in.imm());
            if (ptr != null) {
                adjustPtrMinMaxVals(in, ptr, src);
                return;
            }
        }
        int widthBefore = width(dst);
        adjustScalar(in, dst, src);
        boolean srcConst = alu32 ? src.s.varOff.subregIsConst() : src.s.varOff.isConst();
        if (v.priv && (op == Insn.ADD || op == Insn.SUB) && dst.id != 0 && srcConst) {
            long val = alu32 ? src.s.varOff.value() & 0xffffffffL : src.s.varOff.value();
            boolean fits = alu32 || (val >= Integer.MIN_VALUE && val <= Integer.MAX_VALUE);
            int off = (int) val;
            if (op == Insn.SUB && off == Integer.MIN_VALUE) fits = false;
            if (alu32 && (dst.id & RegState.ADD_CONST64) != 0) fits = false;
            // a 32-bit add links only a value that had no upper half to lose
            if (alu32 && widthBefore > 32) fits = false;
            if ((dst.id & RegState.ADD_CONST) != 0 || !fits) {
                dst.off = 0;
                dst.id = 0;
            } else {
                dst.id |= alu32 ? RegState.ADD_CONST32 : RegState.ADD_CONST64;
                dst.off = op == Insn.SUB ? -off : off;
            }
        } else {
            dst.id = 0;
        }
    }

    /** is_safe_to_compute_dst_reg_range(). */
    private static boolean safeToCompute(Insn in, RegState src) {
        boolean bits32 = in.cls() != Insn.ALU64;
        Scalar s = src.s;
        boolean srcConst = bits32 ? s.varOff.subregIsConst() && s.s32min == s.s32max && s.u32min == s.u32max
            : s.varOff.isConst() && s.smin == s.smax && s.umin == s.umax;
        return switch (in.op()) {
            case Insn.ADD, Insn.SUB, Insn.NEG, Insn.AND, Insn.XOR, Insn.OR, Insn.MUL, Insn.END -> true;
            case Insn.LSH, Insn.RSH, Insn.ARSH -> srcConst && Long.compareUnsigned(s.umax, bits32 ? 32 : 64) < 0;
            default -> false;
        };
    }

    /** adjust_scalar_min_max_vals(). */
    private void adjustScalar(Insn in, RegState dst, RegState src) throws Verifier.Reject {
        if (!safeToCompute(in, src)) {
            dst.markUnknown();
            return;
        }
        if (in.op() == Insn.END) {
            ScalarCasts.byteSwap(dst.s, in);
            return;
        }
        if ((in.op() == Insn.AND || in.op() == Insn.OR) && src.s.varOff.isConst()) maybeForkScalars(in, dst);
        dst.s.alu(in.op(), src.s, in.cls() != Insn.ALU64);
    }

    /**
     * maybe_fork_scalars(): a scalar that is 0 or -1 (the s>>= 63 idiom) ANDed or ORed with a constant has two
     * outcomes; the path goes on with -1 and a branch resuming at this instruction takes 0.
     */
    private void maybeForkScalars(Insn in, RegState dst) throws Verifier.Reject {
        boolean alu32;
        if (dst.s.smin == -1 && dst.s.smax == 0) alu32 = false;
        else if (dst.s.s32min == -1 && dst.s.s32max == 0) alu32 = true;
        else return;
        VerifierState branch = v.pushStack(v.insnIdx, v.insnIdx);
        RegState other = branch.regs()[in.dst()];
        if (alu32) {
            known32(other, 0);
            known32(dst, -1);
        } else {
            other.markKnown(0);
            dst.markKnown(-1);
        }
    }

    /** __mark_reg32_known(). */
    private static void known32(RegState r, int v) {
        Scalar s = r.s;
        s.varOff = s.varOff.clearSubreg().or(Tnum.constant(v & 0xffffffffL));
        s.s32min = s.s32max = v;
        s.u32min = s.u32max = v;
    }

    /** check_reg_sane_offset(). */
    private void saneOffset(RegState r, String t) throws Verifier.Reject {
        boolean known = r.s.varOff.isConst();
        long val = r.s.varOff.value();
        if (known && (val >= MAX_VAR_OFF || val <= -MAX_VAR_OFF)) throw reject("math between " + t + " pointer and " + val + " is not allowed");
        if (r.off >= MAX_VAR_OFF || r.off <= -MAX_VAR_OFF) throw reject(t + " pointer offset " + r.off + " is not allowed");
        if (r.s.smin == Long.MIN_VALUE) throw reject("math between " + t + " pointer and register with unbounded min value is not allowed");
        if (r.s.smin >= MAX_VAR_OFF || r.s.smin <= -MAX_VAR_OFF) throw reject("value " + r.s.smin + " makes " + t + " pointer be out of bounds");
    }

    /** adjust_ptr_min_max_vals(): pointer plus or minus scalar; the result goes to the instruction's dst. */
    private void adjustPtrMinMaxVals(Insn in, RegState ptr, RegState offReg) throws Verifier.Reject {
        RegState dst = regs()[in.dst()];
        int op = in.op();
        Scalar o = offReg.s;
        boolean known = o.varOff.isConst();
        long sminVal = o.smin, smaxVal = o.smax, uminVal = o.umin, umaxVal = o.umax;
        Tnum offVar = o.varOff;
        Scalar p = ptr.s;
        long sminPtr = p.smin, smaxPtr = p.smax, uminPtr = p.umin, umaxPtr = p.umax;
        Tnum ptrVar = p.varOff;
        if ((known && (sminVal != smaxVal || uminVal != umaxVal)) || sminVal > smaxVal || Long.compareUnsigned(uminVal, umaxVal) > 0) {
            dst.markUnknown();
            return;
        }
        if (in.cls() != Insn.ALU64) {
            if (op == Insn.SUB && v.priv) {
                dst.markUnknown();
                return;
            }
            throw reject("R" + in.dst() + " 32-bit pointer arithmetic prohibited");
        }
        String tname = ptr.typeName();
        if (ptr.maybeNull) throw reject("R" + in.dst() + " pointer arithmetic on " + tname + " prohibited, null-check it first");
        switch (ptr.type) {
            case CTX, MAP_VALUE, MAP_KEY, STACK, PACKET_META, PACKET, MEM -> { }
            case CONST_PTR_TO_MAP -> {
                if (!(known && sminVal == 0 && op == Insn.ADD)) throw reject("R" + in.dst() + " pointer arithmetic on " + tname + " prohibited");
            }
            default -> throw reject("R" + in.dst() + " pointer arithmetic on " + tname + " prohibited");
        }
        RegType ptype = ptr.type;
        int ptrOff = ptr.off, ptrId = ptr.id, ptrRange = ptr.range, ptrMem = ptr.memSize;
        BpfMap ptrMap = ptr.map;
        saneOffset(offReg, tname);
        saneOffset(ptr, tname);
        Sanitize san = null;
        if (!v.priv && in.srcX() && (op == Insn.ADD || op == Insn.SUB)) san = sanitizePtrAlu(in, ptr, offReg, dst, null);
        dst.type = ptype;
        dst.maybeNull = false;
        dst.id = ptrId;
        Scalar d = dst.s;
        d.s32min = Scalar.S32_MIN;
        d.s32max = Scalar.S32_MAX;
        d.u32min = 0;
        d.u32max = Scalar.U32_MAX;
        switch (op) {
            case Insn.ADD -> {
                if (known && (long) ptrOff + sminVal == (int) (ptrOff + sminVal)) {
                    d.smin = sminPtr;
                    d.smax = smaxPtr;
                    d.umin = uminPtr;
                    d.umax = umaxPtr;
                    d.varOff = ptrVar;
                    dst.off = (int) (ptrOff + sminVal);
                    raw(dst, ptrRange, ptrMap, ptrMem);
                    break;
                }
                long a = sminPtr + sminVal, b = smaxPtr + smaxVal;
                if (Math.addExact0(sminPtr, sminVal) || Math.addExact0(smaxPtr, smaxVal)) {
                    d.smin = Long.MIN_VALUE;
                    d.smax = Long.MAX_VALUE;
                } else {
                    d.smin = a;
                    d.smax = b;
                }
                long ua = uminPtr + uminVal, ub = umaxPtr + umaxVal;
                if (Long.compareUnsigned(ua, uminPtr) < 0 || Long.compareUnsigned(ub, umaxPtr) < 0) {
                    d.umin = 0;
                    d.umax = -1L;
                } else {
                    d.umin = ua;
                    d.umax = ub;
                }
                d.varOff = ptrVar.add(offVar);
                dst.off = ptrOff;
                raw(dst, ptrRange, ptrMap, ptrMem);
                if (ptype.isPacket()) {
                    dst.id = ++v.idGen;
                    dst.range = 0;
                }
            }
            case Insn.SUB -> {
                if (dst == offReg) throw reject("R" + in.dst() + " tried to subtract pointer from scalar");
                if (ptype == RegType.STACK) throw reject("R" + in.dst() + " subtraction from stack pointer prohibited");
                if (known && (long) ptrOff - sminVal == (int) (ptrOff - sminVal)) {
                    d.smin = sminPtr;
                    d.smax = smaxPtr;
                    d.umin = uminPtr;
                    d.umax = umaxPtr;
                    d.varOff = ptrVar;
                    dst.id = ptrId;
                    dst.off = (int) (ptrOff - sminVal);
                    raw(dst, ptrRange, ptrMap, ptrMem);
                    break;
                }
                if (Math.subExact0(sminPtr, smaxVal) || Math.subExact0(smaxPtr, sminVal)) {
                    d.smin = Long.MIN_VALUE;
                    d.smax = Long.MAX_VALUE;
                } else {
                    d.smin = sminPtr - smaxVal;
                    d.smax = smaxPtr - sminVal;
                }
                if (Long.compareUnsigned(uminPtr, umaxVal) < 0) {
                    d.umin = 0;
                    d.umax = -1L;
                } else {
                    d.umin = uminPtr - umaxVal;
                    d.umax = umaxPtr - uminVal;
                }
                d.varOff = ptrVar.sub(offVar);
                dst.off = ptrOff;
                raw(dst, ptrRange, ptrMap, ptrMem);
                if (ptype.isPacket()) {
                    dst.id = ++v.idGen;
                    if (sminVal < 0) dst.range = 0;
                }
            }
            case Insn.AND, Insn.OR, Insn.XOR -> throw reject("R" + in.dst() + " bitwise operator " + ALU_NAMES[op >> 4] + " on pointer prohibited");
            default -> throw reject("R" + in.dst() + " pointer arithmetic with " + ALU_NAMES[op >> 4] + " operator prohibited");
        }
        saneOffset(dst, tname);
        d.sync();
        if (!v.priv) sanitizeCheckBounds(in, dst);
        if (san != null) sanitizePtrAlu(in, dst, offReg, dst, san);
    }

    // ------------------------------------------------------------------ Spectre v1 for loaders without CAP_PERFMON
    /** bpf_sanitize_info. */
    private static final class Sanitize {
        boolean maskToLeft;
        int aluState, aluLimit;
    }

    private static final int ALU_SANITIZE_SRC = 1, ALU_SANITIZE_DST = 2, ALU_NEG_VALUE = 4, ALU_IMMEDIATE = 8;

    private Verifier.Reject sanitizeErr(Insn in, String reason, boolean offIsDst) {
        String err = "pointer arithmetic with it prohibited for !root";
        String op = in.op() == Insn.ADD ? "add" : "sub";
        return switch (reason) {
            case "bounds" -> reject("R" + (offIsDst ? in.dst() : in.src()) + " has unknown scalar with mixed signed bounds, " + err);
            case "type" -> reject("R" + (offIsDst ? in.dst() : in.src()) + " has pointer with unsupported alu operation, " + err);
            case "paths" -> reject("R" + in.dst() + " tried to " + op + " from different maps, paths or scalars, " + err);
            default -> reject("R" + in.dst() + " tried to " + op + " beyond pointer bounds, " + err);
        };
    }

    /** retrieve_ptr_limit(): how far the pointer may move and stay inside its object, or a reason it cannot. */
    private static Object ptrLimit(RegState ptr, boolean maskToLeft) {
        long max, limit;
        switch (ptr.type) {
            case STACK -> {
                max = Verifier.MAX_BPF_STACK + (maskToLeft ? 1 : 0);
                limit = (-(ptr.s.varOff.value() + ptr.off)) & 0xffffffffL;
            }
            case MAP_VALUE -> {
                max = ptr.map.valueSize;
                limit = ((maskToLeft ? ptr.s.smin : ptr.s.umax) + ptr.off) & 0xffffffffL;
            }
            default -> {
                return "type";
            }
        }
        if (limit >= max) return "limit";
        return (int) limit;
    }

    /** sanitize_ptr_alu(): the first call before the arithmetic ({@code info} null), the commit after it. */
    private Sanitize sanitizePtrAlu(Insn in, RegState ptr, RegState off, RegState dst, Sanitize info) throws Verifier.Reject {
        boolean commit = info != null;
        Sanitize si = commit ? info : new Sanitize();
        boolean offIsImm = off.s.varOff.isConst(), offIsNeg = off.s.smin < 0, ptrIsDst = ptr == dst;
        boolean offIsDst = off == regs()[in.dst()];
        if (!v.cur.speculative) {
            if (!commit) {
                if (!offIsImm && (off.s.smin < 0) != (off.s.smax < 0)) throw sanitizeErr(in, "bounds", offIsDst);
                si.maskToLeft = (in.op() == Insn.ADD && offIsNeg) || (in.op() == Insn.SUB && !offIsNeg);
            }
            Object lim = ptrLimit(ptr, si.maskToLeft);
            if (lim instanceof String reason) throw sanitizeErr(in, reason, offIsDst);
            int limit = (Integer) lim, state;
            if (commit) {
                state = si.aluState;
                limit = java.lang.Math.abs(si.aluLimit - limit);
            } else {
                state = (offIsNeg ? ALU_NEG_VALUE : 0) | (offIsImm ? ALU_IMMEDIATE : 0) | (ptrIsDst ? ALU_SANITIZE_SRC : ALU_SANITIZE_DST);
                if (!offIsImm) v.exploreAluLimits = true;
                si.aluState = state;
                si.aluLimit = limit;
            }
            if (commit) {
                // update_alu_sanitation_state(): one instruction, one way of masking, on every path
                int idx = v.insnIdx;
                if (v.aluState[idx] != 0 && (v.aluState[idx] != (state | 0x10) || v.aluLimit[idx] != limit)) throw sanitizeErr(in, "paths", offIsDst);
                v.aluState[idx] = state | 0x10;
                v.aluLimit[idx] = limit;
            }
        }
        if (commit || offIsImm) return si;
        // the masked offset may be 0 under misprediction: explore dst as the bare pointer, speculatively
        RegState saved = dst.copy();
        if (!ptrIsDst) dst.copyFrom(ptr);
        v.pushStack(v.insnIdx + 1, v.insnIdx, true);
        if (!ptrIsDst) dst.copyFrom(saved);
        return si;
    }

    /** sanitize_check_bounds(): an unprivileged pointer must stay inside its object after arithmetic. */
    private void sanitizeCheckBounds(Insn in, RegState dst) throws Verifier.Reject {
        int regno = in.dst();
        if (dst.type == RegType.STACK) {
            long off = dst.off + dst.s.varOff.value();
            if (!dst.s.varOff.isConst()) {
                throw reject("R" + regno + " variable stack access prohibited for !root, var_off=" + dst.s.varOff.text() + " off=" + (int) off);
            }
            if (off >= 0 || off < -Verifier.MAX_BPF_STACK) throw reject("R" + regno + " stack pointer arithmetic goes out of range, prohibited for !root; off=" + (int) off);
        } else if (dst.type == RegType.MAP_VALUE) {
            try {
                checkMapAccess(regno, dst.off, 1, false);
            } catch (Verifier.Reject r) {
                throw reject("R" + regno + " pointer arithmetic of map value goes out of range, prohibited for !root");
            }
        }
    }

    private static void raw(RegState dst, int range, BpfMap map, int mem) {
        dst.range = range;
        dst.map = map;
        dst.memSize = mem;
    }

    /** Overflow tests as check_add_overflow()/check_sub_overflow() answer them. */
    private static final class Math {
        static boolean addExact0(long a, long b) {
            long r = a + b;
            return ((a ^ r) & (b ^ r)) < 0;
        }

        static boolean subExact0(long a, long b) {
            long r = a - b;
            return ((a ^ b) & (a ^ r)) < 0;
        }
    }

    // ------------------------------------------------------------------ memory (check_mem_access())
    void checkMemAccess(int regno, int off, int size, boolean write, int valueRegno, boolean ldsx) throws Verifier.Reject {
        RegState[] regs = regs();
        RegState reg = regs[regno];
        checkPtrAlignment(reg, off, size);
        off += reg.off;
        String acc = write ? "write" : "read";
        if (reg.type == RegType.MAP_VALUE && !reg.maybeNull) {
            if (write && valueRegno >= 0 && leaks(valueRegno)) throw reject("R" + valueRegno + " leaks addr into map");
            checkMapAccess(regno, off, size, false);
            if (!write && valueRegno >= 0) regs[valueRegno].markUnknown();
        } else if (reg.type == RegType.CTX) {
            if (write && valueRegno >= 0 && leaks(valueRegno)) throw reject("R" + valueRegno + " leaks addr into ctx");
            checkPtrOffReg(reg, regno, false);
            RegType t = CtxAccess.check(type, off, size, write);
            // a sign-extending load is for scalar fields only
            if (t != null && ldsx && t != RegType.SCALAR) t = null;
            if (t == null) throw reject("invalid bpf_context access off=" + off + " size=" + size);
            if (!write && valueRegno >= 0) {
                if (t == RegType.SCALAR) {
                    regs[valueRegno].markUnknown();
                } else {
                    regs[valueRegno].markPointer(t);
                    if (t == RegType.SOCK_COMMON) {
                        regs[valueRegno].maybeNull = true;
                        regs[valueRegno].id = ++v.idGen;
                    }
                }
            }
        } else if (reg.type == RegType.STACK) {
            checkStackAccessWithinBounds(regno, off, size, write);
            if (write) StackAccess.write(v, this, regno, off, size, valueRegno);
            else StackAccess.read(v, this, regno, off, size, valueRegno);
        } else if (reg.type.isPacket()) {
            if (write && type != BpfProgram.ProgType.XDP) throw reject("cannot write into packet");
            if (write && valueRegno >= 0 && leaks(valueRegno)) throw reject("R" + valueRegno + " leaks addr into packet");
            checkPacketAccess(regno, off, size, false);
            if (!write && valueRegno >= 0) regs[valueRegno].markUnknown();
        } else if (reg.type == RegType.SOCK_COMMON && !reg.maybeNull) {
            // check_sock_access()
            if (reg.s.smin < 0) throw reject("R" + regno + " min value is negative, either use unsigned index or do a if (index >=0) check.");
            checkPtrOffReg(reg, regno, false);
            if (!CtxAccess.sockCommon(off, size, write)) throw reject("R" + regno + " invalid " + reg.typeName() + " access off=" + off + " size=" + size);
            if (!write && valueRegno >= 0) regs[valueRegno].markUnknown();
        } else if (reg.type == RegType.CONST_PTR_TO_MAP && !reg.maybeNull) {
            // check_ptr_to_map_access(): struct bpf_array / bpf_htab through BTF, read-only
            String tname = reg.map.type == BpfMap.ARRAY ? "bpf_array" : "bpf_htab";
            if (!v.priv) throw reject("'struct " + tname + "' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN");
            if (off < 0) throw reject("R" + regno + " is " + tname + " invalid negative access: off=" + off);
            if (write) throw reject("only read from " + tname + " is supported");
            if (valueRegno >= 0) regs[valueRegno].markUnknown();
        } else {
            throw reject("R" + regno + " invalid mem access '" + reg.typeName() + "'");
        }
        if (size < 8 && valueRegno >= 0 && !write && regs[valueRegno].type == RegType.SCALAR) {
            if (ldsx && width(regs[valueRegno]) >= size * 8) regs[valueRegno].id = 0;
            if (ldsx) ScalarCasts.sext(regs[valueRegno].s, size);
            else ScalarCasts.truncate(regs[valueRegno].s, size);
        }
    }

    /** check_ptr_alignment(): only stack accesses are checked strictly (no strict alignment flag, efficient unaligned access). */
    private void checkPtrAlignment(RegState reg, int off, int size) throws Verifier.Reject {
        if (reg.type != RegType.STACK || size == 1) return;
        Tnum t = reg.s.varOff.add(Tnum.constant((long) reg.off + off));
        if (!t.isAligned(size)) {
            throw reject("misaligned stack access off " + offText(reg.s.varOff) + "+" + reg.off + "+" + off + " size " + size);
        }
    }

    void checkAtomicAlignment(RegState reg, int off, int size) throws Verifier.Reject {
        if (size == 1) return;
        String desc = switch (reg.type) {
            case MAP_VALUE -> "value ";
            case CTX -> "context ";
            case STACK -> "stack ";
            case MAP_KEY -> "key ";
            default -> "";
        };
        if (reg.type.isPacket()) {
            Tnum t = reg.s.varOff.add(Tnum.constant(2L + reg.off + off));
            if (!t.isAligned(size)) throw reject("misaligned packet access off 2+" + offText(reg.s.varOff) + "+" + reg.off + "+" + off + " size " + size);
            return;
        }
        Tnum t = reg.s.varOff.add(Tnum.constant((long) reg.off + off));
        if (!t.isAligned(size)) throw reject("misaligned " + desc + "access off " + offText(reg.s.varOff) + "+" + reg.off + "+" + off + " size " + size);
    }

    /** The variable offset as the alignment messages print it: the value when known (decimal up to 0xffff, else hex), else the tnum. */
    private static String offText(Tnum t) {
        return t.isConst() ? Scalar.unum(t.value()) : t.text();
    }

    /** __check_ptr_off_reg(). */
    void checkPtrOffReg(RegState reg, int regno, boolean fixedOffOk) throws Verifier.Reject {
        if (reg.off < 0) throw reject("negative offset " + reg.typeName() + " ptr R" + regno + " off=" + reg.off + " disallowed");
        if (!fixedOffOk && reg.off != 0) throw reject("dereference of modified " + reg.typeName() + " ptr R" + regno + " off=" + reg.off + " disallowed");
        if (!reg.s.varOff.isConst() || reg.s.varOff.value() != 0) {
            throw reject("variable " + reg.typeName() + " access var_off=" + reg.s.varOff.text() + " disallowed");
        }
    }

    /** check_stack_access_within_bounds(); grows the frame's stack. */
    void checkStackAccessWithinBounds(int regno, int off, int size, boolean write) throws Verifier.Reject {
        RegState reg = regs()[regno];
        FuncState f = v.cur.frames.get(reg.frameno);
        String extra = write ? " write to" : " read from";
        long minOff, maxOff;
        if (reg.s.varOff.isConst()) {
            minOff = reg.s.varOff.value() + off;
            maxOff = minOff + size;
        } else {
            if (reg.s.smax >= MAX_VAR_OFF || reg.s.smin <= -MAX_VAR_OFF) throw reject("invalid unbounded variable-offset" + extra + " stack R" + regno);
            minOff = reg.s.smin + off;
            maxOff = reg.s.smax + off + size;
        }
        long minValid = write || v.priv ? -Verifier.MAX_BPF_STACK : -f.allocatedStack();
        boolean bad = minOff < minValid || minOff > -1 || maxOff > 0 || size < 0;
        if (bad) {
            if (reg.s.varOff.isConst()) throw reject("invalid" + extra + " stack R" + regno + " off=" + off + " size=" + size);
            throw reject("invalid variable-offset" + extra + " stack R" + regno + " var_off=" + reg.s.varOff.text() + " off=" + off + " size=" + size);
        }
        f.grow((int) -minOff);
        // the subprogram's stack_depth: the most any of its frames ever allocated
        v.stackDepth[f.subprogno] = java.lang.Math.max(v.stackDepth[f.subprogno], f.allocatedStack());
    }

    /** __check_mem_access() for a packet, a map value or a key. */
    private void checkMemRange(int regno, long off, int size, long memSize, boolean zeroOk) throws Verifier.Reject {
        boolean sizeOk = size > 0 || (size == 0 && zeroOk);
        if (off >= 0 && sizeOk && off + size <= memSize) return;
        RegState reg = regs()[regno];
        switch (reg.type) {
            case MAP_KEY -> throw reject("invalid access to map key, key_size=" + memSize + " off=" + off + " size=" + size);
            case MAP_VALUE -> throw reject("invalid access to map value, value_size=" + memSize + " off=" + off + " size=" + size);
            case PACKET, PACKET_META, PACKET_END -> throw reject("invalid access to packet, off=" + off + " size=" + size + ", R" + regno + "(id="
                + (reg.id & ~RegState.ADD_CONST) + ",off=" + off + ",r=" + memSize + ")");
            default -> throw reject("invalid access to memory, mem_size=" + memSize + " off=" + off + " size=" + size);
        }
    }

    /** check_map_access() through check_mem_region_access(). */
    void checkMapAccess(int regno, int off, int size, boolean zeroOk) throws Verifier.Reject {
        RegState reg = regs()[regno];
        long memSize = reg.map.valueSize;
        Scalar s = reg.s;
        if (s.smin < 0 && (s.smin == Long.MIN_VALUE || (off + s.smin != (int) (off + s.smin)) || s.smin + off < 0)) {
            throw reject("R" + regno + " min value is negative, either use unsigned index or do a if (index >=0) check.");
        }
        try {
            checkMemRange(regno, s.smin + off, size, memSize, zeroOk);
        } catch (Verifier.Reject r) {
            throw reject("R" + regno + " min value is outside of the allowed memory range");
        }
        if (Long.compareUnsigned(s.umax, MAX_VAR_OFF) >= 0) throw reject("R" + regno + " unbounded memory access, make sure to bounds check any such access");
        try {
            checkMemRange(regno, s.umax + off, size, memSize, zeroOk);
        } catch (Verifier.Reject r) {
            throw reject("R" + regno + " max value is outside of the allowed memory range");
        }
    }

    /** check_packet_access(). */
    void checkPacketAccess(int regno, int off, int size, boolean zeroOk) throws Verifier.Reject {
        RegState reg = regs()[regno];
        if (reg.s.smin < 0) throw reject("R" + regno + " min value is negative, either use unsigned index or do a if (index >=0) check.");
        try {
            if (reg.range < 0) throw new Verifier.Reject("");
            checkMemRange(regno, off, size, reg.range, zeroOk);
        } catch (Verifier.Reject r) {
            throw reject("R" + regno + " offset is outside of the packet");
        }
    }

    // ------------------------------------------------------------------ atomics (check_atomic())
    private void checkAtomic(Insn in) throws Verifier.Reject {
        int imm = in.imm();
        int base = imm & ~Insn.FETCH;
        boolean rmw = base == Insn.ADD || base == Insn.AND || base == Insn.OR || base == Insn.XOR || imm == Insn.XCHG || imm == Insn.CMPXCHG;
        if (!rmw) {
            if (imm == Insn.LOAD_ACQ || imm == Insn.STORE_REL) throw reject("kstep does not model load-acquire/store-release yet");
            throw reject(String.format("BPF_ATOMIC uses invalid atomic opcode %02x", imm));
        }
        if (in.size() != Insn.W && in.size() != Insn.DW) throw reject("invalid atomic operand size");
        checkRegArg(in.src(), Op.SRC);
        checkRegArg(in.dst(), Op.SRC);
        if (imm == Insn.CMPXCHG) {
            checkRegArg(0, Op.SRC);
            if (leaks(0)) throw reject("R0 leaks addr into mem");
        }
        if (leaks(in.src())) throw reject("R" + in.src() + " leaks addr into mem");
        RegState dst = regs()[in.dst()];
        if (dst.type == RegType.CTX || dst.type.isPacket() || dst.type == RegType.PACKET_END) {
            throw reject("BPF_ATOMIC stores into R" + in.dst() + " " + dst.typeName() + " is not allowed");
        }
        int loadReg = -1;
        if ((imm & Insn.FETCH) != 0) {
            loadReg = imm == Insn.CMPXCHG ? 0 : in.src();
            checkRegArg(loadReg, Op.DST);
        }
        int size = Insn.bytes(in.size());
        checkAtomicAlignment(regs()[in.dst()], in.off(), size);
        checkMemAccess(in.dst(), in.off(), size, false, -1, false);
        if (loadReg >= 0) checkMemAccess(in.dst(), in.off(), size, false, loadReg, false);
        checkMemAccess(in.dst(), in.off(), size, true, -1, false);
    }

    // ------------------------------------------------------------------ LD
    private void checkLdImm(Insn in, int idx) throws Verifier.Reject {
        if (in.size() != Insn.DW) throw reject("invalid BPF_LD_IMM insn");
        if (in.off() != 0) throw reject("BPF_LD_IMM64 uses reserved fields");
        checkRegArg(in.dst(), Op.DST);
        RegState dst = regs()[in.dst()];
        Insn hi = v.insns.get(idx + 1);
        if (in.src() == 0) {
            dst.type = RegType.SCALAR;
            dst.markKnown(((long) hi.imm() << 32) | (in.imm() & 0xffffffffL));
            return;
        }
        BpfMap map = v.prog.maps().get(in.imm());
        dst.markPointer(in.src() == Insn.PSEUDO_MAP_VALUE ? RegType.MAP_VALUE : RegType.CONST_PTR_TO_MAP);
        dst.map = map;
        if (in.src() == Insn.PSEUDO_MAP_VALUE) dst.off = hi.imm();
    }

    private void checkLdAbs(Insn in) throws Verifier.Reject {
        if (type != BpfProgram.ProgType.SOCKET_FILTER) throw reject("BPF_LD_[ABS|IND] instructions not allowed for this program type");
        if (in.dst() != 0 || in.off() != 0 || in.size() == Insn.DW || (in.mode() == Insn.ABS && in.src() != 0)) {
            throw reject("BPF_LD_[ABS|IND] uses reserved fields");
        }
        checkRegArg(6, Op.SRC);
        RegState[] regs = regs();
        if (regs[6].type != RegType.CTX) throw reject("at the time of BPF_LD_ABS|IND R6 != pointer to skb");
        if (in.mode() == Insn.IND) checkRegArg(in.src(), Op.SRC);
        checkPtrOffReg(regs[6], 6, false);
        for (int i = 0; i <= 5; i++) {
            regs[i].markNotInit();
            checkRegArg(i, Op.DST_NO_MARK);
        }
        regs[0].markUnknown();
    }

    // ------------------------------------------------------------------ jumps, calls, exit
    private Outcome checkJmp(Insn in, int idx) throws Verifier.Reject {
        int op = in.op();
        boolean jmp32 = in.cls() == Insn.JMP32;
        v.jmpsProcessed++;
        if (op == Insn.CALL) {
            if (in.srcX() || (in.src() != Insn.PSEUDO_KFUNC_CALL && in.off() != 0)
                || (in.src() != 0 && in.src() != Insn.PSEUDO_CALL && in.src() != Insn.PSEUDO_KFUNC_CALL) || in.dst() != 0 || jmp32) {
                throw reject("BPF_CALL uses reserved fields");
            }
            if (in.src() == Insn.PSEUDO_CALL) return Calls.funcCall(v, this, in, idx);
            if (in.src() == Insn.PSEUDO_KFUNC_CALL) throw reject("calling kernel functions are not allowed in non-JITed programs");
            HelperCall.check(v, this, in.imm(), idx);
            v.markRegScratched(0);
            return new Outcome(idx + 1, false, false);
        }
        if (op == Insn.JA) {
            if (in.srcX() || in.src() != 0 || in.dst() != 0 || (!jmp32 && in.imm() != 0) || (jmp32 && in.off() != 0)) throw reject("BPF_JA uses reserved fields");
            return new Outcome(idx + (jmp32 ? in.imm() : in.off()) + 1, false, false);
        }
        if (op == Insn.EXIT) {
            if (in.srcX() || in.imm() != 0 || in.src() != 0 || in.dst() != 0 || jmp32) throw reject("BPF_EXIT uses reserved fields");
            if (v.cur.curframe > 0) return Calls.funcExit(v, this);
            checkRegArg(0, Op.SRC);
            if (leaks(0)) throw reject("R0 leaks addr as return value");
            return new Outcome(-1, true, false);
        }
        return CondJump.check(v, this, in, idx);
    }
}
