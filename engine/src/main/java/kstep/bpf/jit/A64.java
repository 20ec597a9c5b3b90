package kstep.bpf.jit;

/**
 * A64 encodings as the arm64 BPF JIT uses them (arch/arm64/net/bpf_jit.h's A64_* through the kernel's
 * aarch64_insn_gen_*), each with its text as llvm-objdump prints it. Registers are x0-x30; 31 is sp or
 * xzr, as the instruction reads it.
 */
final class A64 {
    static final int SP = 31, ZR = 31, LR = 30, FP = 29;

    /** An encoded instruction and its text. */
    record Op(int word, String text) { }

    private A64() { }

    static String x(int r, boolean sf) {
        if (r == 31) return sf ? "xzr" : "wzr";
        return (sf ? "x" : "w") + r;
    }

    static String xsp(int r, boolean sf) {
        if (r == 31) return sf ? "sp" : "wsp";
        return (sf ? "x" : "w") + r;
    }

    private static int sfBit(boolean sf) {
        return sf ? 1 << 31 : 0;
    }

    static String dec(long v) {
        return "#" + v;
    }

    static String hex(long v) {
        return v < 0 ? "#-0x" + Long.toHexString(-v) : "#0x" + Long.toHexString(v);
    }

    // ------------------------------------------------------------------ moves of immediates
    static Op movz(boolean sf, int rd, int imm16, int shift) {
        int w = sfBit(sf) | 0x52800000 | (shift / 16) << 21 | (imm16 & 0xffff) << 5 | rd;
        long v = (long) (imm16 & 0xffff) << shift;
        boolean alias = !(imm16 == 0 && shift != 0);
        return new Op(w, alias ? "mov " + x(rd, sf) + ", " + dec(v) : "movz " + x(rd, sf) + ", " + dec(imm16 & 0xffff) + ", lsl #" + shift);
    }

    static Op movn(boolean sf, int rd, int imm16, int shift) {
        int w = sfBit(sf) | 0x12800000 | (shift / 16) << 21 | (imm16 & 0xffff) << 5 | rd;
        long v = ~((long) (imm16 & 0xffff) << shift);
        if (!sf) v = (int) v;
        // llvm prints movn as "mov" unless the value is also a movz's (or, in 32 bits, shifted zero)
        boolean alias = !(imm16 == 0 && shift != 0) && !(!sf && (imm16 & 0xffff) == 0xffff);
        return new Op(w, alias ? "mov " + x(rd, sf) + ", " + dec(v) : "movn " + x(rd, sf) + ", " + dec(imm16 & 0xffff) + (shift == 0 ? "" : ", lsl #" + shift));
    }

    static Op movk(boolean sf, int rd, int imm16, int shift) {
        int w = sfBit(sf) | 0x72800000 | (shift / 16) << 21 | (imm16 & 0xffff) << 5 | rd;
        return new Op(w, "movk " + x(rd, sf) + ", " + dec(imm16 & 0xffff) + (shift == 0 ? "" : ", lsl #" + shift));
    }

    // ------------------------------------------------------------------ arithmetic
    /** ADD/SUB (immediate); {@code imm} is imm12 or imm12 << 12. */
    static Op addSubImm(boolean sf, boolean sub, boolean setFlags, int rd, int rn, int imm) {
        boolean sh = (imm & ~0xfff) != 0;
        int imm12 = sh ? imm >>> 12 : imm;
        int w = sfBit(sf) | (sub ? 0x51000000 : 0x11000000) | (setFlags ? 1 << 29 : 0) | (sh ? 1 << 22 : 0) | imm12 << 10 | rn << 5 | rd;
        String t;
        String imms = "#" + imm12 + (sh ? ", lsl #12" : "");
        if (setFlags && rd == ZR) t = (sub ? "cmp " : "cmn ") + xsp(rn, sf) + ", " + imms;
        else if (!sub && !setFlags && imm == 0 && (rd == SP || rn == SP)) t = "mov " + xsp(rd, sf) + ", " + xsp(rn, sf);
        else t = (sub ? "sub" : "add") + (setFlags ? "s " : " ") + (setFlags ? x(rd, sf) : xsp(rd, sf)) + ", " + xsp(rn, sf) + ", " + imms;
        return new Op(w, t);
    }

    /** ADD/SUB/logical (shifted register, no shift). */
    static Op reg3(int base, String mn, boolean sf, int rd, int rn, int rm) {
        int w = sfBit(sf) | base | rm << 16 | rn << 5 | rd;
        return new Op(w, mn + " " + x(rd, sf) + ", " + x(rn, sf) + ", " + x(rm, sf));
    }

    static Op add(boolean sf, int rd, int rn, int rm) {
        return reg3(0x0b000000, "add", sf, rd, rn, rm);
    }

    static Op sub(boolean sf, int rd, int rn, int rm) {
        if (rn == ZR) return new Op(sfBit(sf) | 0x4b000000 | rm << 16 | rn << 5 | rd, "neg " + x(rd, sf) + ", " + x(rm, sf));
        return reg3(0x4b000000, "sub", sf, rd, rn, rm);
    }

    static Op cmp(boolean sf, int rn, int rm) {
        return new Op(sfBit(sf) | 0x6b000000 | rm << 16 | rn << 5 | ZR, "cmp " + x(rn, sf) + ", " + x(rm, sf));
    }

    static Op tst(boolean sf, int rn, int rm) {
        return new Op(sfBit(sf) | 0x6a000000 | rm << 16 | rn << 5 | ZR, "tst " + x(rn, sf) + ", " + x(rm, sf));
    }

    static Op and(boolean sf, int rd, int rn, int rm) {
        return reg3(0x0a000000, "and", sf, rd, rn, rm);
    }

    static Op orr(boolean sf, int rd, int rn, int rm) {
        if (rn == ZR) return new Op(sfBit(sf) | 0x2a000000 | rm << 16 | rn << 5 | rd, "mov " + x(rd, sf) + ", " + x(rm, sf));
        return reg3(0x2a000000, "orr", sf, rd, rn, rm);
    }

    static Op eor(boolean sf, int rd, int rn, int rm) {
        return reg3(0x4a000000, "eor", sf, rd, rn, rm);
    }

    static Op mvn(boolean sf, int rd, int rm) {
        return new Op(sfBit(sf) | 0x2a200000 | rm << 16 | ZR << 5 | rd, "mvn " + x(rd, sf) + ", " + x(rm, sf));
    }

    /** A64_MOV(): ADD #0, which is also a move from or to sp. */
    static Op mov(boolean sf, int rd, int rn) {
        if (rd == SP || rn == SP) return addSubImm(sf, false, false, rd, rn, 0);
        return new Op(sfBit(sf) | 0x11000000 | rn << 5 | rd, "add " + x(rd, sf) + ", " + x(rn, sf) + ", #0");
    }

    static Op mul(boolean sf, int rd, int rn, int rm) {
        return new Op(sfBit(sf) | 0x1b000000 | rm << 16 | ZR << 10 | rn << 5 | rd, "mul " + x(rd, sf) + ", " + x(rn, sf) + ", " + x(rm, sf));
    }

    static Op msub(boolean sf, int rd, int rn, int rm, int ra) {
        return new Op(sfBit(sf) | 0x1b008000 | rm << 16 | ra << 10 | rn << 5 | rd,
            "msub " + x(rd, sf) + ", " + x(rn, sf) + ", " + x(rm, sf) + ", " + x(ra, sf));
    }

    static Op div(boolean sf, boolean signed, int rd, int rn, int rm) {
        return reg3(signed ? 0x1ac00c00 : 0x1ac00800, signed ? "sdiv" : "udiv", sf, rd, rn, rm);
    }

    static Op shiftv(boolean sf, int kind, int rd, int rn, int rm) {
        String mn = kind == 0 ? "lsl" : kind == 1 ? "lsr" : "asr";
        return reg3(0x1ac02000 | kind << 10, mn, sf, rd, rn, rm);
    }

    /** UBFM/SBFM with their aliases: lsl, lsr, asr, uxth, sxtb, sxth, sxtw, ubfx... */
    static Op bfm(boolean sf, boolean signed, int rd, int rn, int immr, int imms) {
        int w = sfBit(sf) | (signed ? 0x13000000 : 0x53000000) | (sf ? 1 << 22 : 0) | immr << 16 | imms << 10 | rn << 5 | rd;
        int width = sf ? 63 : 31;
        String d = x(rd, sf), n = x(rn, sf);
        String t;
        if (imms == width) t = (signed ? "asr " : "lsr ") + d + ", " + n + ", #" + immr;
        else if (!signed && imms + 1 == immr) t = "lsl " + d + ", " + n + ", #" + (width - imms);
        else if (immr == 0 && signed && (imms == 7 || imms == 15 || imms == 31)) t = (imms == 7 ? "sxtb " : imms == 15 ? "sxth " : "sxtw ") + d + ", " + x(rn, false);
        else if (immr == 0 && !signed && !sf && (imms == 7 || imms == 15)) t = (imms == 7 ? "uxtb " : "uxth ") + d + ", " + n;
        else if (immr == 0 && !signed) t = "ubfx " + d + ", " + n + ", #0, #" + (imms + 1);
        else if (immr <= imms) t = (signed ? "sbfx " : "ubfx ") + d + ", " + n + ", #" + immr + ", #" + (imms - immr + 1);
        else t = (signed ? "sbfiz " : "ubfiz ") + d + ", " + n + ", #" + (width + 1 - immr) + ", #" + (imms + 1);
        return new Op(w, t);
    }

    static Op rev(int kind, boolean sf, int rd, int rn) {
        // kind 1: rev16, 2: rev32 (rev on 32 bits), 3: rev on 64 bits
        int base = (sf ? 0xdac00000 : 0x5ac00000) | kind << 10;
        String mn = kind == 1 ? "rev16" : sf && kind == 2 ? "rev32" : "rev";
        return new Op(base | rn << 5 | rd, mn + " " + x(rd, sf) + ", " + x(rn, sf));
    }

    /**
     * The logical-immediate encoding of {@code imm} (aarch64_encode_immediate()), or -1 when it has none:
     * N:immr:imms for a replicated run of ones.
     */
    static int logicalImm(long imm, boolean sf) {
        int size = sf ? 64 : 32;
        if (!sf) imm &= 0xffffffffL;
        long mask = sf ? -1L : 0xffffffffL;
        if (imm == 0 || imm == mask) return -1;
        // the smallest element size that repeats
        int esize = size;
        while (esize > 2) {
            int half = esize / 2;
            long hm = (1L << half) - 1;
            if (((imm >>> half) & hm) != (imm & hm)) break;
            esize = half;
        }
        long emask = esize == 64 ? -1L : (1L << esize) - 1;
        long elt = imm & emask;
        // rotate so the run of ones starts at bit 0
        int ones = Long.bitCount(elt);
        int rot = 0;
        for (; rot < esize; rot++) {
            long r = rotr(elt, rot, esize);
            if (r == ((1L << ones) - 1) || (ones == 64 && r == -1L)) break;
        }
        if (rot == esize) return -1;
        int immr = (esize - rot) % esize;
        int imms = ((~(esize - 1) << 1) & 0x3f) | (ones - 1);
        int n = esize == 64 ? 1 : 0;
        return n << 12 | immr << 6 | (imms & 0x3f);
    }

    private static long rotr(long v, int r, int size) {
        long m = size == 64 ? -1L : (1L << size) - 1;
        if (r == 0) return v & m;
        return ((v >>> r) | (v << (size - r))) & m;
    }

    /** AND/ORR/EOR/ANDS (immediate); null when the value has no encoding. */
    static Op logicImm(int opc, boolean sf, int rd, int rn, long imm) {
        int e = logicalImm(imm, sf);
        if (e < 0) return null;
        int w = sfBit(sf) | 0x12000000 | opc << 29 | e << 10 | rn << 5 | rd;
        long v = sf ? imm : imm & 0xffffffffL;
        String mn = opc == 0 ? "and" : opc == 1 ? "orr" : opc == 2 ? "eor" : "ands";
        // llvm prints a logical immediate as unsigned hex
        String hv = "#0x" + Long.toHexString(v);
        String t;
        if (opc == 3 && rd == ZR) t = "tst " + x(rn, sf) + ", " + hv;
        else if (opc == 1 && rn == ZR) t = "mov " + xsp(rd, sf) + ", " + hv;
        else t = mn + " " + (opc == 3 ? x(rd, sf) : xsp(rd, sf)) + ", " + x(rn, sf) + ", " + hv;
        return new Op(w, t);
    }

    // ------------------------------------------------------------------ memory
    /** LDR/STR (unsigned offset): size 0-3 (byte to double), opc 0 store, 1 load, 2 sign-extending load to 64 bits. */
    static Op ldstImm(int size, int opc, int rt, int rn, int off) {
        int w = size << 30 | 0x39000000 | opc << 22 | (off >> size) << 10 | rn << 5 | rt;
        return new Op(w, ldstName(size, opc) + " " + x(rt, size == 3 || opc == 2) + ", [" + xsp(rn, true) + (off == 0 ? "]" : ", #" + off + "]"));
    }

    /** LDR/STR (register offset, LSL #0). */
    static Op ldstReg(int size, int opc, int rt, int rn, int rm) {
        int w = size << 30 | 0x38200800 | opc << 22 | rm << 16 | 0x3 << 13 | rn << 5 | rt;
        return new Op(w, ldstName(size, opc) + " " + x(rt, size == 3 || opc == 2) + ", [" + xsp(rn, true) + ", " + x(rm, true) + "]");
    }

    private static String ldstName(int size, int opc) {
        String suffix = size == 0 ? "b" : size == 1 ? "h" : "";
        if (opc == 0) return "str" + suffix;
        if (opc == 1) return "ldr" + suffix;
        return "ldrs" + (size == 2 ? "w" : suffix);
    }

    /** STP pre-index (push) and LDP post-index (pop) of two 64-bit registers, 16 bytes. */
    static Op push(int r1, int r2) {
        int w = 0xa9800000 | (-2 & 0x7f) << 15 | r2 << 10 | SP << 5 | r1;
        return new Op(w, "stp " + x(r1, true) + ", " + x(r2, true) + ", [sp, #-16]!");
    }

    static Op pop(int r1, int r2) {
        int w = 0xa8c00000 | 2 << 15 | r2 << 10 | SP << 5 | r1;
        return new Op(w, "ldp " + x(r1, true) + ", " + x(r2, true) + ", [sp], #16");
    }

    /** LSE atomics: ld{add,clr,eor,set}[al], st*, swpal, casal. */
    static Op ldOp(boolean dw, int opc, boolean acqRel, int rs, int rt, int rn) {
        int w = (dw ? 3 : 2) << 30 | 0x38200000 | (acqRel ? 3 << 22 : 0) | rs << 16 | opc << 12 | rn << 5 | rt;
        String op = opc == 0 ? "add" : opc == 1 ? "clr" : opc == 2 ? "eor" : "set";
        if (!acqRel && rt == ZR) return new Op(w, "st" + op + " " + x(rs, dw) + ", [" + xsp(rn, true) + "]");
        return new Op(w, "ld" + op + (acqRel ? "al " : " ") + x(rs, dw) + ", " + x(rt, dw) + ", [" + xsp(rn, true) + "]");
    }

    static Op swpal(boolean dw, int rs, int rt, int rn) {
        int w = (dw ? 3 : 2) << 30 | 0x38e08000 | rs << 16 | rn << 5 | rt;
        return new Op(w, "swpal " + x(rs, dw) + ", " + x(rt, dw) + ", [" + xsp(rn, true) + "]");
    }

    static Op casal(boolean dw, int rs, int rt, int rn) {
        int w = (dw ? 3 : 2) << 30 | 0x08e0fc00 | rs << 16 | rn << 5 | rt;
        return new Op(w, "casal " + x(rs, dw) + ", " + x(rt, dw) + ", [" + xsp(rn, true) + "]");
    }

    static Op ldar(int size, boolean load, int rt, int rn) {
        int w = size << 30 | (load ? 0x08dffc00 : 0x089ffc00) | rn << 5 | rt;
        String suffix = size == 0 ? "b" : size == 1 ? "h" : "";
        return new Op(w, (load ? "ldar" : "stlr") + suffix + " " + x(rt, size == 3) + ", [" + xsp(rn, true) + "]");
    }

    // ------------------------------------------------------------------ branches and system
    static Op b(int off) {
        return new Op(0x14000000 | (off & 0x3ffffff), "b");
    }

    static Op bl(int off) {
        return new Op(0x94000000 | (off & 0x3ffffff), "bl");
    }

    static final String[] COND = {"eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le"};

    static Op bcond(int cond, int off) {
        return new Op(0x54000000 | (off & 0x7ffff) << 5 | cond, "b." + COND[cond]);
    }

    static Op cbz(boolean nz, boolean sf, int rt, int off) {
        return new Op(sfBit(sf) | (nz ? 0x35000000 : 0x34000000) | (off & 0x7ffff) << 5 | rt, (nz ? "cbnz " : "cbz ") + x(rt, sf));
    }

    static Op ret() {
        return new Op(0xd65f03c0, "ret");
    }

    static Op nop() {
        return new Op(0xd503201f, "nop");
    }

    static Op hint(int word, String text) {
        return new Op(word, text);
    }
}
