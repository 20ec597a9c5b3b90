package kstep.bpf;

import java.util.List;

/** The control flow between a program's instructions, as the verifier's passes walk it. */
final class Cfg {
    private Cfg() { }

    /**
     * Where control may go after instruction {@code i}: the next instruction (two slots on for a 64-bit
     * load), jump targets, and with {@code intoCalls} the target of a bpf-to-bpf call or of a callback
     * (check_cfg() walks into them; the liveness pass treats a call as one instruction).
     */
    static int[] successors(List<Insn> in, int i, boolean intoCalls) {
        Insn x = in.get(i);
        if (x.isLdImm64()) return intoCalls && x.src() == Insn.PSEUDO_FUNC ? new int[] {i + 2, i + x.imm() + 1} : new int[] {i + 2};
        int cls = x.cls();
        if (cls != Insn.JMP && cls != Insn.JMP32) return new int[] {i + 1};
        return switch (x.op()) {
            case Insn.EXIT -> new int[0];
            case Insn.CALL -> intoCalls && x.src() == Insn.PSEUDO_CALL ? new int[] {i + 1, i + x.imm() + 1} : new int[] {i + 1};
            case Insn.JA -> new int[] {i + 1 + (cls == Insn.JMP32 ? x.imm() : x.off())};
            default -> new int[] {i + 1, i + 1 + x.off()};
        };
    }
}
