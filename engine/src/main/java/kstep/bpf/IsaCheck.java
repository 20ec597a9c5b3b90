package kstep.bpf;

import java.util.List;

/**
 * The instruction set's rule that fields an instruction does not use are zero (RFC 9669; the kernel's
 * verifier answers "BPF_MOV uses reserved fields" and the like): a conformant runtime refuses a program that
 * breaks it, so bpf_conformance's runs check it first. Registers above r10 are refused too.
 */
public final class IsaCheck {
    private IsaCheck() { }

    /** The first broken rule, "insn N: BPF_X uses reserved fields", or null. */
    public static String check(List<Insn> p) {
        for (int i = 0; i < p.size(); i++) {
            Insn in = p.get(i);
            String e = one(in, i + 1 < p.size() ? p.get(i + 1) : null);
            if (e != null) return "insn " + i + ": " + e;
            if (in.isLdImm64()) i++;
        }
        return null;
    }

    private static String one(Insn in, Insn next) {
        if (in.dst() > 10 || in.src() > 10) return "invalid register r" + Math.max(in.dst(), in.src());
        int op = in.op();
        switch (in.cls()) {
            case Insn.ALU, Insn.ALU64 -> {
                boolean is64 = in.cls() == Insn.ALU64;
                if (op == Insn.END) {
                    boolean ok = in.src() == 0 && in.off() == 0 && (in.imm() == 16 || in.imm() == 32 || in.imm() == 64) && !(is64 && in.srcX());
                    return ok ? null : "BPF_END uses reserved fields";
                }
                if (op == Insn.NEG) return in.srcX() || in.src() != 0 || in.imm() != 0 || in.off() != 0 ? "BPF_NEG uses reserved fields" : null;
                boolean signedOk = (op == Insn.DIV || op == Insn.MOD) && in.off() == 1;
                boolean movsxOk = op == Insn.MOV && in.srcX() && (in.off() == 8 || in.off() == 16 || (is64 && in.off() == 32));
                boolean offOk = in.off() == 0 || signedOk || movsxOk;
                boolean ok = in.srcX() ? in.imm() == 0 && offOk : in.src() == 0 && (in.off() == 0 || signedOk);
                return ok ? null : op == Insn.MOV ? "BPF_MOV uses reserved fields" : "BPF_ALU uses reserved fields";
            }
            case Insn.JMP, Insn.JMP32 -> {
                boolean is32 = in.cls() == Insn.JMP32;
                if (op == Insn.JA) {
                    boolean ok = !in.srcX() && in.dst() == 0 && in.src() == 0 && (is32 ? in.off() == 0 : in.imm() == 0);
                    return ok ? null : "BPF_JA uses reserved fields";
                }
                if (op == Insn.CALL) {
                    boolean ok = !is32 && in.off() == 0 && (in.srcX() ? in.src() == 0 && in.imm() == 0 : in.dst() == 0 && in.src() <= Insn.PSEUDO_KFUNC_CALL);
                    return ok ? null : "BPF_CALL uses reserved fields";
                }
                if (op == Insn.EXIT) {
                    boolean ok = !is32 && !in.srcX() && in.dst() == 0 && in.src() == 0 && in.off() == 0 && in.imm() == 0;
                    return ok ? null : "BPF_EXIT uses reserved fields";
                }
                if (op == Insn.JCOND) return null;
                boolean ok = in.srcX() ? in.imm() == 0 : in.src() == 0;
                return ok ? null : "BPF_JMP/JMP32 uses reserved fields";
            }
            case Insn.LDX -> {
                return in.imm() == 0 ? null : "BPF_LDX uses reserved fields";
            }
            case Insn.ST -> {
                return in.src() == 0 ? null : "BPF_ST uses reserved fields";
            }
            case Insn.STX -> {
                return in.mode() == Insn.ATOMIC || in.imm() == 0 ? null : "BPF_STX uses reserved fields";
            }
            default -> {
                if (!in.isLdImm64()) return null;
                boolean ok = in.off() == 0 && in.src() <= Insn.PSEUDO_MAP_IDX_VALUE && next != null && next.code() == 0 && next.dst() == 0
                    && next.src() == 0 && next.off() == 0;
                return ok ? null : "invalid bpf_ld_imm64 insn";
            }
        }
    }
}
