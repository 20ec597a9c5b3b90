package kstep.bpf;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Linux 6.18's BPF verifier for a privileged loader, as kstep models it (kernel/bpf/verifier.c do_check()
 * and what it calls): the simulation of every path with the kernel's register and stack states, state
 * pruning, precision backtracking, the stack liveness pass, and the log, line for line. The instruction
 * checks live in {@link InsnChecks}; this class owns the exploration.
 */
public final class Verifier {
    static final int COMPLEXITY_LIMIT_INSNS = 1_000_000;
    static final int COMPLEXITY_LIMIT_JMP_SEQ = 8192;
    static final int MAX_BPF_STACK = 512;
    static final int MAX_CALL_FRAMES = 8;
    /** BPF_REG_PARAMS: R11, the stack-args variant's base of the stack-argument slots. */
    static final int REG_PARAMS = 11;
    /** Steps kept for the app (each holds two copies of the state); a longer verification still runs to its end, its trace is cut. */
    static final int MAX_STEPS = 20_000;

    /**
     * What verification answers. {@code error} is the log's last line before the statistics, "" when accepted;
     * {@code xlated} is the program as the kernel rewrites it after verifying it (accepted programs of a
     * privileged loader; null otherwise), which the JIT compiles.
     */
    public record Result(boolean accepted, String error, String log, Map<Integer, String> liveRegs, int processed, String stats,
                         List<VerifierStep> steps, boolean stepsCut, List<String> stackLive, List<StackLiveness.Chain> chains,
                         KernelVariant variant, ArgTracking.Summary argTracking, Xlated xlated) {
        /** A result of 6.18 (no static liveness). */
        public Result(boolean accepted, String error, String log, Map<Integer, String> liveRegs, int processed, String stats,
                      List<VerifierStep> steps, boolean stepsCut, List<String> stackLive, List<StackLiveness.Chain> chains) {
            this(accepted, error, log, liveRegs, processed, stats, steps, stepsCut, stackLive, chains, KernelVariant.LINUX_6_18, null, null);
        }
    }

    /** A rejection: the message is already in the log. */
    static final class Reject extends Exception {
        /** An error a speculative path cannot recover from by ending there (-E2BIG, -EFAULT, -ENOMEM). */
        final boolean fatal;

        Reject(String m) {
            this(m, false);
        }

        Reject(String m, boolean fatal) {
            super(m, null, false, false);
            this.fatal = fatal;
        }
    }

    /** bpf_verifier_stack_elem: a branch left for later. */
    private record StackElem(VerifierState st, int insnIdx, int prevInsnIdx, int logPos) { }

    /** bpf_verifier_state_list: a checkpoint at a prune point, with the heuristics' counters. */
    static final class Checkpoint {
        final VerifierState state;
        int hit, miss;

        Checkpoint(VerifierState s) {
            state = s;
        }
    }

    final BpfProgram prog;
    final List<Insn> insns;
    final VerifierLog log;
    final LiveRegs live;
    final List<Integer> subprogs;
    final BitSet prunePoints = new BitSet();
    final BitSet jmpPoints = new BitSet();
    final StackLiveness stackLive;
    final InsnChecks checks;
    final Precision precision;
    /** insn_aux_data[].ptr_type for loads and stores (null until first seen). */
    final RegType[] auxPtrType;
    /** The instructions as the log prints them (map references resolved to addresses). */
    final List<Insn> printed;

    VerifierState cur;
    private final Deque<StackElem> stack = new ArrayDeque<>();
    private final Map<Integer, List<Checkpoint>> explored = new HashMap<>();
    private final List<Checkpoint> freeList = new ArrayList<>();
    final List<VerifierStep> steps = new ArrayList<>();
    private boolean stepsCut;
    int idGen;
    int insnIdx;
    int prevInsnIdx;
    int insnProcessed, jmpsProcessed, prevInsnProcessed, prevJmpsProcessed;
    private int totalStates, peakStates, maxStatesPerInsn, exploredSize, freeListSize;
    int scratchedRegs;
    long scratchedStack;
    /** env->cur_hist_ent: the history entry of the instruction being simulated, if it has one. */
    int curHist = -1;
    private int pathSerial;
    /** The path whose checkpoint covered the state just pruned. */
    private int prunedBy;

    private final boolean record;
    /**
     * Whether the loader is privileged (CAP_BPF and CAP_PERFMON, as root): allow_ptr_leaks, allow_uninit_stack,
     * bpf_capable and bypass_spec_v1/v4 all follow it.
     */
    final boolean priv;
    /** insn_aux_data[].seen: the instructions a (non-speculative) path simulated. */
    final BitSet seen = new BitSet();
    /** insn_aux_data[].nospec and .nospec_result: where speculative paths stop. */
    final BitSet nospec = new BitSet(), nospecResult = new BitSet();
    /** insn_aux_data[].alu_state and .alu_limit, for the unprivileged loader's pointer arithmetic. */
    final int[] aluState, aluLimit;
    /** subprog_info[].stack_depth. */
    final int[] stackDepth;
    /** env->explore_alu_limits: pruning compares scalars exactly once pointer arithmetic had a variable offset. */
    boolean exploreAluLimits;

    /** The kernel modelled; in the stack-args variants {@link #argTracking} answers which stack slots are alive. */
    final KernelVariant variant;
    final ArgTracking argTracking;

    private Verifier(BpfProgram p, int logLevel, List<Integer> subprogs, boolean record, boolean priv, KernelVariant variant) {
        this.record = record;
        this.variant = variant;
        this.priv = priv;
        this.aluState = new int[p.insns().size()];
        this.aluLimit = new int[p.insns().size()];
        this.stackDepth = new int[subprogs.size()];
        this.prog = p;
        this.insns = p.insns();
        this.log = new VerifierLog(logLevel);
        this.live = LiveRegs.of(p, priv);
        this.subprogs = subprogs;
        markPoints();
        // the variants keep 6.18's runtime liveness silent and unasked: only its CFG (postorder, successors) serves them
        this.stackLive = new StackLiveness(insns, subprogs, prunePoints, variant.stackArgs() ? new VerifierLog(0) : log);
        this.argTracking = variant.stackArgs() ? new ArgTracking(insns, subprogs, stackLive, log, variant.tracksStackArgSlots()) : null;
        this.checks = new InsnChecks(this);
        this.precision = new Precision(this);
        this.auxPtrType = new RegType[insns.size()];
        this.printed = Structure.printable(p, priv);
    }

    /** The log's text of instruction {@code i}: "(bf) r2 = r10". */
    String insnText(int i) {
        Insn x = printed.get(i);
        return Disasm.text(x, x.isLdImm64() && i + 1 < printed.size() ? printed.get(i + 1) : null);
    }

    /** Verifies {@code p} as Linux 6.18 would for root, with the log at {@code logLevel} (0, 1 or 2), recording its steps. */
    public static Result verify(BpfProgram p, int logLevel) {
        return verify(p, logLevel, true);
    }

    /** As {@link #verify(BpfProgram, int)}; without {@code steps} no trace is kept (the command line's way, for big programs). */
    public static Result verify(BpfProgram p, int logLevel, boolean steps) {
        return verify(p, logLevel, steps, true);
    }

    /** As {@link #verify(BpfProgram, int, boolean)}, for a privileged loader (root) or not. */
    public static Result verify(BpfProgram p, int logLevel, boolean steps, boolean privileged) {
        return verify(p, logLevel, steps, privileged, KernelVariant.LINUX_6_18, true);
    }

    /**
     * As {@link #verify(BpfProgram, int, boolean, boolean)}, as kernel {@code variant} would; {@code jited} is
     * bpf_jit_enable (the stack-args variants refuse stack arguments to the interpreter).
     */
    public static Result verify(BpfProgram p, int logLevel, boolean steps, boolean privileged, KernelVariant variant, boolean jited) {
        int level = Math.max(1, logLevel);
        if (!privileged && p.type() != BpfProgram.ProgType.SOCKET_FILTER) {
            // bpf_prog_load() refuses the type before the verifier runs: -EPERM, and no log at all
            return new Result(false, "", "", Map.of(), 0, "", List.of(), false, List.of(), List.of(), variant, null, null);
        }
        Structure.Result s = Structure.check(p, level, privileged);
        if (!s.ok()) {
            String text = logLevel == 0 ? "" : String.join("\n", s.log()) + "\n";
            return new Result(false, s.error(), text, Map.of(), 0, Structure.NOTHING_PROCESSED, List.of(), false, List.of(), List.of(), variant, null, null);
        }
        Verifier v = new Verifier(p, level, s.subprogs(), steps, privileged, variant);
        String error = null;
        try {
            for (String line : s.log()) {
                // the series runs its static liveness before the live-regs table is printed
                if (v.argTracking != null && line.equals("Live regs before insn:")) v.staticLiveness(jited);
                v.log.add(line + "\n");
            }
            if (v.argTracking != null && level < 2) v.staticLiveness(jited);
            v.doCheckMain();
            v.checkMaxStackDepth();
        } catch (Reject r) {
            error = r.getMessage();
        }
        String stats = v.stats();
        String text;
        if (error == null && level == 1) text = stats + "\n";
        else text = v.log + stats + "\n";
        if (error != null) error = lastLine(v.log.toString());
        Map<Integer, String> liveRegs = new LinkedHashMap<>();
        for (int i = 0; i < p.insns().size(); i++) {
            liveRegs.put(i, v.live.mask(i));
            if (p.insns().get(i).isLdImm64()) i++;
        }
        ArgTracking.Summary sum = v.argTracking == null ? null : v.argTracking.summary();
        return new Result(error == null, error == null ? "" : error, logLevel == 0 ? "" : text, liveRegs, v.insnProcessed, stats,
            List.copyOf(v.steps), v.stepsCut, sum == null ? List.copyOf(v.stackLive.lines) : sum.useDef(),
            sum == null ? v.stackLive.chains() : v.argTracking.chains(), variant, sum, error == null && v.priv ? Xlated.of(v) : null);
    }

    /**
     * The stack-args variants' checks before do_check(): stack arguments need the JIT and no reachable tail
     * call (the series' bpf_check() and check_max_stack_depth() refusals), then the static liveness.
     */
    private void staticLiveness(boolean jited) throws Reject {
        boolean stackArgs = false, tailCall = false;
        for (Insn x : insns) {
            if (ArgTracking.isStackArgStore(x) || ArgTracking.isStackArgLoad(x)) stackArgs = true;
            if (x.code() == (Insn.JMP | Insn.CALL) && x.src() == Insn.CALL_HELPER && x.imm() == 12) tailCall = true;
        }
        if (stackArgs && !jited) throw reject("stack arguments are only supported by the JIT (bpf_jit_enable is 0)");
        if (stackArgs && tailCall) throw reject("tail calls are not allowed in programs with stack arguments");
        try {
            argTracking.run();
        } catch (ArgTracking.Failure f) {
            throw new Reject(f.getMessage(), true);
        }
    }

    private static String lastLine(String log) {
        String[] lines = log.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) if (!lines[i].isEmpty()) return lines[i];
        return "";
    }

    /**
     * check_max_stack_depth_subprog() from the main program: along every chain of calls the frames' stacks
     * (each rounded up to 16 bytes, as for a JITed program) must fit in 512 bytes together.
     */
    private void checkMaxStackDepth() throws Reject {
        int[] retInsn = new int[MAX_CALL_FRAMES], retProg = new int[MAX_CALL_FRAMES];
        int idx = 0, frame = 0, depth = 0, i = subprogs.get(0);
        depth += roundUp16(stackDepth[0]);
        if (depth > MAX_BPF_STACK) throw reject("combined stack size of 1 calls is " + depth + ". Too large");
        for (;;) {
            int end = idx + 1 < subprogs.size() ? subprogs.get(idx + 1) : insns.size();
            boolean called = false;
            for (; i < end; i++) {
                Insn x = insns.get(i);
                boolean call = x.code() == (Insn.JMP | Insn.CALL) && x.src() == Insn.PSEUDO_CALL;
                boolean func = x.isLdImm64() && x.src() == Insn.PSEUDO_FUNC;
                if (!call && !func) continue;
                retInsn[frame] = i + 1;
                retProg[frame] = idx;
                int next = i + x.imm() + 1;
                idx = subprogs.indexOf(next);
                i = next;
                frame++;
                if (frame >= MAX_CALL_FRAMES) throw rejectFatal("the call stack of " + frame + " frames is too deep !");
                depth += roundUp16(stackDepth[idx]);
                if (depth > MAX_BPF_STACK) throw reject("combined stack size of " + (frame + 1) + " calls is " + depth + ". Too large");
                called = true;
                break;
            }
            if (called) continue;
            if (frame == 0) return;
            depth -= roundUp16(stackDepth[idx]);
            frame--;
            i = retInsn[frame];
            idx = retProg[frame];
        }
    }

    private static int roundUp16(int v) {
        return (v + 15) / 16 * 16;
    }

    String stats() {
        return "processed " + insnProcessed + " insns (limit " + COMPLEXITY_LIMIT_INSNS + ") max_states_per_insn " + maxStatesPerInsn
            + " total_states " + totalStates + " peak_states " + peakStates + " mark_read 0";
    }

    // ------------------------------------------------------------------ prune and jump points (check_cfg())
    private void markPoints() {
        int n = insns.size();
        for (int t = 0; t < n; t++) {
            Insn x = insns.get(t);
            if (x.isLdImm64()) {
                t++;
                continue;
            }
            int cls = x.cls();
            if (cls != Insn.JMP && cls != Insn.JMP32) continue;
            int op = x.op();
            if (op == Insn.EXIT) continue;
            if (op == Insn.CALL) {
                prunePoints.set(t + 1);
                jmpPoints.set(t + 1);
                if (x.src() == Insn.PSEUDO_CALL) {
                    prunePoints.set(t);
                    int w = t + x.imm() + 1;
                    prunePoints.set(w);
                    jmpPoints.set(w);
                }
                continue;
            }
            if (op == Insn.JA) {
                int w = t + (cls == Insn.JMP32 ? x.imm() : x.off()) + 1;
                prunePoints.set(w);
                jmpPoints.set(w);
                continue;
            }
            prunePoints.set(t);
            int w = t + x.off() + 1;
            prunePoints.set(w);
            jmpPoints.set(w);
        }
    }

    // ------------------------------------------------------------------ the exploration (do_check())
    private void doCheckMain() throws Reject {
        VerifierState st = new VerifierState();
        FuncState f = new FuncState();
        initFuncState(f, -1, 0, 0);
        f.regs[1].markPointer(RegType.CTX);
        st.frames.add(f);
        if (!priv) markAllPrecise(st);
        st.serial = pathSerial++;
        cur = st;
        markAllScratched();
        doCheck();
    }

    /** init_func_state(). */
    static void initFuncState(FuncState f, int callsite, int frameno, int subprogno) {
        for (RegState r : f.regs) r.markNotInit();
        f.regs[10].markPointer(RegType.STACK);
        f.regs[10].frameno = frameno;
        f.callsite = callsite;
        f.frameno = frameno;
        f.subprogno = subprogno;
    }

    private void doCheck() throws Reject {
        boolean popLog = !log.level2();
        boolean doPrintState = false;
        int prev = -1;
        int n = insns.size();
        for (;;) {
            prevInsnIdx = prev;
            curHist = -1;
            int idx = cur.insnIdx;
            insnIdx = idx;
            if (idx >= n) throw reject("invalid insn idx " + idx + " insn_cnt " + n);
            Insn insn = insns.get(idx);
            if (++insnProcessed > COMPLEXITY_LIMIT_INSNS) throw rejectFatal("BPF program is too large. Processed " + insnProcessed + " insn");
            cur.lastInsnIdx = prevInsnIdx;
            cur.insnIdx = idx;
            boolean exit = false;
            if (prunePoints.get(idx)) {
                int before = log.end();
                if (isStateVisited(idx)) {
                    if (log.on()) {
                        if (doPrintState) log.add("\nfrom " + prevInsnIdx + " to " + idx + (cur.speculative ? " (speculative execution)" : "") + ": safe\n");
                        else log.add(idx + ": safe\n");
                    }
                    step(new VerifierStep.Pruned(idx, before, cur.serial, prunedBy));
                    exit = true;
                }
            }
            if (!exit) {
                if (jmpPoints.get(idx)) pushJmpHistory(cur, 0, 0);
                if (log.level2() && doPrintState) {
                    log.add("\nfrom " + prevInsnIdx + " to " + idx + (cur.speculative ? " (speculative execution)" : "") + ":");
                    printVerifierState(cur, cur.curframe, true);
                    doPrintState = false;
                }
                if (log.on()) {
                    if (scratched()) printInsnState(cur);
                    log.prevLogPos = log.end();
                    log.add(idx + ": " + insnText(idx) + "\n");
                    log.prevInsnPrintPos = log.end() - log.prevLogPos;
                    log.prevLogPos = log.end();
                }
                prev = idx;
                // sanitize_mark_insn_seen(): what the rewrites keep (both slots of a 64-bit load)
                if (!cur.speculative) {
                    seen.set(idx);
                    if (insn.isLdImm64()) seen.set(idx + 1);
                }
                VerifierState before = record && steps.size() < MAX_STEPS ? cur.copy() : null;
                int logBefore = log.end();
                InsnChecks.Outcome o = null;
                if (cur.speculative && nospec.get(idx)) {
                    // a speculation barrier stops this path before the instruction it was unsafe to run
                    exit = true;
                } else {
                    stackLive.resetWrites(cur, idx);
                    try {
                        o = checks.doCheckInsn(insn, idx);
                        if (!priv) markAllPrecise(cur);
                    } catch (Reject r) {
                        if (cur.speculative && !r.fatal) {
                            // error_recoverable_with_nospec(): the path ends here, under a barrier
                            stackLive.commitWrites();
                            nospec.set(idx);
                            aluState[idx] = 0;
                            step(new VerifierStep.Failed(idx, log.end(), cur.serial, r.getMessage() + " (speculative: the path ends, the program is not refused)"));
                            exit = true;
                        } else {
                            step(new VerifierStep.Failed(idx, log.end(), cur.serial, r.getMessage()));
                            throw r;
                        }
                    }
                }
                if (o == null) {
                    // process_bpf_exit below
                } else {
                stackLive.commitWrites();
                if (before != null) step(new VerifierStep.Simulated(idx, logBefore, cur.serial, before, cur.copy()));
                if (o.doPrintState()) doPrintState = true;
                boolean barrier = cur.speculative && nospecResult.get(idx);
                if (!o.exit() && !barrier) {
                    cur.insnIdx = o.next();
                    continue;
                }
                step(new VerifierStep.Exited(idx, log.end(), cur.serial));
                }
            }
            // process_bpf_exit
            markAllScratched();
            updateBranchCounts(cur);
            stackLive.updateLiveStack(cur);
            StackElem head = stack.poll();
            if (head == null) break;
            int from = cur.serial;
            cur = head.st().copy();
            if (popLog) log.reset(head.logPos());
            cur.insnIdx = head.insnIdx();
            prev = head.prevInsnIdx();
            step(new VerifierStep.Popped(head.insnIdx(), log.end(), cur.serial, from));
            doPrintState = true;
        }
    }

    private void step(VerifierStep s) {
        if (!record) return;
        if (steps.size() < MAX_STEPS) steps.add(s);
        else stepsCut = true;
    }

    Reject reject(String msg) {
        log.add(msg + "\n");
        return new Reject(msg);
    }

    Reject rejectFatal(String msg) {
        log.add(msg + "\n");
        return new Reject(msg, true);
    }

    /** A loader without CAP_BPF tracks every scalar precisely (bpf_capable false: __mark_reg_unknown() sets precise). */
    void markAllPrecise(VerifierState st) {
        for (FuncState f : st.frames) {
            for (RegState r : f.regs) if (r.type == RegType.SCALAR) r.precise = true;
            for (StackSlot x : f.stack) if (x.isSpill() && x.spilled.type == RegType.SCALAR) x.spilled.precise = true;
        }
    }

    /** push_stack(): the other side of a branch, to be explored later from {@code target}. */
    VerifierState pushStack(int target, int prevIdx) throws Reject {
        return pushStack(target, prevIdx, false);
    }

    /** push_stack(); a {@code speculative} branch is simulated only as a mispredicted CPU might run it. */
    VerifierState pushStack(int target, int prevIdx, boolean speculative) throws Reject {
        VerifierState st = cur.copy();
        st.speculative |= speculative;
        if (!priv) markAllPrecise(st);
        st.serial = pathSerial++;
        stack.push(new StackElem(st, target, prevIdx, log.end()));
        if (stack.size() > COMPLEXITY_LIMIT_JMP_SEQ) throw rejectFatal("The sequence of " + stack.size() + " jumps is too complex.");
        if (st.parent != null) st.parent.branches++;
        step(new VerifierStep.Pushed(prevIdx, log.end(), cur.serial, target, st.serial));
        return st;
    }

    /** push_jmp_history(): record the instruction in the path's history (once per instruction, flags merged). */
    void pushJmpHistory(VerifierState st, int flags, long linkedRegs) {
        if (curHist >= 0 && st == cur && curHist < st.history.size()) {
            VerifierState.HistoryEntry e = st.history.get(curHist);
            st.history.set(curHist, new VerifierState.HistoryEntry(e.idx(), e.prevIdx(), e.flags() | flags, linkedRegs != 0 ? linkedRegs : e.linkedRegs()));
            return;
        }
        st.history.add(new VerifierState.HistoryEntry(insnIdx, prevInsnIdx, flags, linkedRegs));
        if (st == cur) curHist = st.history.size() - 1;
    }

    private void updateBranchCounts(VerifierState st) {
        while (st != null) {
            int br = --st.branches;
            if (br > 0) break;
            maybeExitScc(st);
            st = st.parent;
        }
        // evicted checkpoints whose paths are all done are freed (maybe_free_verifier_state())
        freeList.removeIf(c -> {
            if (c.state.branches == 0) {
                freeListSize--;
                return true;
            }
            return false;
        });
    }

    // ------------------------------------------------------------------ scratch marks and the state printer
    void markRegScratched(int r) {
        scratchedRegs |= 1 << r;
    }

    void markStackScratched(int spi) {
        scratchedStack |= 1L << spi;
    }

    void markAllScratched() {
        scratchedRegs = -1;
        scratchedStack = -1L;
    }

    private boolean scratched() {
        return scratchedRegs != 0 || scratchedStack != 0;
    }

    /** print_insn_state(). */
    void printInsnState(VerifierState st) {
        log.insnStatePrefix(insnIdx);
        printVerifierState(st, st.curframe, false);
    }

    /** print_verifier_state(): " R1=ctx() R10=fp0 fp-8=mmmmmmmm" and a newline; only scratched items unless {@code all}. */
    void printVerifierState(VerifierState st, int frameno, boolean all) {
        log.add(frameText(st.frames.get(frameno), all));
        if (!all) {
            scratchedRegs = 0;
            scratchedStack = 0;
        }
    }

    String frameText(FuncState f, boolean all) {
        StringBuilder b = new StringBuilder();
        if (f.frameno != 0) b.append(" frame").append(f.frameno).append(':');
        for (int i = 0; i < f.regs.length; i++) {
            RegState r = f.regs[i];
            if (r.type == RegType.NOT_INIT) continue;
            if (!all && (scratchedRegs & (1 << i)) == 0) continue;
            b.append(" R").append(i).append('=').append(r.text(f.frameno));
        }
        for (int i = 0; i < f.stack.size(); i++) {
            StackSlot s = f.stack.get(i);
            if (s.allInvalid()) continue;
            if (!all && (scratchedStack & (1L << i)) == 0) continue;
            b.append(" fp").append(-(i + 1) * 8).append('=').append(s.text(f.frameno));
        }
        for (int i = 0; i < f.stackArgs.length; i++) {
            RegState r = f.stackArgs[i];
            if (r.type == RegType.NOT_INIT) continue;
            if (!all && (scratchedRegs & (1 << (16 + i))) == 0) continue;
            b.append(" r11-").append((i + 1) * 8).append('=').append(r.text(f.frameno));
        }
        return b.append('\n').toString();
    }

    // ------------------------------------------------------------------ pruning (is_state_visited())
    private boolean isStateVisited(int idx) throws Reject {
        // is_force_checkpoint() is for callbacks and may_goto, which kstep does not model: only a long history forces one
        boolean force = cur.history.size() > 40;
        boolean addNew = force;
        if (jmpsProcessed - prevJmpsProcessed >= 2 && insnProcessed - prevInsnProcessed >= 8) addNew = true;
        // explored_state(): one list per (insn ^ callsite) % len, shared by the instructions that collide
        int bucket = (int) (Integer.toUnsignedLong(idx ^ cur.cur().callsite) % insns.size());
        List<Checkpoint> head = explored.computeIfAbsent(bucket, k -> new ArrayList<>());
        cleanLiveStates(head);
        int statesCnt = 0;
        for (Checkpoint sl : new ArrayList<>(head)) {
            statesCnt++;
            if (sl.state.insnIdx != idx) continue;
            if (sl.state.branches > 0) {
                if (StatesEqual.maybeLooping(sl.state, cur) && new StatesEqual(this, true).states(sl.state, cur)) {
                    log.add("infinite loop detected at insn " + idx + "\n");
                    log.add("cur state:");
                    printVerifierState(cur, cur.curframe, true);
                    log.add("old state:");
                    printVerifierState(sl.state, cur.curframe, true);
                    throw new Reject("infinite loop detected at insn " + idx);
                }
                if (!force && jmpsProcessed - prevJmpsProcessed < 20 && insnProcessed - prevInsnProcessed < 100) addNew = false;
            } else if (new StatesEqual(this, false).states(sl.state, cur)) {
                sl.hit++;
                prunedBy = sl.state.serial;
                if (jmpPoints.get(insnIdx)) pushJmpHistory(cur, 0, 0);
                precision.propagate(sl.state, cur);
                return true;
            }
            if (addNew) sl.miss++;
            if (sl.miss > sl.hit * 3 + 3) {
                head.remove(sl);
                exploredSize--;
                if (sl.state.branches > 0) {
                    freeListSize++;
                    freeList.add(sl);
                }
            }
        }
        if (maxStatesPerInsn < statesCnt) maxStatesPerInsn = statesCnt;
        if (!priv && statesCnt > 64) return false;
        if (!addNew) return false;
        totalStates++;
        exploredSize++;
        peakStates = Math.max(peakStates, exploredSize + freeListSize);
        prevJmpsProcessed = jmpsProcessed;
        prevInsnProcessed = insnProcessed;
        if (priv) precision.markAllScalarsImprecise(cur);
        if (argTracking != null) poisonDeadSlots(cur);
        VerifierState nw = cur.copy();
        nw.insnIdx = idx;
        nw.history = new ArrayList<>();
        // the checkpoint keeps the path's history up to here; the path goes on with an empty one
        nw.history.addAll(cur.history);
        cur.parent = nw;
        cur.firstInsnIdx = idx;
        cur.history = new ArrayList<>();
        curHist = -1;
        head.add(0, new Checkpoint(nw));
        maybeEnterScc(nw);
        return false;
    }

    // ------------------------------------------------------------------ loops (the SCC visits of 6.18)
    private final Map<String, VerifierState> sccEntries = new HashMap<>();

    /** compute_scc_callchain() and format_callchain(): "(5,1)" for SCC 1 reached through the call at 5; null outside loops. */
    private String sccCallchain(VerifierState st) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i <= st.curframe; i++) {
            int idx = st.frameInsnIdx(i);
            int scc = live.scc(idx);
            if (scc != 0) return b.append(scc).append(')').toString();
            if (i == st.curframe) return null;
            if (idx != 0) b.append(idx).append(',');
        }
        return null;
    }

    /** maybe_enter_scc(): the first checkpoint inside a loop starts a visit of it. */
    private void maybeEnterScc(VerifierState st) {
        String cc = sccCallchain(st);
        if (cc == null || sccEntries.get(cc) != null) return;
        sccEntries.put(cc, st);
        if (log.level2()) log.add("SCC enter " + cc + "\n");
    }

    /** maybe_exit_scc(): the visit ends when its entry checkpoint has no open paths left. */
    private void maybeExitScc(VerifierState st) {
        String cc = sccCallchain(st);
        if (cc == null || sccEntries.get(cc) != st) return;
        sccEntries.put(cc, null);
        if (log.level2()) log.add("SCC exit " + cc + "\n");
    }

    /** clean_live_states(): forget, in finished checkpoints here, registers and slots nothing reads any more. */
    private void cleanLiveStates(List<Checkpoint> head) {
        for (Checkpoint sl : head) {
            VerifierState st = sl.state;
            if (st.branches > 0 || st.cleaned || st.insnIdx != insnIdx || !sameCallsites(st, cur)) continue;
            st.cleaned = true;
            for (int i = 0; i <= st.curframe; i++) {
                FuncState f = st.frames.get(i);
                int ip = st.frameInsnIdx(i);
                int liveMask = live.bits(ip);
                for (int r = 0; r < 10; r++) if ((liveMask & (1 << r)) == 0) f.regs[r].markNotInit();
                for (int spi = 0; spi < f.stack.size(); spi++) if (!slotAlive(st, f.frameno, spi)) f.stack.get(spi).invalidate();
            }
        }
    }

    private boolean slotAlive(VerifierState st, int frameno, int spi) {
        return argTracking != null ? argTracking.slotAlive(st, frameno, spi) : stackLive.slotAlive(st, frameno, spi);
    }

    /**
     * The stack-args variants' poisoning at a new checkpoint: every slot the static liveness says nothing reads
     * any more becomes unreadable on the path, so a liveness mistake is a rejection rather than unsound pruning.
     */
    private void poisonDeadSlots(VerifierState st) {
        for (int i = 0; i <= st.curframe; i++) {
            FuncState f = st.frames.get(i);
            for (int spi = 0; spi < f.stack.size(); spi++) {
                StackSlot s = f.stack.get(spi);
                if (s.allInvalid() || s.anyPoison(0, 8) || slotAlive(st, f.frameno, spi)) continue;
                s.poison();
                if (log.level2()) log.add("poison frame" + f.frameno + " fp" + (-(spi + 1) * 8) + " at insn " + st.insnIdx + ": no read of it follows\n");
            }
        }
    }

    static boolean sameCallsites(VerifierState a, VerifierState b) {
        if (a.curframe != b.curframe) return false;
        for (int i = a.curframe; i >= 0; i--) if (a.frames.get(i).callsite != b.frames.get(i).callsite) return false;
        return true;
    }
}
