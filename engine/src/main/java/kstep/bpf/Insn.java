package kstep.bpf;

import java.util.Locale;

/**
 * One slot of a BPF program: struct bpf_insn (include/uapi/linux/bpf.h), eight bytes in memory order: the
 * opcode, dst_reg in the low nibble and src_reg in the high nibble of the second byte, a signed 16-bit
 * offset and a signed 32-bit immediate, little-endian. A 64-bit load (LD_IMM64) takes two slots; the
 * second has opcode 0 and holds the upper half of the immediate.
 */
public record Insn(int code, int dst, int src, int off, int imm) {
    // instruction classes (the low three bits)
    public static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, JMP32 = 0x06, ALU64 = 0x07;
    // ALU and JMP: the source bit and the operation
    public static final int K = 0x00, X = 0x08;
    public static final int ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70, NEG = 0x80,
        MOD = 0x90, XOR = 0xa0, MOV = 0xb0, ARSH = 0xc0, END = 0xd0;
    public static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50, JSGT = 0x60, JSGE = 0x70, CALL = 0x80,
        EXIT = 0x90, JLT = 0xa0, JLE = 0xb0, JSLT = 0xc0, JSLE = 0xd0, JCOND = 0xe0;
    // BPF_END's source bit: to little or big endian
    public static final int TO_LE = 0x00, TO_BE = 0x08;
    // loads and stores: the size and the mode
    public static final int W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
    public static final int IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, MEMSX = 0x80, ATOMIC = 0xc0;
    // atomic operations (in imm)
    public static final int FETCH = 0x01, XCHG = 0xe0 | FETCH, CMPXCHG = 0xf0 | FETCH, LOAD_ACQ = 0x100, STORE_REL = 0x110;
    // LD_IMM64's src_reg: what the 64-bit immediate stands for
    public static final int PSEUDO_MAP_FD = 1, PSEUDO_MAP_VALUE = 2, PSEUDO_BTF_ID = 3, PSEUDO_FUNC = 4, PSEUDO_MAP_IDX = 5, PSEUDO_MAP_IDX_VALUE = 6;
    // CALL's src_reg
    public static final int CALL_HELPER = 0, PSEUDO_CALL = 1, PSEUDO_KFUNC_CALL = 2;
    /** The opcode of LD_IMM64: BPF_LD | BPF_IMM | BPF_DW. */
    public static final int LD_IMM64 = LD | IMM | DW;

    public Insn {
        if (code < 0 || code > 0xff || dst < 0 || dst > 15 || src < 0 || src > 15 || off < Short.MIN_VALUE || off > Short.MAX_VALUE)
            throw new IllegalArgumentException("not a bpf_insn: code " + code + " dst " + dst + " src " + src + " off " + off);
    }

    public int cls() {
        return code & 0x07;
    }

    public int op() {
        return code & 0xf0;
    }

    public boolean srcX() {
        return (code & X) != 0;
    }

    public int size() {
        return code & 0x18;
    }

    public int mode() {
        return code & 0xe0;
    }

    /** The bytes of a load or store of this size. */
    public static int bytes(int size) {
        return switch (size) {
            case W -> 4;
            case H -> 2;
            case B -> 1;
            default -> 8;
        };
    }

    public boolean isLdImm64() {
        return code == LD_IMM64;
    }

    /** The eight bytes in memory order, as kbpf reads them: 16 hex digits. */
    public String hex() {
        StringBuilder b = new StringBuilder(16);
        b.append(String.format(Locale.ROOT, "%02x%02x", code, (src << 4) | dst));
        b.append(String.format(Locale.ROOT, "%02x%02x", off & 0xff, (off >> 8) & 0xff));
        for (int i = 0; i < 4; i++) b.append(String.format(Locale.ROOT, "%02x", (imm >>> (8 * i)) & 0xff));
        return b.toString();
    }

    /** The slot as the little-endian 64-bit word bpf_conformance's {@code -- raw} sections give. */
    public long word() {
        return (code & 0xffL) | ((long) ((src << 4) | dst) << 8) | ((off & 0xffffL) << 16) | ((imm & 0xffffffffL) << 32);
    }

    public static Insn ofWord(long w) {
        int regs = (int) (w >>> 8) & 0xff;
        return new Insn((int) w & 0xff, regs & 0x0f, regs >>> 4, (short) (w >>> 16), (int) (w >>> 32));
    }

    /** A slot from 16 hex digits in memory order; null if {@code s} is not that. */
    public static Insn ofHex(String s) {
        if (s.length() != 16) return null;
        long w = 0;
        for (int i = 0; i < 8; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16), lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) return null;
            w |= (long) ((hi << 4) | lo) << (8 * i);
        }
        return ofWord(w);
    }

    public static Insn alu64(int op, int dst, int srcOrK, boolean x, int off) {
        return x ? new Insn(ALU64 | op | X, dst, srcOrK, off, 0) : new Insn(ALU64 | op | K, dst, 0, off, srcOrK);
    }
}
