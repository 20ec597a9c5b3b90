package kstep.bpf;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The static stack liveness of the stack-arguments series (kernel/bpf/liveness.c after "bpf: Extend liveness
 * analysis to track stack argument slots"): before do_check(), a forward arg-tracking dataflow per
 * subprogram instance finds which registers, spill slots and stack-argument slots hold pointers into which
 * frame's stack (compute_subprog_args(), arg_track_xfer()); the loads, stores and helper arguments through
 * them become per-frame may_read and must_write masks of 4-byte half slots; a backward fixpoint gives
 * live_before (update_instance()). Callees are analysed once per call site with the caller's R1-R5 and
 * outgoing stack arguments as their entry (analyze_subprog(), callsite_at_stack); their entry liveness is
 * pulled back onto the call. The verifier asks {@link #slotAlive} when it cleans and poisons a checkpoint.
 *
 * <p>With {@code trackStackArgs} false this is the series without that patch: R11 stores are not followed,
 * R11 loads yield "not a pointer", and a callee whose only pointer arrives on the stack is never analysed for
 * its caller — the gap the patch closes.
 */
public final class ArgTracking {
    /** MAX_BPF_FUNC_ARGS - MAX_BPF_FUNC_REG_ARGS: arguments 6 to 12 travel through R11. */
    public static final int MAX_STACK_ARG_SLOTS = 7;
    /** MAX_ARG_SPILL_SLOTS: fp-8 to fp-512. */
    static final int SPILL_SLOTS = 64;
    /** Registers R0-R10, then the outgoing stack-argument slots (MAX_AT_TRACK_REGS). */
    static final int TRACK = 11 + MAX_STACK_ARG_SLOTS;
    /** STACK_SLOTS: half slots of 4 bytes. */
    static final int HALF_SLOTS = Verifier.MAX_BPF_STACK / 4;
    /** S64_MIN: a helper reads an unknown number of bytes up to fp+0. */
    static final long UNKNOWN_READ = Long.MIN_VALUE;

    /** Per instruction of an instance, for one frame: the half slots it may read, must write, and that are live before it. */
    static final class Masks {
        final BitSet mayRead = new BitSet(HALF_SLOTS), mustWrite = new BitSet(HALF_SLOTS), liveBefore = new BitSet(HALF_SLOTS);
    }

    /** struct func_instance: a subprogram at a depth, entered from one call site (its start for depth 0). */
    public static final class Instance {
        final int callsite, depth, subprog, start, end;
        final Masks[][] frames;
        boolean mustWriteInitialized;
        /** at_in of the pass that last analysed it: per instruction, registers and outgoing stack arguments. */
        ArgTrack[][] atIn;
        /** at_stack_in of that pass: the frame's own spill slots. */
        ArgTrack[][] atStackIn;

        Instance(int callsite, int depth, int subprog, int start, int end) {
            this.callsite = callsite;
            this.depth = depth;
            this.subprog = subprog;
            this.start = start;
            this.end = end;
            this.frames = new Masks[depth + 1][];
        }

        public String name() {
            return "(d" + depth + ",cs" + callsite + ")";
        }

        Masks get(int frame, int insn) {
            return frames[frame] == null ? null : frames[frame][insn - start];
        }

        Masks alloc(int frame, int insn) {
            if (frames[frame] == null) {
                frames[frame] = new Masks[end - start];
                for (int i = 0; i < frames[frame].length; i++) frames[frame][i] = new Masks();
            }
            return frames[frame][insn - start];
        }
    }

    /** What a rejected analysis says (the kernel's -E2BIG and -EINVAL). */
    static final class Failure extends Exception {
        Failure(String m) {
            super(m, null, false, false);
        }
    }

    private final List<Insn> insns;
    private final List<Integer> subprogs;
    private final int[] postorder, postorderStart;
    private final StackLiveness cfg;
    private final VerifierLog log;
    private final boolean trackStackArgs;
    private final Map<Long, Instance> instances = new HashMap<>();
    private final ArgTrack[][] callsiteAtStack;
    private final boolean[] analysed;
    private int subprogCalls;

    ArgTracking(List<Insn> insns, List<Integer> subprogs, StackLiveness cfg, VerifierLog log, boolean trackStackArgs) {
        this.insns = insns;
        this.subprogs = subprogs;
        this.cfg = cfg;
        this.postorder = cfg.postorder();
        this.postorderStart = cfg.postorderStarts();
        this.log = log;
        this.trackStackArgs = trackStackArgs;
        this.callsiteAtStack = new ArgTrack[insns.size()][];
        this.analysed = new boolean[subprogs.size()];
    }

    private static long key(int callsite, int depth) {
        return ((long) depth << 32) | (callsite & 0xffffffffL);
    }

    private int end(int subprog) {
        return subprog + 1 < subprogs.size() ? subprogs.get(subprog + 1) : insns.size();
    }

    /** call_instance(). */
    private Instance callInstance(Instance caller, int callsite, int subprog) {
        int depth = caller == null ? 0 : caller.depth + 1;
        int start = subprogs.get(subprog);
        int k = depth > 0 ? callsite : start;
        return instances.computeIfAbsent(key(k, depth), x -> new Instance(k, depth, subprog, start, end(subprog)));
    }

    /** bpf_compute_subprog_arg_access(): every subprogram, callers before callees, each callee per call site with pointers. */
    void run() throws Failure {
        int[] callsites = new int[Verifier.MAX_CALL_FRAMES];
        for (int sub : topoCallersFirst()) {
            if (analysed[sub]) continue;
            analyzeSubprog(null, callInstance(null, 0, sub), callsites);
        }
        printInstances();
    }

    private final List<String> useDefLines = new ArrayList<>();

    private void useDef(String line) {
        useDefLines.add(line.substring(0, line.length() - 1));
        if (log.level2()) log.add(line);
    }

    /** env->subprog_topo_order walked from its end: callers before the subprograms they call. */
    private List<Integer> topoCallersFirst() {
        int n = subprogs.size();
        boolean[] seen = new boolean[n];
        List<Integer> post = new ArrayList<>();
        for (int s = 0; s < n; s++) topo(s, seen, post);
        List<Integer> out = new ArrayList<>(post);
        java.util.Collections.reverse(out);
        return out;
    }

    private void topo(int s, boolean[] seen, List<Integer> post) {
        if (seen[s]) return;
        seen[s] = true;
        for (int i = subprogs.get(s); i < end(s); i++) {
            Insn x = insns.get(i);
            if (isPseudoCall(x)) {
                int callee = subprogs.indexOf(i + x.imm() + 1);
                if (callee >= 0) topo(callee, seen, post);
            }
        }
        post.add(s);
    }

    static boolean isPseudoCall(Insn x) {
        return x.code() == (Insn.JMP | Insn.CALL) && x.src() == Insn.PSEUDO_CALL;
    }

    static boolean isStackArgStore(Insn x) {
        return (x.cls() == Insn.STX || x.cls() == Insn.ST) && x.dst() == Verifier.REG_PARAMS;
    }

    static boolean isStackArgLoad(Insn x) {
        return x.cls() == Insn.LDX && x.src() == Verifier.REG_PARAMS;
    }

    /** stack_arg_off_to_slot(): r11-8 and r11+8 are slot 0. */
    static int stackArgSlot(int off) {
        int a = Math.abs(off);
        if (a / 8 > MAX_STACK_ARG_SLOTS) return -1;
        return a / 8 - 1;
    }

    /** analyze_subprog(): this instance with these entry values, then every callee that receives a pointer. */
    private void analyzeSubprog(ArgTrack[] entry, Instance instance, int[] callsites) throws Failure {
        if (++subprogCalls > 10000) {
            String m = "liveness analysis exceeded complexity limit (" + subprogCalls + " calls)";
            log.add(m + "\n");
            throw new Failure(m);
        }
        Instance prev = null;
        if (instance.mustWriteInitialized) {
            prev = instance;
            instance = new Instance(prev.callsite, prev.depth, prev.subprog, prev.start, prev.end);
        }
        int sub = instance.subprog;
        analysed[sub] = true;
        ArgTrack[][] atIn = computeSubprogArgs(entry, instance, callsites);
        for (int p = postorderStart[sub]; p < postorderStart[sub + 1]; p++) {
            int idx = postorder[p];
            Insn x = insns.get(idx);
            if (!isPseudoCall(x)) continue;
            int callee = subprogs.indexOf(idx + x.imm() + 1);
            if (callee < 0) continue;
            ArgTrack[] args = new ArgTrack[TRACK];
            java.util.Arrays.fill(args, ArgTrack.NONE_VALUE);
            ArgTrack[] at = atIn[idx - instance.start];
            for (int r = 1; r <= 5; r++) args[r] = at[r];
            if (trackStackArgs) for (int r = 0; r < MAX_STACK_ARG_SLOTS; r++) args[11 + r] = at[11 + r];
            if (!hasFpArgs(args)) continue;
            if (instance.depth == Verifier.MAX_CALL_FRAMES - 1) {
                // the kernel's -EINVAL here has no message; kstep says why
                String m = "liveness analysis: the call stack of " + (instance.depth + 2) + " frames is too deep";
                log.add(m + "\n");
                throw new Failure(m);
            }
            Instance calleeInstance = callInstance(instance, idx, callee);
            callsites[instance.depth] = idx;
            analyzeSubprog(args, calleeInstance, callsites);
            for (int f = 0; f < calleeInstance.depth; f++) {
                Masks m = calleeInstance.get(f, calleeInstance.start);
                if (m != null) instance.alloc(f, idx).mayRead.or(m.liveBefore);
            }
        }
        if (prev != null) {
            merge(prev, instance);
            prev.atIn = instance.atIn;
            prev.atStackIn = instance.atStackIn;
            instance = prev;
        }
        updateInstance(instance);
    }

    private static boolean hasFpArgs(ArgTrack[] args) {
        for (int r = 1; r <= 5; r++) if (args[r].isFp()) return true;
        for (int r = 0; r < MAX_STACK_ARG_SLOTS; r++) if (args[11 + r].isFp()) return true;
        return false;
    }

    /** merge_instances(): a repeated analysis may add reads, and keeps only the writes every pass made. */
    private static void merge(Instance dst, Instance src) {
        for (int f = 0; f <= dst.depth; f++) {
            if (src.frames[f] == null) {
                if (dst.frames[f] != null) for (Masks m : dst.frames[f]) m.mustWrite.clear();
                continue;
            }
            if (dst.frames[f] == null) {
                dst.frames[f] = src.frames[f];
                for (Masks m : dst.frames[f]) m.mustWrite.clear();
                continue;
            }
            for (int i = 0; i < dst.frames[f].length; i++) {
                dst.frames[f][i].mayRead.or(src.frames[f][i].mayRead);
                dst.frames[f][i].mustWrite.and(src.frames[f][i].mustWrite);
            }
        }
    }

    /** compute_subprog_args(): the forward fixpoint in reverse postorder, then the accesses recorded on the converged values. */
    private ArgTrack[][] computeSubprogArgs(ArgTrack[] entry, Instance instance, int[] callsites) throws Failure {
        int sub = instance.subprog, depth = instance.depth, start = instance.start, len = instance.end - start;
        ArgTrack[][] atIn = new ArgTrack[len][TRACK];
        ArgTrack[][] atStackIn = new ArgTrack[len][SPILL_SLOTS];
        for (int i = 0; i < len; i++) {
            java.util.Arrays.fill(atIn[i], ArgTrack.UNVISITED_VALUE);
            java.util.Arrays.fill(atStackIn[i], ArgTrack.UNVISITED_VALUE);
        }
        java.util.Arrays.fill(atIn[0], ArgTrack.NONE_VALUE);
        atIn[0][10] = ArgTrack.single(depth, 0);
        if (entry != null) for (int r = 1; r <= 5; r++) atIn[0][r] = entry[r];
        java.util.Arrays.fill(atStackIn[0], ArgTrack.NONE_VALUE);
        ArgTrack[] stackArgEntry = new ArgTrack[MAX_STACK_ARG_SLOTS];
        for (int r = 0; r < MAX_STACK_ARG_SLOTS; r++) stackArgEntry[r] = entry != null ? entry[11 + r] : ArgTrack.NONE_VALUE;
        if (log.level2()) log.add("subprog#" + sub + ": analyzing (depth " + depth + ")...\n");
        boolean changed;
        do {
            changed = false;
            for (int p = postorderStart[sub + 1] - 1; p >= postorderStart[sub]; p--) {
                int idx = postorder[p], i = idx - start;
                if (!atIn[i][0].visited() && !atIn[i][1].visited()) continue;
                ArgTrack[] out = atIn[i].clone();
                ArgTrack[] stackOut = atStackIn[i].clone();
                xfer(insns.get(idx), out, stackOut, stackArgEntry, depth, callsites);
                logTransfer(idx, atIn[i], atStackIn[i], out, stackOut);
                for (int target : cfg.successors(idx)) {
                    if (target < start || target >= instance.end) continue;
                    int ti = target - start;
                    for (int r = 0; r < TRACK; r++) changed |= join(idx, target, r, atIn[ti], out[r]);
                    for (int r = 0; r < SPILL_SLOTS; r++) changed |= join(idx, target, -r - 1, atStackIn[ti], stackOut[r]);
                }
            }
        } while (changed);
        for (int p = postorderStart[sub + 1] - 1; p >= postorderStart[sub]; p--) {
            int idx = postorder[p], i = idx - start;
            Insn x = insns.get(idx);
            recordLoadStore(instance, atIn[i], x, idx);
            if (x.code() == (Insn.JMP | Insn.CALL)) recordCall(instance, atIn[i], x, idx);
            if (isPseudoCall(x)) callsiteAtStack[idx] = atStackIn[i].clone();
        }
        instance.atIn = atIn;
        instance.atStackIn = atStackIn;
        printSubprogArgAccess(sub, start, atIn, atStackIn);
        return atIn;
    }

    /** arg_track_join() into {@code in[r]} (a spill slot when {@code r} is negative), with the log's JOIN line. */
    private boolean join(int idx, int target, int r, ArgTrack[] in, ArgTrack out) {
        int k = r >= 0 ? r : -r - 1;
        ArgTrack old = in[k], now = ArgTrack.join(old, out);
        if (now.equals(old)) return false;
        in[k] = now;
        if (log.level2() && old.visited()) {
            String what = r >= 11 ? "sa" + (r - 11) : r >= 0 ? "r" + r : "fp" + (r * 8);
            log.add("arg JOIN insn " + idx + " -> " + target + " " + what + ": " + old + " + " + out + " => " + now + "\n");
        }
        return true;
    }

    private String insnText(int idx) {
        Insn x = insns.get(idx);
        return Disasm.text(x, x.isLdImm64() && idx + 1 < insns.size() ? insns.get(idx + 1) : null);
    }

    /** arg_track_log(): the instruction and what it changed. */
    private void logTransfer(int idx, ArgTrack[] in, ArgTrack[] stackIn, ArgTrack[] out, ArgTrack[] stackOut) {
        if (!log.level2()) return;
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < 11; r++) if (!out[r].equals(in[r])) b.append("\tr").append(r).append(": ").append(in[r]).append(" -> ").append(out[r]);
        for (int s = 0; s < MAX_STACK_ARG_SLOTS; s++) if (!out[11 + s].equals(in[11 + s])) b.append("\tsa").append(s).append(": ").append(in[11 + s]).append(" -> ").append(out[11 + s]);
        for (int s = 0; s < SPILL_SLOTS; s++) if (!stackOut[s].equals(stackIn[s])) b.append("\tfp").append(-(s + 1) * 8).append(": ").append(stackIn[s]).append(" -> ").append(stackOut[s]);
        if (b.length() > 0) log.add(String.format("%3d: ", idx) + insnText(idx) + b + "\n");
    }

    /** arg_track_xfer(): how one instruction moves frame pointers between registers, spill slots and stack arguments. */
    private void xfer(Insn x, ArgTrack[] at, ArgTrack[] stack, ArgTrack[] stackArgEntry, int depth, int[] callsites) {
        int cls = x.cls(), op = x.op();
        ArgTrack none = ArgTrack.NONE_VALUE;
        if (isStackArgStore(x)) {
            int slot = stackArgSlot(x.off());
            if (trackStackArgs && slot >= 0) at[11 + slot] = cls == Insn.STX ? at[x.src()] : none;
            return;
        }
        if (isStackArgLoad(x)) {
            int slot = stackArgSlot(x.off());
            at[x.dst()] = trackStackArgs && slot >= 0 ? stackArgEntry[slot] : none;
            return;
        }
        if (x.dst() > 10 || x.src() > 10) return;
        ArgTrack dst = at[x.dst()], src = at[x.src()];
        if (cls == Insn.ALU64 && !x.srcX()) {
            if (op == Insn.MOV) at[x.dst()] = none;
            else if (dst.frame() >= 0) {
                if (op == Insn.ADD) at[x.dst()] = dst.plus(x.imm());
                else if (op == Insn.SUB) at[x.dst()] = dst.plus(-(long) x.imm());
                else at[x.dst()] = ArgTrack.frameUnknownOffset(dst.frame());
            }
        } else if (cls == Insn.ALU64) {
            if (op == Insn.MOV) at[x.dst()] = x.off() == 0 ? src : none;
            else at[x.dst()] = ArgTrack.alu64(dst, src);
        } else if (cls == Insn.ALU) {
            at[x.dst()] = none;
        } else if (cls == Insn.JMP && op == Insn.CALL) {
            // spill slots stay: a helper cannot forge a pointer, and a callee cannot store one into its caller
            for (int r = 0; r <= 5; r++) at[r] = none;
        } else if (cls == Insn.LDX) {
            int sz = Insn.bytes(x.size());
            boolean mem = x.mode() == Insn.MEM && sz == 8;
            if (mem && canBeLocalFp(depth, x.src(), src)) at[x.dst()] = fill(x, at, x.src(), stack, depth);
            else if (mem && src.frame() >= 0 && src.frame() < depth) {
                ArgTrack[] parent = callsiteAtStack[callsites[src.frame()]];
                at[x.dst()] = parent == null ? none : fill(x, at, x.src(), parent, src.frame());
            } else if (mem && src.frame() == ArgTrack.IMPRECISE && (src.mask() & (1 << depth)) == 0 && src.mask() != 0) at[x.dst()] = src;
            else at[x.dst()] = none;
        } else if (cls == Insn.LD && x.mode() == Insn.IMM) {
            at[x.dst()] = none;
        } else if (cls == Insn.STX) {
            int sz = Insn.bytes(x.size());
            boolean local = canBeLocalFp(depth, x.dst(), dst);
            if (local && x.mode() == Insn.MEM) spill(x, at, x.dst(), stack, src, sz);
            if (x.mode() == Insn.ATOMIC) {
                if (local && x.imm() != Insn.LOAD_ACQ) clearAllOffs(x, at, x.dst(), stack, sz);
                if (x.imm() == Insn.CMPXCHG) at[0] = none;
                else if (x.imm() == Insn.LOAD_ACQ) at[x.dst()] = none;
                else if ((x.imm() & Insn.FETCH) != 0) at[x.src()] = none;
            }
        } else if (cls == Insn.ST && x.mode() == Insn.MEM) {
            if (canBeLocalFp(depth, x.dst(), dst)) clearAllOffs(x, at, x.dst(), stack, Insn.bytes(x.size()));
        }
    }

    private static boolean canBeLocalFp(int depth, int reg, ArgTrack at) {
        return reg == 10 || at.frame() == depth || (at.frame() == ArgTrack.IMPRECISE && (at.mask() & (1 << depth)) != 0);
    }

    /** fp_off_to_slot(). */
    private static int spillSlot(int off) {
        if (off >= 0 || off < -SPILL_SLOTS * 8 || off % 8 != 0) return -1;
        return -off / 8 - 1;
    }

    private static boolean addOverflows(int off, long delta) {
        long v = off + delta;
        return delta != (short) delta || v != (short) v;
    }

    /** fill_from_stack(). */
    private static ArgTrack fill(Insn x, ArgTrack[] at, int reg, ArgTrack[] stack, int depth) {
        ArgTrack imp = ArgTrack.imprecise((1 << (depth + 1)) - 1);
        if (reg == 10) {
            int slot = spillSlot(x.off());
            return slot >= 0 ? stack[slot] : imp;
        }
        ArgTrack base = at[reg];
        if (base.offCnt() == 0) return imp;
        ArgTrack result = ArgTrack.NONE_VALUE;
        for (short o : base.offs()) {
            if (addOverflows(o, x.off())) return imp;
            int slot = spillSlot(o + x.off());
            if (slot < 0) return imp;
            result = ArgTrack.join(result, stack[slot]);
        }
        return result;
    }

    /** spill_to_stack(). */
    private static void spill(Insn x, ArgTrack[] at, int reg, ArgTrack[] stack, ArgTrack val, int sz) {
        ArgTrack v = sz == 8 ? val : ArgTrack.NONE_VALUE;
        if (reg == 10) {
            int slot = spillSlot(x.off());
            if (slot >= 0) stack[slot] = v;
            return;
        }
        ArgTrack base = at[reg];
        if (base.offCnt() == 0) {
            for (int s = 0; s < SPILL_SLOTS; s++) stack[s] = ArgTrack.join(stack[s], v);
            return;
        }
        for (short o : base.offs()) {
            if (addOverflows(o, x.off())) continue;
            int slot = spillSlot(o + x.off());
            if (slot < 0) continue;
            stack[slot] = base.offCnt() == 1 ? v : ArgTrack.join(stack[slot], v);
        }
    }

    /** clear_overlapping_stack_slots(). */
    private static void clearOverlapping(ArgTrack[] stack, int off, int sz, int cnt) {
        for (int i = 0; i < SPILL_SLOTS; i++) {
            int lo = -(i + 1) * 8, hi = lo + 8;
            if (cnt == 0 || (lo < off + sz && hi > off)) stack[i] = cnt == 1 ? ArgTrack.NONE_VALUE : ArgTrack.join(stack[i], ArgTrack.NONE_VALUE);
        }
    }

    /** clear_stack_for_all_offs(). */
    private static void clearAllOffs(Insn x, ArgTrack[] at, int reg, ArgTrack[] stack, int sz) {
        if (reg == 10) {
            clearOverlapping(stack, x.off(), sz, 1);
            return;
        }
        ArgTrack base = at[reg];
        if (base.offCnt() == 0) {
            clearOverlapping(stack, 0, sz, 0);
            return;
        }
        for (short o : base.offs()) {
            if (addOverflows(o, x.off())) {
                clearOverlapping(stack, 0, sz, 0);
                break;
            }
            clearOverlapping(stack, o + x.off(), sz, base.offCnt());
        }
    }

    // ------------------------------------------------------------------ recording the accesses

    /** record_stack_access_off(): bytes above 0 read, below 0 written, {@link #UNKNOWN_READ} read up to fp+0. */
    private static void recordOff(Instance in, long fpOff, long bytes, int frame, int insn) {
        if (fpOff >= 0) return;
        if (bytes == UNKNOWN_READ) {
            int hi = (int) ((-fpOff - 1) / 4);
            in.alloc(frame, insn).mayRead.set(0, Math.min(hi, HALF_SLOTS - 1) + 1);
        } else if (bytes > 0) {
            int hi = (int) ((-fpOff - 1) / 4), lo = (int) Math.max((-fpOff - bytes) / 4, 0);
            if (lo <= Math.min(hi, HALF_SLOTS - 1)) in.alloc(frame, insn).mayRead.set(lo, Math.min(hi, HALF_SLOTS - 1) + 1);
        } else if (bytes < 0) {
            long n = -bytes;
            int hi = (int) (-fpOff / 4 - 1), lo = (int) Math.max((-fpOff - n + 3) / 4, 0);
            if (lo <= hi && hi < HALF_SLOTS) in.alloc(frame, insn).mustWrite.set(lo, hi + 1);
        }
    }

    /** record_stack_access(): an unknown offset reads the whole frame; a write to several candidates is no certain write. */
    private static void recordAccess(Instance in, ArgTrack arg, long bytes, int frame, int insn) {
        if (bytes == 0) return;
        if (arg.offCnt() == 0) {
            if (bytes > 0 || bytes == UNKNOWN_READ) in.alloc(frame, insn).mayRead.set(0, HALF_SLOTS);
            return;
        }
        if (bytes != UNKNOWN_READ && bytes < 0 && arg.offCnt() != 1) return;
        for (short o : arg.offs()) recordOff(in, o, bytes, frame, insn);
    }

    /** record_imprecise(): every frame the pointer may belong to is read whole. */
    private static void recordImprecise(Instance in, int mask, int insn) {
        for (int f = 0; f <= in.depth; f++) if ((mask & (1 << f)) != 0) in.alloc(f, insn).mayRead.set(0, HALF_SLOTS);
    }

    /** record_load_store_access(). */
    private void recordLoadStore(Instance in, ArgTrack[] at, Insn x, int idx) {
        if (isStackArgStore(x) || isStackArgLoad(x)) return;
        if (x.dst() > 10 || x.src() > 10) return;
        long sz = Insn.bytes(x.size());
        ArgTrack ptr;
        switch (x.cls()) {
            case Insn.LDX -> ptr = at[x.src()];
            case Insn.STX -> {
                if (x.mode() == Insn.ATOMIC) {
                    if (x.imm() == Insn.STORE_REL) sz = -sz;
                    ptr = x.imm() == Insn.LOAD_ACQ ? at[x.src()] : at[x.dst()];
                } else {
                    ptr = at[x.dst()];
                    sz = -sz;
                }
            }
            case Insn.ST -> {
                ptr = at[x.dst()];
                sz = -sz;
            }
            default -> {
                return;
            }
        }
        if (ptr.frame() >= 0 && ptr.offCnt() > 0) {
            short[] r = new short[ptr.offCnt()];
            boolean overflow = false;
            for (int i = 0; i < r.length && !overflow; i++) {
                if (addOverflows(ptr.offs()[i], x.off())) overflow = true;
                else r[i] = (short) (ptr.offs()[i] + x.off());
            }
            ptr = overflow ? ArgTrack.frameUnknownOffset(ptr.frame()) : new ArgTrack(ptr.frame(), 0, r);
        }
        if (ptr.frame() >= 0 && ptr.frame() <= in.depth) recordAccess(in, ptr, sz, ptr.frame(), idx);
        else if (ptr.frame() == ArgTrack.IMPRECISE) recordImprecise(in, ptr.mask(), idx);
    }

    /**
     * What a helper does with argument {@code arg} (bpf_helper_stack_access_bytes()), as kstep knows it: no
     * memory for values, contexts and sizes; a read of unknown length (up to fp+0) for every memory argument,
     * since kstep's static pass folds no constants; the same for every argument of a helper it has no
     * prototype for.
     */
    private static long helperBytes(Insn x, int arg) {
        HelperProto p = HelperProto.proto(x.imm());
        if (p == null) return UNKNOWN_READ;
        if (arg >= p.args().size()) return 0;
        return switch (p.args().get(arg)) {
            case MEM, UNINIT_MEM, MAP_KEY, MAP_VALUE -> UNKNOWN_READ;
            default -> 0;
        };
    }

    /** record_call_access(): a helper's pointer arguments. Calls of subprograms are their instances' business. */
    private void recordCall(Instance in, ArgTrack[] at, Insn x, int idx) {
        if (x.src() == Insn.PSEUDO_CALL) return;
        HelperProto p = x.src() == Insn.CALL_HELPER ? HelperProto.proto(x.imm()) : null;
        int params = p == null ? 5 : p.args().size();
        for (int r = 1; r <= Math.min(params, 5); r++) recordArg(in, x, at[r], r - 1, idx);
        for (int r = 0; r < MAX_STACK_ARG_SLOTS && r < params - 5; r++) recordArg(in, x, at[11 + r], r + 5, idx);
    }

    private void recordArg(Instance in, Insn x, ArgTrack at, int arg, int idx) {
        if (!at.isFp()) return;
        if (x.src() != Insn.CALL_HELPER) {
            for (int f = 0; f <= in.depth; f++) in.alloc(f, idx).mayRead.set(0, HALF_SLOTS);
            return;
        }
        long bytes = helperBytes(x, arg);
        if (bytes == 0) return;
        if (at.frame() >= 0 && at.frame() <= in.depth) recordAccess(in, at, bytes, at.frame(), idx);
        else if (at.frame() == ArgTrack.IMPRECISE) recordImprecise(in, at.mask(), idx);
    }

    // ------------------------------------------------------------------ the backward fixpoint and the queries

    /** update_instance(): live_before = (∪ successors' live_before \ must_write) ∪ may_read, to a fixpoint. */
    private void updateInstance(Instance in) {
        in.mustWriteInitialized = true;
        boolean changed;
        do {
            changed = false;
            for (int f = 0; f <= in.depth; f++) {
                if (in.frames[f] == null) continue;
                for (int p = postorderStart[in.subprog]; p < postorderStart[in.subprog + 1]; p++) {
                    int idx = postorder[p];
                    int[] succ = cfg.successors(idx);
                    if (succ.length == 0) continue;
                    Masks m = in.get(f, idx);
                    BitSet after = new BitSet(HALF_SLOTS);
                    for (int s : succ) if (s >= in.start && s < in.end) after.or(in.get(f, s).liveBefore);
                    after.andNot(m.mustWrite);
                    after.or(m.mayRead);
                    if (!after.equals(m.liveBefore)) {
                        m.liveBefore.clear();
                        m.liveBefore.or(after);
                        changed = true;
                    }
                }
            }
        } while (changed);
    }

    /** lookup_instance(): the instance of frame {@code frameno}, falling back to shallower ones. */
    private Instance lookup(VerifierState st, int frameno) {
        FuncState f = st.frames.get(frameno);
        int start = subprogs.get(f.subprogno);
        int callsite = frameno > 0 ? f.callsite : start;
        for (int depth = frameno; ; depth--) {
            Instance in = instances.get(key(depth > 0 ? callsite : start, depth));
            if (in != null || depth == 0) return in;
        }
    }

    private static boolean liveBefore(Instance in, int insn, int frame, int half) {
        if (frame < 0 || frame > in.depth || insn < in.start || insn >= in.end) return false;
        Masks m = in.get(frame, insn);
        return m != null && m.liveBefore.get(half);
    }

    /** bpf_stack_slot_alive() for both halves of slot {@code spi}: read later here, or after the call in an outer frame. */
    boolean slotAlive(VerifierState st, int frameno, int spi) {
        return halfAlive(st, frameno, spi * 2) || halfAlive(st, frameno, spi * 2 + 1);
    }

    private boolean halfAlive(VerifierState st, int frameno, int half) {
        Instance curInst = lookup(st, st.curframe);
        if (curInst == null) return true;
        int rel = frameno + curInst.depth - st.curframe;
        if (rel >= 0 && liveBefore(curInst, st.insnIdx, rel, half)) return true;
        for (int i = frameno; i < st.curframe; i++) {
            Instance in = lookup(st, i);
            if (in == null) return true;
            int r = frameno + in.depth - i;
            if (r < 0 || r > in.depth) return true;
            int callsite = st.frames.get(i + 1).callsite;
            if (liveBefore(in, callsite + 1, r, half)) return true;
        }
        return false;
    }

    // ------------------------------------------------------------------ the log and the views

    /** print_subprog_arg_access(): the instructions, with the pointers loads, stores and calls see. */
    private void printSubprogArgAccess(int sub, int start, ArgTrack[][] atIn, ArgTrack[][] atStackIn) {
        if (!log.level2()) return;
        log.add("subprog#" + sub + ":\n");
        for (int i = 0; i < atIn.length; i++) {
            int idx = start + i;
            Insn x = insns.get(idx);
            boolean mem = x.cls() == Insn.LDX || x.cls() == Insn.STX || x.code() == (Insn.JMP | Insn.CALL);
            StringBuilder extra = new StringBuilder();
            if (mem && atIn[i][0].visited()) {
                for (int r = 0; r < 10; r++) if (atIn[i][r].isFp()) extra.append(" r").append(r).append('=').append(atIn[i][r]);
                for (int s = 0; s < MAX_STACK_ARG_SLOTS; s++) if (atIn[i][11 + s].isFp()) extra.append(" sa").append(s).append('=').append(atIn[i][11 + s]);
            }
            if (mem) for (int s = 0; s < SPILL_SLOTS; s++) if (atStackIn[i][s].isFp()) extra.append(" fp").append(-(s + 1) * 8).append('=').append(atStackIn[i][s]);
            log.add(String.format("%3d: ", idx) + insnText(idx) + (extra.length() > 0 ? " //" + extra : "") + "\n");
            if (x.isLdImm64()) i++;
        }
    }

    /** fmt_spis_mask(): "fp0-8", "fp0-4h", runs of three or more whole slots as "fp0-8..-24". */
    static String fmtHalves(int frame, BitSet m) {
        StringBuilder b = new StringBuilder();
        for (int spi = 0; spi < HALF_SLOTS / 2; spi++) {
            boolean lo = m.get(spi * 2), hi = m.get(spi * 2 + 1);
            if (!lo && !hi) continue;
            if (b.length() > 0) b.append(' ');
            int off = -(spi + 1) * 8;
            if (!lo || !hi) {
                b.append("fp").append(frame).append(off + (lo ? 4 : 0)).append('h');
            } else if (spi + 2 < HALF_SLOTS / 2 && m.get(spi * 2 + 2) && m.get(spi * 2 + 3) && m.get(spi * 2 + 4) && m.get(spi * 2 + 5)) {
                int run = spi;
                while (spi + 1 < HALF_SLOTS / 2 && m.get((spi + 1) * 2) && m.get((spi + 1) * 2 + 1)) spi++;
                b.append("fp").append(frame).append(-(run + 1) * 8).append("..").append(-(spi + 1) * 8);
            } else {
                b.append("fp").append(frame).append(off);
            }
        }
        return b.toString();
    }

    private List<Instance> sorted() {
        List<Instance> all = new ArrayList<>(instances.values());
        all.sort(java.util.Comparator.comparingInt((Instance in) -> in.callsite).thenComparingInt(in -> in.depth));
        return all;
    }

    /** print_instances(): each instance's use/def per instruction, ordered by call site, then depth (kept at every log level). */
    private void printInstances() {
        for (Instance in : sorted()) {
            useDef("stack use/def subprog#" + in.subprog + " " + in.name() + ":\n");
            for (int idx = in.start; idx < in.end; idx++) {
                Insn x = insns.get(idx);
                String head = String.format("%3d: ", idx) + insnText(idx);
                StringBuilder use = new StringBuilder(), def = new StringBuilder();
                for (int f = in.depth; f >= 0; f--) {
                    Masks m = in.get(f, idx);
                    if (m == null) continue;
                    if (!m.mayRead.isEmpty()) use.append(use.length() > 0 ? " " : "").append(fmtHalves(f, m.mayRead));
                    if (!m.mustWrite.isEmpty()) def.append(def.length() > 0 ? " " : "").append(fmtHalves(f, m.mustWrite));
                }
                if (use.length() == 0 && def.length() == 0) useDef(head + "\n");
                else {
                    String line = head + " ".repeat(VerifierLog.alignment(head.length() + 1)) + ";";
                    if (use.length() > 0) line += " use: " + use;
                    if (def.length() > 0) line += " def: " + def;
                    useDef(line + "\n");
                }
                if (x.isLdImm64()) idx++;
            }
        }
    }

    /** One instance's result for the liveness table and the arg-tracking column. */
    public record InstanceView(String name, int subprog, int depth, int start, int end, long[][] liveBefore, long[][] mustWrite,
                               ArgTrack[][] atIn, ArgTrack[][] atStackIn) { }

    /** Every instance, in print_instances() order; slot masks in 8-byte slots (a slot is live if either half is). */
    List<InstanceView> views() {
        List<InstanceView> out = new ArrayList<>();
        for (Instance in : sorted()) {
            int n = in.end - in.start;
            long[][] live = new long[in.depth + 1][n], write = new long[in.depth + 1][n];
            for (int f = 0; f <= in.depth; f++) {
                if (in.frames[f] == null) continue;
                for (int i = 0; i < n; i++) {
                    live[f][i] = toSlots(in.frames[f][i].liveBefore, false);
                    write[f][i] = toSlots(in.frames[f][i].mustWrite, true);
                }
            }
            out.add(new InstanceView(in.name(), in.subprog, in.depth, in.start, in.end, live, write, in.atIn, in.atStackIn));
        }
        return out;
    }

    /** The instances as the 6.18 liveness table shows call chains. */
    List<StackLiveness.Chain> chains() {
        List<StackLiveness.Chain> out = new ArrayList<>();
        for (InstanceView in : views()) out.add(new StackLiveness.Chain(in.name(), in.start(), in.end(), in.liveBefore(), in.mustWrite()));
        return out;
    }

    /** A stack argument's way: stored by the caller at {@code store}, passed by the call at {@code call}, loaded by the callee at {@code load}. */
    public record Flow(int store, int call, int load, int slot) { }

    /**
     * What the views show of the static liveness: the instances, the stack arguments' flows, R11's liveness
     * per instruction (bit i: outgoing slot i holds a value a later call passes; bit 8+i: incoming slot i is
     * still to be loaded) and which instructions write an outgoing slot, and the "stack use/def" lines.
     */
    public record Summary(List<InstanceView> instances, List<Flow> flows, int[] r11Live, int[] r11Written, List<String> useDef) { }

    Summary summary() {
        int n = insns.size();
        int[] use = new int[n], def = new int[n];
        for (int i = 0; i < n; i++) {
            Insn x = insns.get(i);
            if (isStackArgStore(x) && stackArgSlot(x.off()) >= 0) def[i] = 1 << stackArgSlot(x.off());
            if (isStackArgLoad(x) && stackArgSlot(x.off()) >= 0) use[i] = 1 << (8 + stackArgSlot(x.off()));
        }
        List<Flow> flows = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            Insn x = insns.get(c);
            if (!isPseudoCall(x)) continue;
            int callee = subprogs.indexOf(c + x.imm() + 1), caller = subprogOf(c);
            if (callee < 0) continue;
            for (int l = subprogs.get(callee); l < end(callee); l++) {
                Insn y = insns.get(l);
                if (!isStackArgLoad(y) || stackArgSlot(y.off()) < 0) continue;
                int slot = stackArgSlot(y.off());
                use[c] |= 1 << slot;
                // the store the call passes: the last one to the slot before the call in the caller
                for (int st = c - 1; st >= subprogs.get(caller); st--) {
                    if ((def[st] & (1 << slot)) != 0) {
                        flows.add(new Flow(st, c, l, slot));
                        break;
                    }
                }
            }
        }
        int[] live = new int[n];
        boolean changed;
        do {
            changed = false;
            for (int i = n - 1; i >= 0; i--) {
                int after = 0;
                for (int s2 : cfg.successors(i)) if (s2 < n && subprogOf(s2) == subprogOf(i)) after |= live[s2];
                int before = (after & ~def[i]) | use[i];
                if (before != live[i]) {
                    live[i] = before;
                    changed = true;
                }
            }
        } while (changed);
        return new Summary(views(), flows, live, def, List.copyOf(useDefLines));
    }

    private int subprogOf(int insn) {
        int k = 0;
        for (int i = 0; i < subprogs.size(); i++) if (subprogs.get(i) <= insn) k = i;
        return k;
    }

    /** Half slots to 8-byte slots: any half for liveness, both halves for a write. */
    private static long toSlots(BitSet halves, boolean both) {
        long m = 0;
        for (int spi = 0; spi < 64; spi++) {
            boolean lo = halves.get(spi * 2), hi = halves.get(spi * 2 + 1);
            if (both ? lo && hi : lo || hi) m |= 1L << spi;
        }
        return m;
    }
}
