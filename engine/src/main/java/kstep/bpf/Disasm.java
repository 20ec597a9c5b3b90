package kstep.bpf;

import java.util.ArrayList;
import java.util.List;

/**
 * Instruction text exactly as the kernel's verifier log prints it (kernel/bpf/disasm.c print_bpf_insn()):
 * {@code (bf) r6 = r1}, {@code (79) r1 = *(u64 *)(r10 -8)}, {@code (15) if r0 == 0x0 goto pc+1},
 * {@code (85) call bpf_map_lookup_elem#1}. 32-bit ALU and JMP32 name registers {@code w}; an immediate is
 * decimal in ALU and stores, hex in conditional jumps.
 */
public final class Disasm {
    private Disasm() { }

    static final String[] ALU_OPS = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian"};
    static final String[] JMP_OPS = {"jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<="};

    static String sizeName(int size) {
        return switch (size) {
            case Insn.W -> "u32";
            case Insn.H -> "u16";
            case Insn.B -> "u8";
            default -> "u64";
        };
    }

    static String sizeNameSx(int size) {
        return switch (size) {
            case Insn.W -> "s32";
            case Insn.H -> "s16";
            case Insn.B -> "s8";
            default -> "s64";
        };
    }

    private static String off(int off) {
        return off >= 0 ? "+" + off : Integer.toString(off);
    }

    /** The text of every instruction of {@code p}, one per slot but the second slot of LD_IMM64 (null there). */
    public static List<String> program(List<Insn> p) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < p.size(); i++) {
            Insn in = p.get(i);
            Insn next = in.isLdImm64() && i + 1 < p.size() ? p.get(i + 1) : null;
            out.add(text(in, next));
            if (next != null) {
                out.add(null);
                i++;
            }
        }
        return out;
    }

    /** One instruction's text; {@code next} is the second slot of an LD_IMM64 (null otherwise). */
    public static String text(Insn in, Insn next) {
        String body = body(in, next);
        // the kernel prints an instruction it cannot name as "BUG_xx" alone, without the opcode in front
        if (body.startsWith("BUG_")) return body;
        return String.format("(%02x) ", in.code()) + body;
    }

    private static String body(Insn in, Insn next) {
        int cls = in.cls();
        return switch (cls) {
            case Insn.ALU, Insn.ALU64 -> alu(in);
            case Insn.STX -> stx(in);
            case Insn.ST -> st(in);
            case Insn.LDX -> ldx(in);
            case Insn.LD -> ld(in, next);
            default -> jmp(in);
        };
    }

    private static String alu(Insn in) {
        boolean is64 = in.cls() == Insn.ALU64;
        char r = is64 ? 'r' : 'w';
        int op = in.op();
        if (op == Insn.END) {
            if (is64) return "r" + in.dst() + " = bswap" + in.imm() + " r" + in.dst();
            return "r" + in.dst() + " = " + (in.srcX() ? "be" : "le") + in.imm() + " r" + in.dst();
        }
        if (op == Insn.NEG) return r + "" + in.dst() + " = -" + r + in.dst();
        if (op == Insn.MOV && in.srcX() && (in.off() == 8 || in.off() == 16 || in.off() == 32)) return r + "" + in.dst() + " = (s" + in.off() + ")" + r + in.src();
        if (op == Insn.MOV && in.srcX() && is64 && in.off() == 1)
            return "r" + in.dst() + " = addr_space_cast(r" + in.src() + ", " + ((in.imm() >>> 16) & 0xffff) + ", " + (in.imm() & 0xffff) + ")";
        String name = (op >> 4) < ALU_OPS.length ? ALU_OPS[op >> 4] : "?";
        if ((op == Insn.DIV || op == Insn.MOD) && in.off() == 1) name = "s" + name;
        if (in.srcX()) return r + "" + in.dst() + " " + name + " " + r + in.src();
        return r + "" + in.dst() + " " + name + " " + in.imm();
    }

    private static String stx(Insn in) {
        String sz = sizeName(in.size());
        String at = "(r" + in.dst() + " " + off(in.off()) + ")";
        if (in.mode() == Insn.MEM) return "*(" + sz + " *)" + at + " = r" + in.src();
        if (in.mode() != Insn.ATOMIC) return "BUG_stx_" + String.format("%02x", in.code());
        String a = in.size() == Insn.DW ? "64" : "";
        int imm = in.imm();
        String opName = switch (imm & ~Insn.FETCH) {
            case Insn.ADD -> "add";
            case Insn.AND -> "and";
            case Insn.OR -> "or";
            case Insn.XOR -> "xor";
            default -> null;
        };
        if (opName != null && (imm & Insn.FETCH) == 0 && imm < 0x100)
            return "lock *(" + sz + " *)" + at + " " + symbol(imm) + " r" + in.src();
        if (opName != null && imm < 0x100)
            return "r" + in.src() + " = atomic" + a + "_fetch_" + opName + "((" + sz + " *)" + at + ", r" + in.src() + ")";
        if (imm == Insn.XCHG) return "r" + in.src() + " = atomic" + a + "_xchg((" + sz + " *)" + at + ", r" + in.src() + ")";
        if (imm == Insn.CMPXCHG) return "r0 = atomic" + a + "_cmpxchg((" + sz + " *)" + at + ", r0, r" + in.src() + ")";
        if (imm == Insn.LOAD_ACQ) return "r" + in.dst() + " = load_acquire((" + sz + " *)(r" + in.src() + " " + off(in.off()) + "))";
        if (imm == Insn.STORE_REL) return "store_release((" + sz + " *)" + at + ", r" + in.src() + ")";
        return "BUG_" + String.format("%02x", in.code());
    }

    private static String symbol(int imm) {
        return switch (imm) {
            case Insn.ADD -> "+=";
            case Insn.AND -> "&=";
            case Insn.OR -> "|=";
            default -> "^=";
        };
    }

    private static String st(Insn in) {
        if (in.mode() == Insn.MEM) return "*(" + sizeName(in.size()) + " *)(r" + in.dst() + " " + off(in.off()) + ") = " + in.imm();
        return "BUG_st_" + String.format("%02x", in.code());
    }

    private static String ldx(Insn in) {
        if (in.mode() == Insn.MEM) return "r" + in.dst() + " = *(" + sizeName(in.size()) + " *)(r" + in.src() + " " + off(in.off()) + ")";
        if (in.mode() == Insn.MEMSX) return "r" + in.dst() + " = *(" + sizeNameSx(in.size()) + " *)(r" + in.src() + " " + off(in.off()) + ")";
        return "BUG_ldx_" + String.format("%02x", in.code());
    }

    private static String ld(Insn in, Insn next) {
        if (in.mode() == Insn.ABS) return "r0 = *(" + sizeName(in.size()) + " *)skb[" + in.imm() + "]";
        if (in.mode() == Insn.IND) return "r0 = *(" + sizeName(in.size()) + " *)skb[r" + in.src() + " + " + in.imm() + "]";
        if (in.isLdImm64()) {
            long v = (in.imm() & 0xffffffffL) | (next == null ? 0 : (long) next.imm() << 32);
            return switch (in.src()) {
                case Insn.PSEUDO_MAP_FD -> "r" + in.dst() + " = map[id:" + in.imm() + "]";
                case Insn.PSEUDO_MAP_VALUE -> "r" + in.dst() + " = map[id:" + in.imm() + "][0]+" + (next == null ? 0 : next.imm());
                case Insn.PSEUDO_FUNC -> "r" + in.dst() + " = " + String.format("0x%x", v);
                default -> "r" + in.dst() + " = " + String.format("0x%x", v);
            };
        }
        return "BUG_ld_" + String.format("%02x", in.code());
    }

    private static String jmp(Insn in) {
        int op = in.op();
        boolean is32 = in.cls() == Insn.JMP32;
        char r = is32 ? 'w' : 'r';
        if (op == Insn.EXIT) return "exit";
        if (op == Insn.CALL) {
            if (in.src() == Insn.PSEUDO_CALL) return "call pc" + off(in.imm());
            if (in.src() == Insn.PSEUDO_KFUNC_CALL) return "call kernel-function";
            return "call " + Helpers.name(in.imm()) + "#" + in.imm();
        }
        if (op == Insn.JA) return is32 ? "gotol pc" + off(in.imm()) : "goto pc" + off(in.off());
        if (op == Insn.JCOND) return "may_goto pc" + off(in.off());
        String name = (op >> 4) < JMP_OPS.length ? JMP_OPS[op >> 4] : "?";
        if (in.srcX()) return "if " + r + in.dst() + " " + name + " " + r + in.src() + " goto pc" + off(in.off());
        return "if " + r + in.dst() + " " + name + " " + String.format("0x%x", in.imm()) + " goto pc" + off(in.off());
    }
}
