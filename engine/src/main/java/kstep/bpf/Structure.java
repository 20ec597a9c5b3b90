package kstep.bpf;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.TreeSet;

/**
 * What Linux 6.18's verifier checks before it simulates a single instruction, in its order and with its
 * messages: the subprograms (add_subprog_and_kfunc(): "call to invalid destination", then a
 * {@code func#N @START} line each at log level 2), jumps within their subprogram and a last instruction
 * that cannot fall into the next one (check_subprogs()), known opcodes, LDX's reserved fields and the
 * two-slot 64-bit load (resolve_pseudo_ldimm64()), every instruction reachable and no jump into the middle
 * of a 64-bit load (check_cfg(); loops are allowed, as for a privileged loader), and at log level 2 the
 * live-regs table. A failure here ends the log with "processed 0 insns".
 */
public final class Structure {
    /** The outcome: the log lines so far, the error (null if the program may be simulated), the subprograms' starts. */
    public record Result(List<String> log, String error, List<Integer> subprogs) {
        public boolean ok() {
            return error == null;
        }
    }

    /** bpf_opcode_in_insntable(): the opcodes Linux 6.18 knows, as it answers for each of the 256. */
    static final BitSet OPCODES = new BitSet(256);

    static {
        String known = "01 04 05 06 07 09 0c 0f 11 14 15 16 17 18 19 1c 1d 1e 1f 20 21 24 25 26 27 28 29 2c 2d 2e 2f 30 31 34 35 36 37 39"
            + " 3c 3d 3e 3f 40 41 44 45 46 47 48 49 4c 4d 4e 4f 50 51 54 55 56 57 59 5c 5d 5e 5f 61 62 63 64 65 66 67 69 6a 6b 6c 6d 6e"
            + " 6f 71 72 73 74 75 76 77 79 7a 7b 7c 7d 7e 7f 81 84 85 87 89 91 94 95 97 9c 9f a1 a4 a5 a6 a7 a9 ac ad ae af b1 b4 b5 b6"
            + " b7 b9 bc bd be bf c1 c3 c4 c5 c6 c7 c9 cb cc cd ce cf d1 d3 d4 d5 d6 d7 d9 db dc dd de e1 e5 e9 f1 f9";
        for (String h : known.split(" ")) OPCODES.set(Integer.parseInt(h, 16));
    }

    public static final String NOTHING_PROCESSED = "processed 0 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0";

    private Structure() { }

    public static Result check(BpfProgram p, int logLevel) {
        return check(p, logLevel, true);
    }

    /** As {@link #check(BpfProgram, int)}; a loader without CAP_BPF may not call subprograms nor loop back. */
    public static Result check(BpfProgram p, int logLevel, boolean priv) {
        List<Insn> in = p.insns();
        int n = in.size();
        List<String> log = new ArrayList<>();
        // add_subprog_and_kfunc(): the main program, and every bpf-to-bpf call's or callback's target
        TreeSet<Integer> starts = new TreeSet<>();
        starts.add(0);
        for (int i = 0; i < n; i++) {
            Insn x = in.get(i);
            boolean call = x.code() == (Insn.JMP | Insn.CALL) && x.src() == Insn.PSEUDO_CALL;
            boolean func = x.isLdImm64() && x.src() == Insn.PSEUDO_FUNC;
            if (!call && !func && !(x.code() == (Insn.JMP | Insn.CALL) && x.src() == Insn.PSEUDO_KFUNC_CALL)) continue;
            if (!priv) return fail(log, "loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN");
            if (!call && !func) continue;
            int target = i + x.imm() + 1;
            if (target < 0 || target >= n) return fail(log, "call to invalid destination");
            starts.add(target);
        }
        List<Integer> subprogs = new ArrayList<>(starts);
        if (logLevel >= 2) for (int k = 0; k < subprogs.size(); k++) log.add("func#" + k + " @" + subprogs.get(k));
        // check_subprogs(): every jump stays in its subprogram; none falls off its end into the next one
        int cur = 0;
        int start = 0;
        int end = subprogs.size() > 1 ? subprogs.get(1) : n;
        for (int i = 0; i < n; i++) {
            Insn x = in.get(i);
            int cls = x.cls();
            if ((cls == Insn.JMP || cls == Insn.JMP32) && x.op() != Insn.EXIT && x.op() != Insn.CALL) {
                int target = x.code() == (Insn.JMP32 | Insn.JA) ? i + x.imm() + 1 : i + x.off() + 1;
                if (target < start || target >= end) return fail(log, "jump out of range from insn " + i + " to " + target);
            }
            if (i == end - 1) {
                int c = x.code();
                if (c != (Insn.JMP | Insn.EXIT) && c != (Insn.JMP32 | Insn.JA) && c != (Insn.JMP | Insn.JA)) return fail(log, "last insn is not an exit or jmp");
                start = end;
                cur++;
                end = cur + 1 < subprogs.size() ? subprogs.get(cur + 1) : n;
            }
        }
        // check_abnormal_return(): without BTF, a subprogram may neither use legacy packet loads nor tail-call
        for (int k = 1; k < subprogs.size(); k++) {
            int from = subprogs.get(k), to = k + 1 < subprogs.size() ? subprogs.get(k + 1) : n;
            boolean ldAbs = false, tailCall = false;
            for (int i = from; i < to; i++) {
                Insn x = in.get(i);
                if (x.cls() == Insn.LD && (x.mode() == Insn.ABS || x.mode() == Insn.IND)) ldAbs = true;
                if (x.code() == (Insn.JMP | Insn.CALL) && x.src() == 0 && x.imm() == 12) tailCall = true;
            }
            if (ldAbs) return fail(log, "LD_ABS is not allowed in subprogs without BTF");
            if (tailCall) return fail(log, "tail_call is not allowed in subprogs without BTF");
        }
        // resolve_pseudo_ldimm64(): known opcodes, LDX's unused fields, the second slot of a 64-bit load
        for (int i = 0; i < n; i++) {
            Insn x = in.get(i);
            if (!OPCODES.get(x.code())) return fail(log, String.format("unknown opcode %02x", x.code()));
            if (x.cls() == Insn.LDX && ((x.mode() != Insn.MEM && x.mode() != Insn.MEMSX) || x.imm() != 0)) return fail(log, "BPF_LDX uses reserved fields");
            if (x.isLdImm64()) {
                Insn hi = i + 1 < n ? in.get(i + 1) : null;
                if (hi == null || hi.code() != 0 || hi.dst() != 0 || hi.src() != 0 || hi.off() != 0) return fail(log, "invalid bpf_ld_imm64 insn");
                if (x.src() != 0 && x.src() != Insn.PSEUDO_FUNC) {
                    String e = mapReference(p, x, hi);
                    if (e != null) return fail(log, e);
                }
                i++;
            }
        }
        if (!priv) {
            String e = backEdge(in);
            if (e != null) return fail(log, e);
        }
        // check_cfg(): a depth-first walk from the first instruction, into every called subprogram
        BitSet seen = new BitSet(n);
        java.util.ArrayDeque<Integer> stack = new java.util.ArrayDeque<>();
        stack.push(0);
        seen.set(0);
        while (!stack.isEmpty()) {
            int t = stack.pop();
            for (int w : Cfg.successors(in, t, true)) {
                if (w < 0 || w >= n) return fail(log, "jump out of range from insn " + t + " to " + w);
                if (!seen.get(w)) {
                    seen.set(w);
                    stack.push(w);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (!seen.get(i)) return fail(log, "unreachable insn " + i);
            if (in.get(i).isLdImm64()) {
                if (i + 1 < n && seen.get(i + 1)) return fail(log, "jump into the middle of ldimm64 insn " + i);
                i++;
            }
        }
        if (logLevel >= 2) {
            log.add("Live regs before insn:");
            log.addAll(LiveRegs.of(new BpfProgram(p.name(), p.type(), printable(p, priv), p.maps()), priv).table());
        }
        return new Result(log, null, subprogs);
    }

    /** resolve_pseudo_ldimm64() for a map reference: the map index the loader passes as fd, its kind, a value offset. */
    private static String mapReference(BpfProgram p, Insn x, Insn hi) {
        switch (x.src()) {
            case Insn.PSEUDO_MAP_VALUE -> { }
            case Insn.PSEUDO_MAP_FD -> {
                if (hi.imm() != 0) return "unrecognized bpf_ld_imm64 insn";
            }
            default -> {
                return "unrecognized bpf_ld_imm64 insn";
            }
        }
        if (x.imm() < 0 || x.imm() >= p.maps().size()) return "fd " + x.imm() + " is not pointing to valid bpf_map";
        BpfMap m = p.maps().get(x.imm());
        if (x.src() == Insn.PSEUDO_MAP_VALUE) {
            long off = hi.imm() & 0xffffffffL;
            if (off >= (1L << 29)) return "direct value offset of " + off + " is not allowed";
            if (m.type != BpfMap.ARRAY) return "no direct value access support for this map type";
            if (off >= m.valueSize) return "invalid access to map value pointer, value_size=" + m.valueSize + " off=" + off;
        }
        return null;
    }

    /** The address the log shows for map {@code index} once a root loader's reference is resolved (kstep's, not the kernel's). */
    static long mapAddress(int index) {
        return HelperCalls.MAP_PTRS + index * 0x100L;
    }

    /**
     * The program as a privileged loader's log prints it: a map reference shows the address it became
     * (bpf_insn_print with pointers allowed), so the table and the state lines read "r1 = 0xffff8881...".
     */
    static List<Insn> printable(BpfProgram p) {
        return printable(p, true);
    }

    /** As {@link #printable(BpfProgram)}; an unprivileged loader's log shows no kernel address (0x0). */
    static List<Insn> printable(BpfProgram p, boolean priv) {
        List<Insn> out = new ArrayList<>(p.insns());
        for (int i = 0; i + 1 < out.size(); i++) {
            Insn x = out.get(i);
            if (!x.isLdImm64()) continue;
            if ((x.src() == Insn.PSEUDO_MAP_FD || x.src() == Insn.PSEUDO_MAP_VALUE) && x.imm() >= 0 && x.imm() < p.maps().size()) {
                long a = !priv ? 0 : mapAddress(x.imm()) + (x.src() == Insn.PSEUDO_MAP_VALUE ? 0x80L + (out.get(i + 1).imm() & 0xffffffffL) : 0);
                out.set(i, new Insn(x.code(), x.dst(), 0, x.off(), (int) a));
                out.set(i + 1, new Insn(0, 0, 0, 0, (int) (a >>> 32)));
            }
            i++;
        }
        return out;
    }

    /**
     * check_cfg()'s walk as visit_insn() and push_insn() make it (a jump's fall-through edge first, then its
     * branch), for a loader without CAP_BPF: an edge back to an instruction still being explored is a loop.
     */
    private static String backEdge(List<Insn> in) {
        int n = in.size();
        int[] state = new int[n];
        int[] stack = new int[n + 1];
        int sp = 0;
        stack[sp++] = 0;
        state[0] = DISCOVERED;
        String[] err = new String[1];
        while (sp > 0) {
            int t = stack[sp - 1];
            Insn x = in.get(t);
            int cls = x.cls();
            int ret;
            if (x.isLdImm64() || (cls != Insn.JMP && cls != Insn.JMP32)) {
                ret = push(state, stack, sp, t, t + (x.isLdImm64() ? 2 : 1), FALLTHROUGH, err);
            } else if (x.op() == Insn.EXIT) {
                ret = 0;
            } else if (x.op() == Insn.CALL) {
                ret = push(state, stack, sp, t, t + 1, FALLTHROUGH, err);
            } else if (x.op() == Insn.JA) {
                ret = push(state, stack, sp, t, t + 1 + (cls == Insn.JMP32 ? x.imm() : x.off()), FALLTHROUGH, err);
            } else {
                ret = push(state, stack, sp, t, t + 1, FALLTHROUGH, err);
                if (ret == 0) ret = push(state, stack, sp, t, t + 1 + x.off(), BRANCH, err);
            }
            if (ret < 0) return err[0];
            if (ret == 1) {
                sp++;
            } else {
                state[t] = EXPLORED;
                sp--;
            }
        }
        return null;
    }

    private static final int DISCOVERED = 0x10, EXPLORED = 0x20, FALLTHROUGH = 1, BRANCH = 2;

    /** push_insn(): 1 when {@code w} was pushed (at stack[sp]), 0 when the edge is done, -1 for a loop. */
    private static int push(int[] state, int[] stack, int sp, int t, int w, int e, String[] err) {
        if (state[t] >= (DISCOVERED | e)) return 0;
        if (w < 0 || w >= state.length) return 0;
        if (state[w] == 0) {
            state[t] = DISCOVERED | e;
            state[w] = DISCOVERED;
            stack[sp] = w;
            return 1;
        }
        if ((state[w] & 0xf0) == DISCOVERED) {
            err[0] = "back-edge from insn " + t + " to " + w;
            return -1;
        }
        state[t] = DISCOVERED | e;
        return 0;
    }

    private static Result fail(List<String> log, String error) {
        log.add(error);
        log.add(NOTHING_PROCESSED);
        return new Result(log, error, List.of());
    }
}
