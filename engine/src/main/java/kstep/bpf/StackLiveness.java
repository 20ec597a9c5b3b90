package kstep.bpf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Linux 6.18's live stack slot analysis (kernel/bpf/liveness.c), which tells state pruning which stack
 * slots may still be read. For every (call chain, instruction) it gathers the slots the instruction may read
 * (a union over the visits) and must write (an intersection), then solves live_before = (union of the
 * successors' live_before minus must_write) plus may_read backwards over the subprogram's postorder, and
 * must_write_acc the same way with intersections; at log level 2 every change is a line
 * "(0) frame 0 insn 3 +written -8" and each solve ends "(0) live stack update done in N iterations".
 */
public final class StackLiveness {
    /** per_frame_masks. */
    static final class Masks {
        long mayRead, mustWrite, mustWriteAcc, liveBefore;
    }

    /** func_instance: one subprogram reached through one chain of calls. */
    static final class Instance {
        final int[] callsites;
        /** callchain.sp_starts: the start of each frame's subprogram. */
        final int[] spStarts;
        final int start;
        final int end;
        final Masks[][] frames;
        final boolean[] mustWriteSet;
        boolean updated, mustWriteDropped;

        Instance(int[] callsites, int[] spStarts, int start, int end) {
            this.callsites = callsites;
            this.spStarts = spStarts;
            this.start = start;
            this.end = end;
            frames = new Masks[callsites.length][];
            mustWriteSet = new boolean[end - start];
        }

        int curframe() {
            return callsites.length - 1;
        }

        Masks get(int frame, int insn) {
            Masks[] f = frames[frame];
            return f == null ? null : f[insn - start];
        }

        Masks alloc(int frame, int insn) {
            if (frames[frame] == null) {
                frames[frame] = new Masks[end - start];
                for (int i = 0; i < frames[frame].length; i++) frames[frame][i] = new Masks();
            }
            return frames[frame][insn - start];
        }

        String chain() {
            StringBuilder b = new StringBuilder("(");
            for (int i = 0; i < callsites.length; i++) b.append(i == 0 ? "" : ",").append(callsites[i]);
            return b.append(')').toString();
        }
    }

    private final List<Insn> insns;
    private final List<Integer> subprogStarts;
    private final java.util.BitSet prunePoints;
    private final VerifierLog log;
    private final Map<String, Instance> instances = new HashMap<>();
    private final int[] postorder;
    private final int[] postorderStart;
    private Instance cur;
    /** Every "+live/+written" line, at any log level: what `kstep bpf verify --json` calls stack_live. */
    final List<String> lines = new ArrayList<>();
    private final long[] writeAcc = new long[8];
    private int writeInsn;

    StackLiveness(List<Insn> insns, List<Integer> subprogStarts, java.util.BitSet prunePoints, VerifierLog log) {
        this.insns = insns;
        this.subprogStarts = subprogStarts;
        this.prunePoints = prunePoints;
        this.log = log;
        postorderStart = new int[subprogStarts.size() + 1];
        postorder = computePostorder();
    }

    /** compute_postorder(): per subprogram, a depth-first walk that pushes every unvisited successor at once. */
    private int[] computePostorder() {
        int n = insns.size();
        int[] out = new int[n];
        int[] state = new int[n];
        int[] stack = new int[n + 1];
        int cnt = 0;
        for (int sp = 0; sp < subprogStarts.size(); sp++) {
            postorderStart[sp] = cnt;
            int sz = 0;
            stack[sz++] = subprogStarts.get(sp);
            do {
                int top = stack[sz - 1];
                state[top] |= 1;
                if ((state[top] & 2) != 0) {
                    out[cnt++] = top;
                    sz--;
                    continue;
                }
                for (int s : successors(top)) {
                    if (s < n && state[s] == 0) {
                        stack[sz++] = s;
                        state[s] |= 1;
                    }
                }
                state[top] |= 2;
            } while (sz > 0);
        }
        postorderStart[subprogStarts.size()] = cnt;
        return java.util.Arrays.copyOf(out, cnt);
    }

    /** env->cfg.insn_postorder: every subprogram's instructions in postorder, one after the other. */
    int[] postorder() {
        return postorder;
    }

    /** subprog_info[].postorder_start, with the total at the end. */
    int[] postorderStarts() {
        return postorderStart;
    }

    /** bpf_insn_successors(): calls fall through, jumps go where they go. */
    int[] successors(int i) {
        Insn x = insns.get(i);
        if (x.isLdImm64()) return new int[] {i + 2};
        int cls = x.cls();
        if (cls != Insn.JMP && cls != Insn.JMP32) return new int[] {i + 1};
        int op = x.op();
        int off = x.code() == (Insn.JMP32 | Insn.JA) ? x.imm() : x.off();
        if (op == Insn.EXIT) return new int[0];
        if (op == Insn.JA) return new int[] {i + off + 1};
        if (op == Insn.CALL) return new int[] {i + 1};
        return new int[] {i + 1, i + off + 1};
    }

    private int subprogOf(int insn) {
        int k = 0;
        for (int i = 0; i < subprogStarts.size(); i++) if (subprogStarts.get(i) <= insn) k = i;
        return k;
    }

    /** compute_callchain() and __lookup_instance(). */
    Instance lookup(VerifierState st, int frameno) {
        int[] cs = new int[frameno + 1];
        int[] starts = new int[frameno + 1];
        for (int i = 0; i <= frameno; i++) {
            starts[i] = subprogStarts.get(st.frames.get(i).subprogno);
            if (i < st.curframe) cs[i] = st.frames.get(i + 1).callsite;
        }
        cs[frameno] = starts[frameno];
        return lookup(cs, starts);
    }

    private Instance lookup(int[] cs, int[] starts) {
        String key = java.util.Arrays.toString(cs);
        Instance in = instances.get(key);
        if (in == null) {
            int start = cs[cs.length - 1];
            int sp = subprogOf(start);
            int end = sp + 1 < subprogStarts.size() ? subprogStarts.get(sp + 1) : insns.size();
            in = new Instance(cs, starts, start, end);
            instances.put(key, in);
        }
        return in;
    }

    void resetCallchain() {
        cur = null;
    }

    private Instance ensureCur(VerifierState st) {
        if (cur == null) cur = lookup(st, st.curframe);
        return cur;
    }

    /** bpf_mark_stack_read(). */
    void markRead(VerifierState st, int frame, int insn, long mask) {
        markRead(ensureCur(st), frame, insn, mask);
    }

    private static void markRead(Instance in, int frame, int insn, long mask) {
        Masks m = in.alloc(frame, insn);
        long nr = m.mayRead | mask;
        if (nr != m.mayRead && ((nr | m.liveBefore) != m.liveBefore)) in.updated = true;
        m.mayRead |= mask;
    }

    /** bpf_reset_stack_write_marks(). */
    void resetWrites(VerifierState st, int insn) {
        Instance in = ensureCur(st);
        writeInsn = insn;
        for (int i = 0; i <= in.curframe(); i++) writeAcc[i] = 0;
    }

    /** bpf_mark_stack_write(). */
    void markWrite(int frame, long mask) {
        writeAcc[frame] |= mask;
    }

    /** bpf_commit_stack_write_marks(). */
    void commitWrites() {
        commit(cur);
    }

    private void commit(Instance in) {
        if (in == null) return;
        int idx = writeInsn - in.start;
        for (int frame = 0; frame <= in.curframe(); frame++) {
            long mask = writeAcc[frame];
            if (mask == 0 && !in.mustWriteSet[idx]) continue;
            Masks m = in.alloc(frame, writeInsn);
            long old = m.mustWrite;
            if (in.mustWriteSet[idx]) mask &= old;
            if (old != mask) {
                m.mustWrite = mask;
                in.updated = true;
            }
            if ((old & ~mask) != 0) in.mustWriteDropped = true;
        }
        in.mustWriteSet[idx] = true;
        writeInsn = 0;
    }

    static String fmtMask(long mask) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            if ((mask & (1L << i)) == 0) continue;
            if (b.length() > 0) b.append(',');
            b.append(-(i + 1) * 8);
        }
        return b.toString();
    }

    private void logChange(Instance in, String pfx, int frame, int insn, long old, long now) {
        long changed = old ^ now;
        if (changed == 0) return;
        long ones = now & changed, zeros = ~now & changed;
        StringBuilder b = new StringBuilder(in.chain() + " frame " + frame + " insn " + insn + " ");
        if (ones != 0) b.append('+').append(pfx).append(' ').append(fmtMask(ones)).append(' ');
        if (zeros != 0) b.append('-').append(pfx).append(' ').append(fmtMask(zeros));
        lines.add(b.toString());
        if (log.level2()) log.add(b.append('\n').toString());
    }

    private boolean updateInsn(Instance in, int frame, int insn) {
        int[] succ = successors(insn);
        if (succ.length == 0) return false;
        Masks m = in.get(frame, insn);
        long after = 0, acc = -1L;
        for (int s : succ) {
            Masks sm = in.get(frame, s);
            after |= sm.liveBefore;
            acc &= sm.mustWriteAcc;
        }
        // a legacy packet load may end the program, as an exit does: nothing after it must be written
        Insn x = insns.get(insn);
        if (x.cls() == Insn.LD && (x.mode() == Insn.ABS || x.mode() == Insn.IND)) acc = 0;
        acc |= m.mustWrite;
        long before = (after & ~m.mustWrite) | m.mayRead;
        boolean changed = before != m.liveBefore || acc != m.mustWriteAcc;
        if (m.mayRead != 0 || m.mustWrite != 0 || insn == in.start || prunePoints.get(insn)) {
            logChange(in, "live", frame, insn, m.liveBefore, before);
            logChange(in, "written", frame, insn, m.mustWriteAcc, acc);
        }
        m.liveBefore = before;
        m.mustWriteAcc = acc;
        return changed;
    }

    /** update_instance(): the fixpoint, then the callee's entry marks onto its call in the caller's instance. */
    private void update(Instance in) {
        if (in.mustWriteDropped) {
            for (int f = 0; f <= in.curframe(); f++) {
                if (in.frames[f] == null) continue;
                for (Masks m : in.frames[f]) m.mustWriteAcc = 0;
            }
        }
        int sp = subprogOf(in.start);
        int cnt = 0;
        boolean changed;
        do {
            cnt++;
            changed = false;
            for (int f = 0; f <= in.curframe(); f++) {
                if (in.frames[f] == null) continue;
                for (int i = postorderStart[sp]; i < postorderStart[sp + 1]; i++) changed |= updateInsn(in, f, postorder[i]);
            }
        } while (changed);
        if (log.level2()) log.add(in.chain() + " live stack update done in " + cnt + " iterations\n");
        if (in.curframe() > 0) propagateToOuter(in);
    }

    private void propagateToOuter(Instance in) {
        int[] cs = java.util.Arrays.copyOf(in.callsites, in.callsites.length - 1);
        int[] starts = java.util.Arrays.copyOf(in.spStarts, in.spStarts.length - 1);
        int callsite = in.callsites[in.curframe() - 1];
        cs[cs.length - 1] = starts[starts.length - 1];
        Instance outer = lookup(cs, starts);
        writeInsn = callsite;
        for (int i = 0; i <= outer.curframe(); i++) writeAcc[i] = 0;
        for (int frame = 0; frame < in.curframe(); frame++) {
            Masks m = in.get(frame, in.start);
            if (m == null) continue;
            markWrite(frame, m.mustWriteAcc);
            markRead(outer, frame, callsite, m.liveBefore);
        }
        commit(outer);
    }

    /** bpf_update_live_stack(): solve every instance of the state's chain that changed. */
    void updateLiveStack(VerifierState st) {
        resetCallchain();
        for (int frame = st.curframe; frame >= 0; frame--) {
            Instance in = lookup(st, frame);
            if (in.updated) {
                update(in);
                in.updated = false;
                in.mustWriteDropped = false;
            }
        }
    }

    /** bpf_live_stack_query_init() and bpf_stack_slot_alive(): may slot {@code spi} of {@code frameno} still be read? */
    boolean slotAlive(VerifierState st, int frameno, int spi) {
        List<Instance> q = new ArrayList<>();
        for (int f = 0; f <= st.curframe; f++) q.add(lookup(st, f));
        Instance curInst = q.get(st.curframe);
        if (liveBefore(curInst, st.insnIdx, frameno, spi)) return true;
        for (int i = frameno; i < st.curframe; i++) {
            int callsite = curInst.callsites[i];
            if (liveBefore(q.get(i), callsite + 1, frameno, spi)) return true;
        }
        return false;
    }

    private static boolean liveBefore(Instance in, int insn, int frameno, int spi) {
        if (insn < in.start || insn >= in.end) return false;
        Masks m = in.get(frameno, insn);
        return m != null && (m.liveBefore & (1L << spi)) != 0;
    }

    /** One call chain's result, for the liveness table: per frame and instruction, the slots live before it and those it writes. */
    public record Chain(String name, int start, int end, long[][] liveBefore, long[][] mustWrite) { }

    /** Every call chain the verification went through, in the order of their call chains' names. */
    List<Chain> chains() {
        List<Chain> out = new ArrayList<>();
        List<Instance> all = new ArrayList<>(instances.values());
        all.sort(java.util.Comparator.comparing(Instance::chain));
        for (Instance in : all) {
            int n = in.end - in.start;
            long[][] live = new long[in.frames.length][n], write = new long[in.frames.length][n];
            for (int f = 0; f < in.frames.length; f++) {
                if (in.frames[f] == null) continue;
                for (int i = 0; i < n; i++) {
                    live[f][i] = in.frames[f][i].liveBefore;
                    write[f][i] = in.frames[f][i].mustWrite;
                }
            }
            out.add(new Chain(in.chain(), in.start, in.end, live, write));
        }
        return out;
    }
}
