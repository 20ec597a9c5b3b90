package kstep.bpf;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * "Why does R3 hold this?" over the verifier's exploration: the instruction that last defined a register (or a
 * stack slot) on the path that leads to the selected step, then the definitions of what that instruction read,
 * and so on (the def-use chain bpfvv draws as arrows). A fill from the stack leads on to the spill that wrote
 * the slot. A branch's history continues into its parent path before the push.
 */
public final class RegisterWhy {
    /**
     * Step {@code step} simulated {@code insn}, which set register {@code reg} (or, with reg -1, stack slot
     * {@code slot}, "fp-8") of frame {@code frame} to {@code value}.
     */
    public record Def(int step, int insn, int frame, int reg, String slot, String value, List<Def> from) {
        /** R3, or fp-8. */
        public String name() {
            return reg >= 0 ? "R" + reg : slot;
        }
    }

    private static final int DEPTH = 6;

    private RegisterWhy() { }

    /** The registers {@code in} reads: its operands, R1-R5 for a call, R0 for exit, R6 (the skb) for LD_ABS/IND. */
    public static List<Integer> reads(Insn in) {
        List<Integer> r = new ArrayList<>();
        switch (in.cls()) {
            case Insn.ALU, Insn.ALU64 -> {
                if (in.op() != Insn.MOV) r.add(in.dst());
                if (in.srcX() && in.op() != Insn.NEG && in.op() != Insn.END) r.add(in.src());
            }
            case Insn.LDX -> r.add(in.src());
            case Insn.STX -> {
                r.add(in.dst());
                r.add(in.src());
            }
            case Insn.ST -> r.add(in.dst());
            case Insn.JMP, Insn.JMP32 -> {
                if (in.op() == Insn.CALL) for (int i = 1; i <= 5; i++) r.add(i);
                else if (in.op() == Insn.EXIT) r.add(0);
                else if (in.op() != Insn.JA) {
                    r.add(in.dst());
                    if (in.srcX()) r.add(in.src());
                }
            }
            default -> {
                if (in.mode() == Insn.ABS || in.mode() == Insn.IND) r.add(6);
            }
        }
        return r;
    }

    /** The definition of {@code reg} in the state after step {@code at}, and the chain behind it; null if none (an argument, R10). */
    public static Def of(List<VerifierStep> steps, List<Insn> insns, int at, int reg) {
        if (at < 0 || at >= steps.size()) return null;
        return find(steps, insns, at, reg, null, frameAfter(steps, at), DEPTH);
    }

    /** The definition of stack slot {@code slot} ("fp-8", as the states table names it) of the current frame after step {@code at}; null if none. */
    public static Def ofSlot(List<VerifierStep> steps, List<Insn> insns, int at, String slot) {
        if (at < 0 || at >= steps.size()) return null;
        return find(steps, insns, at, -1, slot, frameAfter(steps, at), DEPTH);
    }

    private static int frameAfter(List<VerifierStep> steps, int at) {
        for (int k = at; k >= 0; k--) if (steps.get(k) instanceof VerifierStep.Simulated s) return s.after().curframeNo();
        return 0;
    }

    private static Def find(List<VerifierStep> steps, List<Insn> insns, int at, int reg, String slot, int frame, int depth) {
        if (reg == 10 || depth == 0) return null;
        int path = pathOf(steps.get(at));
        for (int k = at; k >= 0; k--) {
            VerifierStep s = steps.get(k);
            // before a branch was taken up, its history is its parent's, up to the push
            if (s instanceof VerifierStep.Popped p && p.path() == path) {
                int push = pushOf(steps, k, path);
                if (push < 0) return null;
                path = pathOf(steps.get(push));
                k = push;
                continue;
            }
            if (!(s instanceof VerifierStep.Simulated x) || x.path() != path) continue;
            if (x.after().curframeNo() != frame || x.before().curframeNo() != frame) continue;
            Insn in = insns.get(x.insn());
            String was = slot == null ? x.before().register(frame, reg) : x.before().stack(frame).get(slot);
            String now = slot == null ? x.after().register(frame, reg) : x.after().stack(frame).get(slot);
            if (Objects.equals(was, now) && !(slot == null ? writes(in, reg) : slot.equals(storedSlot(in)))) continue;
            // a conditional jump that narrowed the register counts too: that is where its range came from
            List<Def> from = new ArrayList<>();
            for (int r : reads(in)) {
                Def d = k == 0 ? null : find(steps, insns, k - 1, r, null, frame, depth - 1);
                if (d != null) from.add(d);
            }
            // a fill: the value came from the slot, so the chain goes on to the spill
            if (slot == null && in.cls() == Insn.LDX && in.src() == 10 && k > 0) {
                Def d = find(steps, insns, k - 1, -1, slotAt(in.off()), frame, depth - 1);
                if (d != null) from.add(d);
            }
            return new Def(k, x.insn(), frame, reg, slot, now, from);
        }
        return null;
    }

    /** The 8-byte slot a store through R10 writes ("fp-8"), or null. */
    private static String storedSlot(Insn in) {
        return (in.cls() == Insn.STX || in.cls() == Insn.ST) && in.dst() == 10 && in.off() < 0 ? slotAt(in.off()) : null;
    }

    private static String slotAt(int off) {
        return "fp" + (-((-off - 1) / 8 + 1) * 8);
    }

    private static boolean writes(Insn in, int reg) {
        return switch (in.cls()) {
            case Insn.ALU, Insn.ALU64, Insn.LDX -> in.dst() == reg;
            case Insn.LD -> in.dst() == reg || (reg == 0 && (in.mode() == Insn.ABS || in.mode() == Insn.IND));
            case Insn.JMP, Insn.JMP32 -> in.op() == Insn.CALL && reg <= 5;
            default -> false;
        };
    }

    private static int pathOf(VerifierStep s) {
        if (s instanceof VerifierStep.Simulated x) return x.path();
        if (s instanceof VerifierStep.Pushed x) return x.path();
        if (s instanceof VerifierStep.Popped x) return x.path();
        if (s instanceof VerifierStep.Pruned x) return x.path();
        if (s instanceof VerifierStep.Exited x) return x.path();
        if (s instanceof VerifierStep.Failed x) return x.path();
        return -1;
    }

    private static int pushOf(List<VerifierStep> steps, int before, int child) {
        for (int k = before - 1; k >= 0; k--) if (steps.get(k) instanceof VerifierStep.Pushed p && p.child() == child) return k;
        return -1;
    }
}
