package kstep.bpf.jit;

import java.util.ArrayList;
import java.util.List;

/**
 * The x86-64 encodings the kernel's BPF JIT emits (arch/x86/net/bpf_jit_comp.c: EMIT*, add_1mod/add_2mod,
 * add_1reg/add_2reg, emit_insn_suffix, maybe_emit_mod), each machine instruction with its text in Intel
 * and AT&T syntax as objdump prints it, so a listing needs no disassembler. Registers are the JIT's: BPF
 * R0-R10, then {@link #AX} (r10), {@link #AUX} (r11), {@link #R9} and {@link #R12}.
 */
final class X86Asm {
    static final int AX = 11, AUX = 12, R9 = 13, R12 = 14;
    /** reg2hex[] with the extended bit: the x86 register number of each JIT register. */
    private static final int[] X86 = {0, 7, 6, 2, 1, 8, 3, 13, 14, 15, 5, 10, 11, 9, 12};
    private static final String[] N64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    private static final String[] N32 = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
    private static final String[] N16 = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
    private static final String[] N8 = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};

    /** One machine instruction: its bytes and its text; {@code external} when its rel32 leaves the image. */
    record MInsn(byte[] bytes, String intel, String att, boolean external) { }

    final List<MInsn> out = new ArrayList<>();
    private int size;

    int size() {
        return size;
    }

    void reset() {
        out.clear();
        size = 0;
    }

    static int x86(int reg) {
        return X86[reg];
    }

    static boolean ereg(int reg) {
        return X86[reg] >= 8;
    }

    /** is_ereg_8l(): the low byte needs a REX prefix (dil, sil, bpl, r8b-r15b). */
    static boolean ereg8l(int reg) {
        return ereg(reg) || reg == 1 || reg == 2 || reg == 10;
    }

    static int hex(int reg) {
        return X86[reg] & 7;
    }

    static int add1mod(int b, int reg) {
        return ereg(reg) ? b | 1 : b;
    }

    static int add2mod(int b, int r1, int r2) {
        if (ereg(r1)) b |= 1;
        if (ereg(r2)) b |= 4;
        return b;
    }

    static int add1reg(int b, int reg) {
        return b + hex(reg);
    }

    static int add2reg(int b, int dst, int src) {
        return b + hex(dst) + (hex(src) << 3);
    }

    static boolean imm8(long v) {
        return v <= 127 && v >= -128;
    }

    static String name(int reg, int bits) {
        int r = X86[reg];
        return switch (bits) {
            case 64 -> N64[r];
            case 32 -> N32[r];
            case 16 -> N16[r];
            default -> N8[r];
        };
    }

    /** An immediate as objdump prints it for an operation of {@code bits}: sign-extended, then unsigned hex. */
    static String imm(long v, int bits) {
        long m = bits == 64 ? v : v & ((1L << bits) - 1);
        return "0x" + Long.toHexString(m);
    }

    static String ptr(int bytes) {
        return switch (bytes) {
            case 1 -> "BYTE PTR ";
            case 2 -> "WORD PTR ";
            case 4 -> "DWORD PTR ";
            default -> "QWORD PTR ";
        };
    }

    static String disp(int off) {
        return off < 0 ? "-0x" + Integer.toHexString(-off) : "0x" + Integer.toHexString(off);
    }

    /** "[rdi+0x8]" and "0x8(%rdi)". */
    static String intelMem(int base, int off) {
        return "[" + name(base, 64) + (off < 0 ? "" : "+") + disp(off) + "]";
    }

    static String attMem(int base, int off) {
        return disp(off) + "(%" + name(base, 64) + ")";
    }

    /** Emits one machine instruction. */
    void emit(String intel, String att, int... bytes) {
        emit(false, intel, att, bytes);
    }

    void emit(boolean external, String intel, String att, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) b[i] = (byte) bytes[i];
        out.add(new MInsn(b, intel, att, external));
        size += b.length;
    }

    static int[] cat(int[] a, int... b) {
        int[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static int[] le32(int v) {
        return new int[] {v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff};
    }

    static int[] le(long v, int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = (int) ((v >>> (8 * i)) & 0xff);
        return r;
    }

    /** emit_insn_suffix(): ModRM with disp8 or disp32 for *(ptr + off) and val. */
    static int[] suffix(int ptr, int val, int off) {
        if (imm8(off)) return new int[] {add2reg(0x40, ptr, val), off & 0xff};
        return cat(new int[] {add2reg(0x80, ptr, val)}, le32(off));
    }

    /** x86_nops[len] (len 1 to 8), as objdump names them. */
    void nops(int len) {
        while (len > 0) {
            int n = Math.min(len, 8);
            switch (n) {
                case 1 -> emit("nop", "nop", 0x90);
                case 2 -> emit("xchg ax,ax", "xchg %ax,%ax", 0x66, 0x90);
                case 3 -> emit("nop DWORD PTR [rax]", "nopl (%rax)", 0x0f, 0x1f, 0x00);
                case 4 -> emit("nop DWORD PTR [rax+0x0]", "nopl 0x0(%rax)", 0x0f, 0x1f, 0x40, 0x00);
                case 5 -> emit("nop DWORD PTR [rax+rax*1+0x0]", "nopl 0x0(%rax,%rax,1)", 0x0f, 0x1f, 0x44, 0x00, 0x00);
                case 6 -> emit("nop WORD PTR [rax+rax*1+0x0]", "nopw 0x0(%rax,%rax,1)", 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00);
                case 7 -> emit("nop DWORD PTR [rax+0x0]", "nopl 0x0(%rax)", 0x0f, 0x1f, 0x80, 0, 0, 0, 0);
                default -> emit("nop DWORD PTR [rax+rax*1+0x0]", "nopl 0x0(%rax,%rax,1)", 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0);
            }
            len -= n;
        }
    }

    /** EMIT_mov(): mov dst, src (64-bit), nothing when they are the same register. */
    void mov64(int dst, int src) {
        if (dst == src) return;
        emit("mov " + name(dst, 64) + "," + name(src, 64), "mov %" + name(src, 64) + ",%" + name(dst, 64),
            add2mod(0x48, dst, src), 0x89, add2reg(0xC0, dst, src));
    }

    /** emit_mov_reg(). */
    void movReg(boolean is64, int dst, int src) {
        if (is64) {
            mov64(dst, src);
            return;
        }
        int[] b = ereg(dst) || ereg(src) ? new int[] {add2mod(0x40, dst, src)} : new int[0];
        emit("mov " + name(dst, 32) + "," + name(src, 32), "mov %" + name(src, 32) + ",%" + name(dst, 32), cat(b, 0x89, add2reg(0xC0, dst, src)));
    }

    /** REX byte for an operation on one register, if needed (maybe_emit_1mod()). */
    static int[] rex1(int reg, boolean is64) {
        if (is64) return new int[] {add1mod(0x48, reg)};
        if (ereg(reg)) return new int[] {add1mod(0x40, reg)};
        return new int[0];
    }

    /** maybe_emit_mod(). */
    static int[] rex2(int dst, int src, boolean is64) {
        if (is64) return new int[] {add2mod(0x48, dst, src)};
        if (ereg(dst) || ereg(src)) return new int[] {add2mod(0x40, dst, src)};
        return new int[0];
    }

    /** emit_mov_imm32(). */
    void movImm32(boolean signPropagate, int dst, int imm) {
        if (signPropagate && imm < 0) {
            emit("mov " + name(dst, 64) + "," + imm(imm, 64), "mov $" + imm(imm, 64) + ",%" + name(dst, 64),
                cat(new int[] {add1mod(0x48, dst), 0xC7, add1reg(0xC0, dst)}, le32(imm)));
            return;
        }
        if (imm == 0) {
            int[] b = ereg(dst) ? new int[] {add2mod(0x40, dst, dst)} : new int[0];
            emit("xor " + name(dst, 32) + "," + name(dst, 32), "xor %" + name(dst, 32) + ",%" + name(dst, 32), cat(b, 0x31, add2reg(0xC0, dst, dst)));
            return;
        }
        int[] b = ereg(dst) ? new int[] {add1mod(0x40, dst)} : new int[0];
        emit("mov " + name(dst, 32) + "," + imm(imm, 32), "mov $" + imm(imm, 32) + ",%" + name(dst, 32), cat(cat(b, add1reg(0xB8, dst)), le32(imm)));
    }

    /** emit_mov_imm64(). */
    void movImm64(int dst, int hi, int lo) {
        long v = ((long) hi << 32) | (lo & 0xffffffffL);
        if (v == (v & 0xffffffffL)) {
            movImm32(false, dst, lo);
        } else if (v == (long) (int) v) {
            movImm32(true, dst, lo);
        } else {
            emit("movabs " + name(dst, 64) + "," + imm(v, 64), "movabs $" + imm(v, 64) + ",%" + name(dst, 64),
                cat(new int[] {add1mod(0x48, dst), add1reg(0xB8, dst)}, le(v, 8)));
        }
    }

    /** emit_ldx() and emit_ldsx(): a load of {@code bytes} into dst, zero- or sign-extended. */
    void ldx(int bytes, boolean signed, int dst, int src, int off) {
        int[] op;
        String mn;
        int dbits = 64;
        if (signed) {
            op = switch (bytes) {
                case 1 -> new int[] {add2mod(0x48, src, dst), 0x0F, 0xBE};
                case 2 -> new int[] {add2mod(0x48, src, dst), 0x0F, 0xBF};
                default -> new int[] {add2mod(0x48, src, dst), 0x63};
            };
            mn = bytes == 4 ? "movsxd" : "movsx";
        } else {
            switch (bytes) {
                case 1 -> op = new int[] {add2mod(0x48, src, dst), 0x0F, 0xB6};
                case 2 -> op = new int[] {add2mod(0x48, src, dst), 0x0F, 0xB7};
                case 4 -> {
                    op = ereg(dst) || ereg(src) ? new int[] {add2mod(0x40, src, dst), 0x8B} : new int[] {0x8B};
                    dbits = 32;
                }
                default -> op = new int[] {add2mod(0x48, src, dst), 0x8B};
            }
            mn = bytes <= 2 ? "movzx" : "mov";
        }
        String att = signed ? (bytes == 1 ? "movsbq" : bytes == 2 ? "movswq" : "movslq") : bytes == 1 ? "movzbq" : bytes == 2 ? "movzwq" : "mov";
        emit(mn + " " + name(dst, dbits) + "," + ptr(bytes) + intelMem(src, off), att + " " + attMem(src, off) + ",%" + name(dst, dbits),
            cat(op, suffix(src, dst, off)));
    }

    /** emit_stx(). */
    void stx(int bytes, int dst, int src, int off) {
        int[] op = switch (bytes) {
            case 1 -> ereg(dst) || ereg8l(src) ? new int[] {add2mod(0x40, dst, src), 0x88} : new int[] {0x88};
            case 2 -> ereg(dst) || ereg(src) ? new int[] {0x66, add2mod(0x40, dst, src), 0x89} : new int[] {0x66, 0x89};
            case 4 -> ereg(dst) || ereg(src) ? new int[] {add2mod(0x40, dst, src), 0x89} : new int[] {0x89};
            default -> new int[] {add2mod(0x48, dst, src), 0x89};
        };
        int bits = bytes * 8;
        emit("mov " + ptr(bytes) + intelMem(dst, off) + "," + name(src, bits), "mov %" + name(src, bits) + "," + attMem(dst, off),
            cat(op, suffix(dst, src, off)));
    }
}
