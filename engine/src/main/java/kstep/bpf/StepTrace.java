package kstep.bpf;

import java.util.ArrayList;
import java.util.List;

/**
 * A run one instruction at a time: after each step the registers, the current frame's stack and the
 * call depth, so a user (or a view) can go forwards and backwards through the program's execution.
 */
public final class StepTrace {
    /** The state after one instruction: which instruction ran, its text, the registers, the stack. */
    public record Step(int pc, int depth, String text, long[] regs, byte[] stack) {
        /** The registers this step changed, as "r0=0x2 r3=0xffff...". */
        public String changes(Step before) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < regs.length; i++) {
                long old = before == null ? 0 : before.regs[i];
                if (before == null || regs[i] != old) b.append(b.length() == 0 ? "" : " ").append('r').append(i).append("=0x").append(Long.toHexString(regs[i]));
            }
            return b.toString();
        }
    }

    private final List<Step> steps = new ArrayList<>();
    private final Vm.Result result;

    private StepTrace(List<Step> steps, Vm.Result result) {
        this.steps.addAll(steps);
        this.result = result;
    }

    /** Runs {@code vm} to the end (at most {@code limit} steps), recording each one; step 0 is the state before the first. */
    public static StepTrace record(Vm vm, int limit) {
        List<Step> out = new ArrayList<>();
        out.add(new Step(-1, 0, "", vm.registers(), vm.stackBytes()));
        Vm.Result r = null;
        try {
            while (!vm.exited()) {
                if (out.size() > limit) {
                    r = new Vm.Result(vm.reg(0), "the trace stops after " + limit + " steps", vm.pc(), vm.steps(), "");
                    break;
                }
                int pc = vm.pc();
                List<Insn> code = vm.program().insns();
                String text = pc >= 0 && pc < code.size() ? Disasm.text(code.get(pc), pc + 1 < code.size() ? code.get(pc + 1) : null) : "?";
                int depth = vm.depth();
                vm.step();
                out.add(new Step(pc, depth, text, vm.registers(), vm.stackBytes()));
            }
        } catch (Vm.Fault f) {
            r = new Vm.Result(vm.reg(0), f.getMessage(), vm.pc(), vm.steps(), "");
        }
        if (r == null) r = new Vm.Result(vm.reg(0), null, -1, vm.steps(), "");
        return new StepTrace(out, r);
    }

    public List<Step> steps() {
        return List.copyOf(steps);
    }

    /** Whether {@code what} names something a run's watch can follow: r0-r10, or an 8-byte slot fp-8, fp-16, ... */
    public static boolean watchable(String what) {
        return what.matches("r([0-9]|10)|fp-[1-9][0-9]{0,2}") && (!what.startsWith("fp-") || Integer.parseInt(what.substring(3)) % 8 == 0);
    }

    /** Register {@code r3} or slot {@code fp-8} after step {@code s}, or null for a slot beyond its frame's stack. */
    public static Long value(Step s, String what) {
        if (what.startsWith("r")) return s.regs()[Integer.parseInt(what.substring(1))];
        int off = Integer.parseInt(what.substring(3));
        byte[] b = s.stack();
        if (off > b.length) return null;
        long v = 0;
        for (int k = 7; k >= 0; k--) v = (v << 8) | (b[b.length - off + k] & 0xffL);
        return v;
    }

    /**
     * Whether step {@code k} changed {@code what} (a register, or a slot of the same frame: a call or return
     * switches stacks, which is no write).
     */
    public boolean changed(int k, String what) {
        if (k < 1 || k >= steps.size()) return false;
        Step a = steps.get(k - 1);
        Step b = steps.get(k);
        if (what.startsWith("fp-") && frameAfter(k - 1) != frameAfter(k)) return false;
        return !java.util.Objects.equals(value(a, what), value(b, what));
    }

    // the frame a step leaves running: the one the next instruction runs in (a step's depth is from before it)
    private int frameAfter(int k) {
        return k + 1 < steps.size() ? steps.get(k + 1).depth() : steps.get(k).depth();
    }

    /** The first step after {@code from} (or, {@code back}, the last before it) that changed {@code what}; -1 if none. */
    public int nextChange(int from, boolean back, String what) {
        if (back) {
            for (int k = Math.min(from, steps.size()) - 1; k >= 1; k--) if (changed(k, what)) return k;
        } else {
            for (int k = Math.max(from, 0) + 1; k < steps.size(); k++) if (changed(k, what)) return k;
        }
        return -1;
    }

    public Vm.Result result() {
        return result;
    }

    /** One line a step: "pc: (xx) text    ; r0=0x2". */
    public String text() {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < steps.size(); i++) {
            Step s = steps.get(i);
            String head = "  ".repeat(s.depth()) + s.pc() + ": " + s.text();
            String ch = s.changes(steps.get(i - 1));
            b.append(head);
            if (!ch.isEmpty()) b.append(" ".repeat(Math.max(1, 44 - head.length()))).append("; ").append(ch);
            b.append('\n');
        }
        return b.toString();
    }
}
