package kstep.bpf.jit;

import java.util.ArrayList;
import java.util.List;

import kstep.bpf.Insn;

/**
 * Linux 6.18's arm64 BPF JIT (arch/arm64/net/bpf_jit_comp.c: build_prologue(), build_body()/build_insn(),
 * build_epilogue(), build_plt(), bpf_int_jit_compile()'s passes), for the configuration kstep models: the
 * arm64 defconfig's BTI and pointer authentication in the kernel, LSE atomics, no SB, VHE, helpers within
 * branch range of the image (a bl, whose displacement is the kernel's). The running machine is x86-64, so
 * nothing checks these bytes against a kernel; the tests check them against llvm's disassembler.
 * Registers: R0 x7, R1-R5 x0-x4, R6-R9 x19-x22, FP x25, temporaries x10-x12, the tail-call counter
 * pointer x26, AX x9.
 */
public final class Arm64Jit {
    private static final int[] REG = {7, 0, 1, 2, 3, 4, 19, 20, 21, 22, 25, 9};
    private static final int TMP = 10, TMP2 = 11, TMP3 = 12, TCCNT = 26;

    private final List<Insn> insns;
    private final X86Jit.Function fn;
    private final boolean subprog;
    /** offset[i]: the A64 instruction index where BPF instruction i starts (offset[len]: the end). */
    private final int[] offset;
    private int epilogueOffset;
    private final List<Integer> usedCallee = new ArrayList<>();
    private boolean fpUsed;
    private int stackSize;
    private final List<A64.Op> out = new ArrayList<>();
    private final List<X86Jit.Line> lines = new ArrayList<>();
    private final List<Integer> external = new ArrayList<>();

    private Arm64Jit(List<Insn> insns, X86Jit.Function fn, boolean subprog) {
        this.insns = insns;
        this.fn = fn;
        this.subprog = subprog;
        this.offset = new int[fn.end() - fn.start() + 1];
    }

    /**
     * JITs {@code xlated} as the functions {@code functions}, main first; the listing's texts are llvm's,
     * a function's prologue is line -1 and its epilogue (with the PLT) line -2.
     */
    public static X86Jit.Image compile(List<Insn> xlated, List<X86Jit.Function> functions) {
        List<X86Jit.Line> listing = new ArrayList<>();
        List<Integer> ext = new ArrayList<>();
        java.io.ByteArrayOutputStream img = new java.io.ByteArrayOutputStream();
        for (int f = 0; f < functions.size(); f++) {
            Arm64Jit j = new Arm64Jit(xlated, functions.get(f), f > 0);
            j.build(img.size());
            for (X86Jit.Line l : j.lines) {
                listing.add(l);
                img.writeBytes(l.bytes());
            }
            ext.addAll(j.external);
        }
        return new X86Jit.Image(img.toByteArray(), listing, ext);
    }

    private static int reg(int bpf) {
        return REG[bpf];
    }

    /** Pass 1 sizes everything; pass 2 (the kernel's passes 2 and 3) emits with the offsets known. */
    private void build(int imageBase) {
        findUsedCalleeRegs();
        stackSize = (fn.stackDepth() + 15) / 16 * 16;
        for (int pass = 0; pass < 2; pass++) {
            boolean last = pass == 1;
            out.clear();
            lines.clear();
            external.clear();
            int start = out.size();
            prologue();
            record(-1, start, imageBase, last);
            body(imageBase, last);
            epilogueOffset = out.size();
            start = out.size();
            epilogue();
            plt();
            record(-2, start, imageBase, last);
        }
    }

    private void record(int insn, int from, int imageBase, boolean last) {
        if (!last) return;
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        List<Integer> lengths = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = from; i < out.size(); i++) {
            A64.Op op = out.get(i);
            int w = op.word();
            b.write(w & 0xff);
            b.write((w >>> 8) & 0xff);
            b.write((w >>> 16) & 0xff);
            b.write((w >>> 24) & 0xff);
            lengths.add(4);
            texts.add(text(op, imageBase + 4 * i));
            if (op.text().equals("bl")) external.add(imageBase + 4 * i);
            if (op.text().equals("bl") && insn >= 0 && insns.get(insn).src() == Insn.PSEUDO_CALL) texts.set(texts.size() - 1, "bl <subprog#" + insns.get(insn).imm() + ">");
        }
        lines.add(new X86Jit.Line(insn, imageBase + 4 * from, b.toByteArray(), lengths, texts, texts));
    }

    /** A branch's text with its target, as llvm-objdump prints it (image offsets). */
    private static String text(A64.Op op, int pc) {
        String t = op.text();
        int w = op.word();
        if (t.equals("bl")) return "bl <helper>";
        if (t.startsWith("ldr x10, 0x")) return "ldr x10, 0x" + Integer.toHexString(pc + 8);
        if (t.equals("b")) {
            int off = (w << 6) >> 6;
            return t + " 0x" + Integer.toHexString(pc + 4 * off);
        }
        if (t.startsWith("b.") || t.startsWith("cbz") || t.startsWith("cbnz")) {
            int off = (w << 8) >> 13;
            return t + (t.startsWith("b.") ? " " : ", ") + "0x" + Integer.toHexString(pc + 4 * off);
        }
        return t;
    }

    private void emit(A64.Op op) {
        out.add(op);
    }

    /** find_used_callee_regs(). */
    private void findUsedCalleeRegs() {
        int used = 0;
        for (int i = fn.start(); i < fn.end(); i++) {
            Insn x = insns.get(i);
            for (int r : new int[] {x.dst(), x.src()}) {
                if (r >= 6 && r <= 9) used |= 1 << (r - 6);
                if (r == 10) {
                    used |= 16;
                    fpUsed = true;
                }
            }
        }
        for (int k = 0; k < 4; k++) if ((used & (1 << k)) != 0) usedCallee.add(REG[6 + k]);
        if ((used & 16) != 0) usedCallee.add(25);
    }

    /** build_prologue(). */
    private void prologue() {
        emit(A64.hint(0xd50324df, "bti jc"));
        emit(A64.mov(true, 9, A64.LR));
        emit(A64.nop());
        emit(A64.hint(0xd503233f, "paciasp"));
        emit(A64.push(A64.FP, A64.LR));
        emit(A64.mov(true, A64.FP, A64.SP));
        if (!subprog) {
            emit(A64.push(A64.ZR, TCCNT));
            emit(A64.mov(true, TCCNT, A64.SP));
            emit(A64.hint(0xd503249f, "bti j"));
        } else {
            emit(A64.push(TCCNT, TCCNT));
        }
        int i = 0;
        for (; i + 1 < usedCallee.size(); i += 2) emit(A64.push(usedCallee.get(i), usedCallee.get(i + 1)));
        if (i < usedCallee.size()) emit(A64.push(usedCallee.get(i), A64.ZR));
        if (fpUsed) emit(A64.mov(true, 25, A64.SP));
        if (stackSize > 0) emit(A64.addSubImm(true, true, false, A64.SP, A64.SP, stackSize));
    }

    /** build_epilogue(). */
    private void epilogue() {
        if (stackSize > 0) emit(A64.addSubImm(true, false, false, A64.SP, A64.SP, stackSize));
        int i = usedCallee.size() - 1;
        if (usedCallee.size() % 2 != 0) {
            emit(A64.pop(usedCallee.get(i), A64.ZR));
            i--;
        }
        while (i > 0) {
            emit(A64.pop(usedCallee.get(i - 1), usedCallee.get(i)));
            i -= 2;
        }
        emit(A64.pop(A64.ZR, TCCNT));
        emit(A64.pop(A64.FP, A64.LR));
        emit(A64.mov(true, 0, reg(0)));
        emit(A64.hint(0xd50323bf, "autiasp"));
        emit(A64.ret());
    }

    /** build_plt(): a nop to align its target, ldr x10 of the target and br x10 (the 8-byte target follows the image). */
    private void plt() {
        if ((out.size() + 2) % 2 != 0) emit(A64.nop());
        emit(new A64.Op(0x58000000 | (2 << 5) | TMP, "ldr x10, 0x"));
        emit(new A64.Op(0xd61f0000 | TMP << 5, "br x10"));
    }

    private void body(int imageBase, boolean last) {
        int n = fn.end() - fn.start();
        for (int k = 0; k < n; k++) {
            int idx = fn.start() + k;
            offset[k] = out.size();
            int start = out.size();
            Insn x = insns.get(idx);
            insn(x, idx, k);
            record(idx, start, imageBase, last);
            if (x.isLdImm64()) {
                k++;
                offset[k] = out.size();
            }
        }
        offset[n] = out.size();
    }

    /** bpf2a64_offset(): from the branch itself to the target's first instruction. */
    private int branch(int k, int off) {
        k++;
        return offset[k + off] - (offset[k] - 1);
    }

    /** emit_a64_mov_i(). */
    private void movImm(boolean is64, int r, int val) {
        int hi = (val >>> 16) & 0xffff, lo = val & 0xffff;
        if ((hi & 0x8000) != 0) {
            if (hi == 0xffff) {
                emit(A64.movn(is64, r, ~lo & 0xffff, 0));
            } else {
                emit(A64.movn(is64, r, ~hi & 0xffff, 16));
                if (lo != 0xffff) emit(A64.movk(is64, r, lo, 0));
            }
        } else {
            emit(A64.movz(is64, r, lo, 0));
            if (hi != 0) emit(A64.movk(is64, r, hi, 16));
        }
    }

    private static int blocks(long v, boolean inverse) {
        int n = 0;
        for (int s = 0; s < 64; s += 16) if (((v >>> s) & 0xffff) != (inverse ? 0xffff : 0)) n++;
        return n;
    }

    /** emit_a64_mov_i64(). */
    private void movImm64(int r, long val) {
        if ((val >>> 32) == 0) {
            movImm(false, r, (int) val);
            return;
        }
        boolean inverse = blocks(val, true) < blocks(val, false);
        long t = inverse ? ~val : val;
        int shift = Math.max((63 - Long.numberOfLeadingZeros(t)) / 16 * 16, 0);
        if (inverse) emit(A64.movn(true, r, (int) ((~val >>> shift) & 0xffff), shift));
        else emit(A64.movz(true, r, (int) ((val >>> shift) & 0xffff), shift));
        for (shift -= 16; shift >= 0; shift -= 16) {
            if (((val >>> shift) & 0xffff) != (inverse ? 0xffff : 0)) emit(A64.movk(true, r, (int) ((val >>> shift) & 0xffff), shift));
        }
    }

    private static boolean addSubImm(int imm) {
        return (imm & ~0xfff) == 0 || (imm & ~0xfff000) == 0;
    }

    private void addImm(boolean is64, int dst, int src, int tmp, int imm) {
        if (addSubImm(imm)) emit(A64.addSubImm(is64, false, false, dst, src, imm));
        else if (addSubImm(-imm)) emit(A64.addSubImm(is64, true, false, dst, src, -imm));
        else {
            movImm(is64, tmp, imm);
            emit(A64.add(is64, dst, src, tmp));
        }
    }

    private static boolean lsiOffset(int off, int scale) {
        return off >= 0 && off <= (0xfff << scale) && (off & ((1 << scale) - 1)) == 0;
    }

    private void insn(Insn in, int idx, int k) {
        int code = in.code(), cls = in.cls(), op = in.op();
        if (X86Jit.stackArgStore(in) || (cls == Insn.LDX && in.src() == 11)) {
            throw new X86Jit.JitError("kstep's arm64 JIT does not model stack arguments (the stack-args variant's R11); its x86-64 JIT does");
        }
        int dst = in.dst() <= 11 ? reg(in.dst()) : 0, src = in.src() <= 11 ? reg(in.src()) : 0;
        int off = in.off(), imm = in.imm();
        boolean is64 = cls == Insn.ALU64 || cls == Insn.JMP;
        if (cls == Insn.ALU || cls == Insn.ALU64) {
            boolean x = in.srcX();
            switch (op) {
                case Insn.MOV -> {
                    if (!x) movImm(is64, dst, imm);
                    else if (off == -1 && is64) {
                        if (dst != src) emit(A64.mov(true, dst, src));
                        emit(A64.hint(0xd53cd040 | TMP, "mrs x10, TPIDR_EL2"));
                        emit(A64.add(true, dst, dst, TMP));
                    } else if (off == 0) emit(A64.mov(is64, dst, src));
                    else emit(A64.bfm(is64, true, dst, src, 0, off - 1));
                }
                case Insn.ADD -> {
                    if (x) emit(A64.add(is64, dst, dst, src));
                    else addImm(is64, dst, dst, TMP, imm);
                }
                case Insn.SUB -> {
                    if (x) emit(A64.sub(is64, dst, dst, src));
                    else if (addSubImm(imm)) emit(A64.addSubImm(is64, true, false, dst, dst, imm));
                    else if (addSubImm(-imm)) emit(A64.addSubImm(is64, false, false, dst, dst, -imm));
                    else {
                        movImm(is64, TMP, imm);
                        emit(A64.sub(is64, dst, dst, TMP));
                    }
                }
                case Insn.AND, Insn.OR, Insn.XOR -> {
                    int opc = op == Insn.AND ? 0 : op == Insn.OR ? 1 : 2;
                    if (x) emit(opc == 0 ? A64.and(is64, dst, dst, src) : opc == 1 ? A64.orr(is64, dst, dst, src) : A64.eor(is64, dst, dst, src));
                    else {
                        A64.Op li = A64.logicImm(opc, is64, dst, dst, is64 ? (long) imm : imm & 0xffffffffL);
                        if (li != null) emit(li);
                        else {
                            movImm(is64, TMP, imm);
                            emit(opc == 0 ? A64.and(is64, dst, dst, TMP) : opc == 1 ? A64.orr(is64, dst, dst, TMP) : A64.eor(is64, dst, dst, TMP));
                        }
                    }
                }
                case Insn.MUL -> {
                    if (x) emit(A64.mul(is64, dst, dst, src));
                    else {
                        movImm(is64, TMP, imm);
                        emit(A64.mul(is64, dst, dst, TMP));
                    }
                }
                case Insn.DIV -> {
                    if (x) emit(A64.div(is64, off != 0, dst, dst, src));
                    else {
                        movImm(is64, TMP, imm);
                        emit(A64.div(is64, off != 0, dst, dst, TMP));
                    }
                }
                case Insn.MOD -> {
                    if (x) {
                        emit(A64.div(is64, off != 0, TMP, dst, src));
                        emit(A64.msub(is64, dst, TMP, src, dst));
                    } else {
                        movImm(is64, TMP2, imm);
                        emit(A64.div(is64, off != 0, TMP, dst, TMP2));
                        emit(A64.msub(is64, dst, TMP, TMP2, dst));
                    }
                }
                case Insn.LSH, Insn.RSH, Insn.ARSH -> {
                    int kind = op == Insn.LSH ? 0 : op == Insn.RSH ? 1 : 2;
                    int bits = is64 ? 64 : 32;
                    if (x) emit(A64.shiftv(is64, kind, dst, dst, src));
                    else if (kind == 0) emit(A64.bfm(is64, false, dst, dst, (bits - imm) % bits, bits - 1 - imm));
                    else emit(A64.bfm(is64, kind == 2, dst, dst, imm, bits - 1));
                }
                case Insn.NEG -> emit(A64.sub(is64, dst, A64.ZR, dst));
                case Insn.END -> {
                    boolean swap = cls == Insn.ALU64 || in.srcX();
                    if (swap) {
                        switch (imm) {
                            case 16 -> {
                                emit(A64.rev(1, is64, dst, dst));
                                emit(A64.bfm(is64, false, dst, dst, 0, 15));
                            }
                            case 32 -> emit(A64.rev(2, false, dst, dst));
                            default -> emit(A64.rev(3, true, dst, dst));
                        }
                    } else if (imm == 16) {
                        emit(A64.bfm(is64, false, dst, dst, 0, 15));
                    } else if (imm == 32) {
                        emit(A64.bfm(is64, false, dst, dst, 0, 31));
                    }
                }
                default -> throw new X86Jit.JitError("unknown opcode " + String.format("%02x", code));
            }
            return;
        }
        switch (cls) {
            case Insn.LD -> movImm64(dst, ((long) insns.get(idx + 1).imm() << 32) | (imm & 0xffffffffL));
            case Insn.LDX -> load(in, dst, src);
            case Insn.ST -> {
                if (code == (Insn.ST | 0xc0)) {
                    emit(A64.hint(0xd503379f, "dsb nsh"));
                    emit(A64.hint(0xd5033fdf, "isb"));
                    return;
                }
                movImm(true, TMP, imm);
                store(in, TMP, dst, TMP2);
            }
            case Insn.STX -> {
                if (in.mode() == Insn.MEM) store(in, src, dst, TMP);
                else atomic(in, dst, src);
            }
            default -> jump(in, idx, k, dst, src, is64);
        }
    }

    private static int size(Insn in) {
        return switch (in.size()) {
            case Insn.B -> 0;
            case Insn.H -> 1;
            case Insn.W -> 2;
            default -> 3;
        };
    }

    /** A load; through BPF's FP it is relative to sp, as the stack is laid out below x25. */
    private void load(Insn in, int dst, int src) {
        int sz = size(in);
        boolean sx = in.mode() == Insn.MEMSX;
        int base = src, off = in.off();
        if (src == 25) {
            base = A64.SP;
            off = in.off() + stackSize;
        }
        int opc = sx ? 2 : 1;
        if (lsiOffset(off, sz)) emit(A64.ldstImm(sz, opc, dst, base, off));
        else {
            movImm(true, TMP, in.off());
            emit(A64.ldstReg(sz, opc, dst, src, TMP));
        }
    }

    private void store(Insn in, int val, int dst, int tmp) {
        int sz = size(in);
        int base = dst, off = in.off();
        if (dst == 25) {
            base = A64.SP;
            off = in.off() + stackSize;
        }
        if (lsiOffset(off, sz)) emit(A64.ldstImm(sz, 0, val, base, off));
        else {
            movImm(true, tmp, in.off());
            emit(A64.ldstReg(sz, 0, val, dst, tmp));
        }
    }

    /** emit_atomic_ld_st() and emit_lse_atomic(). */
    private void atomic(Insn in, int dst, int src) {
        int imm = in.imm(), off = in.off();
        boolean dw = in.size() == Insn.DW;
        if (imm == Insn.LOAD_ACQ || imm == Insn.STORE_REL) {
            int r = imm == Insn.LOAD_ACQ ? src : dst;
            if (off != 0) {
                addImm(true, TMP, r, TMP, off);
                r = TMP;
            }
            if (imm == Insn.LOAD_ACQ) emit(A64.ldar(size(in), true, dst, r));
            else emit(A64.ldar(size(in), false, src, r));
            return;
        }
        int r = dst;
        if (off != 0) {
            addImm(true, TMP, r, TMP, off);
            r = TMP;
        }
        switch (imm) {
            case Insn.ADD -> emit(A64.ldOp(dw, 0, false, src, A64.ZR, r));
            case Insn.AND -> {
                emit(A64.mvn(dw, TMP2, src));
                emit(A64.ldOp(dw, 1, false, TMP2, A64.ZR, r));
            }
            case Insn.OR -> emit(A64.ldOp(dw, 3, false, src, A64.ZR, r));
            case Insn.XOR -> emit(A64.ldOp(dw, 2, false, src, A64.ZR, r));
            case Insn.ADD | Insn.FETCH -> emit(A64.ldOp(dw, 0, true, src, src, r));
            case Insn.AND | Insn.FETCH -> {
                emit(A64.mvn(dw, TMP2, src));
                emit(A64.ldOp(dw, 1, true, TMP2, src, r));
            }
            case Insn.OR | Insn.FETCH -> emit(A64.ldOp(dw, 3, true, src, src, r));
            case Insn.XOR | Insn.FETCH -> emit(A64.ldOp(dw, 2, true, src, src, r));
            case Insn.XCHG -> emit(A64.swpal(dw, src, src, r));
            case Insn.CMPXCHG -> emit(A64.casal(dw, reg(0), src, r));
            default -> throw new X86Jit.JitError("unknown atomic op code " + String.format("%02x", imm));
        }
    }

    private void jump(Insn in, int idx, int k, int dst, int src, boolean is64) {
        int op = in.op(), imm = in.imm();
        switch (op) {
            case Insn.JA -> {
                emit(A64.b(branch(k, in.cls() == Insn.JMP ? in.off() : imm)));
                return;
            }
            case Insn.CALL -> {
                emit(A64.bl(0));
                emit(A64.mov(true, reg(0), 0));
                return;
            }
            case Insn.EXIT -> {
                // the last instruction falls through into the epilogue
                if (idx == fn.end() - 1) return;
                emit(A64.b(epilogueOffset - out.size()));
                return;
            }
            default -> { }
        }
        if (in.srcX()) {
            emit(op == Insn.JSET ? A64.tst(is64, dst, src) : A64.cmp(is64, dst, src));
        } else if (op == Insn.JSET) {
            A64.Op t = A64.logicImm(3, is64, A64.ZR, dst, is64 ? (long) imm : imm & 0xffffffffL);
            if (t != null) emit(t);
            else {
                movImm(is64, TMP, imm);
                emit(A64.tst(is64, dst, TMP));
            }
        } else if (addSubImm(imm)) {
            emit(A64.addSubImm(is64, true, true, A64.ZR, dst, imm));
        } else if (addSubImm(-imm)) {
            emit(A64.addSubImm(is64, false, true, A64.ZR, dst, -imm));
        } else {
            movImm(is64, TMP, imm);
            emit(A64.cmp(is64, dst, TMP));
        }
        int cond = switch (op) {
            case Insn.JEQ -> 0;
            case Insn.JGT -> 8;
            case Insn.JLT -> 3;
            case Insn.JGE -> 2;
            case Insn.JLE -> 9;
            case Insn.JSET, Insn.JNE -> 1;
            case Insn.JSGT -> 12;
            case Insn.JSLT -> 11;
            case Insn.JSGE -> 10;
            case Insn.JSLE -> 13;
            default -> throw new X86Jit.JitError("unknown jump " + String.format("%02x", in.code()));
        };
        emit(A64.bcond(cond, branch(k, in.off())));
    }
}
