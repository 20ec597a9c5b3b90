package kstep.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The verifier's register liveness before each instruction, the "Live regs before insn:" table of the log
 * (follows kernel/bpf/verifier.c compute_live_registers() of Linux 6.18): each instruction uses and defines
 * registers; a backward fixpoint over the control flow gives, for every instruction, the registers some
 * path from it reads before writing. A call uses r1..rN (N from the helper's prototype for the program
 * type, five for a bpf-to-bpf call without BTF) and defines r0-r5; exit uses r0; a legacy packet load may
 * end the program, so it uses r0-r9. The table also numbers the loops (strongly connected components of
 * more than one instruction, or one that jumps to itself), as compute_scc() does.
 */
public final class LiveRegs {
    static final int CALLER_SAVED = 0x3f;
    static final int ALL = 0x3ff;

    private final int[] use;
    private final int[] def;
    private final int[] liveBefore;
    private final int[] scc;
    private final List<Insn> insns;
    /** The second slots of 64-bit loads: not instructions of their own. */
    private final boolean[] second;

    private final boolean priv;

    private LiveRegs(List<Insn> insns, BpfProgram.ProgType type, boolean priv) {
        this.priv = priv;
        this.insns = insns;
        int n = insns.size();
        second = new boolean[n];
        for (int k = 0; k < n; k += insns.get(k).isLdImm64() ? 2 : 1) if (insns.get(k).isLdImm64() && k + 1 < n) second[k + 1] = true;
        use = new int[n];
        def = new int[n];
        for (int i = 0; i < n; i++) {
            int[] ud = useDef(insns.get(i), type, priv);
            use[i] = ud[0];
            def[i] = ud[1];
        }
        liveBefore = new int[n];
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = n - 1; i >= 0; i--) {
                if (isSecondSlot(i)) continue;
                int out = 0;
                for (int s : successors(i)) if (s >= 0 && s < n) out |= liveBefore[s];
                int in = use[i] | (out & ~def[i]);
                if (in != liveBefore[i]) {
                    liveBefore[i] = in;
                    changed = true;
                }
            }
        }
        scc = sccs();
    }

    public static LiveRegs of(BpfProgram p) {
        return of(p, true);
    }

    /** As {@link #of(BpfProgram)}; an unprivileged loader has fewer helpers, and an unknown helper reads r1-r5. */
    public static LiveRegs of(BpfProgram p, boolean priv) {
        return new LiveRegs(p.insns(), p.type(), priv);
    }

    private boolean isSecondSlot(int i) {
        return second[i];
    }

    private int[] successors(int i) {
        return Cfg.successors(insns, i, false);
    }

    static int[] useDef(Insn in, BpfProgram.ProgType type, boolean priv) {
        int dst = 1 << in.dst(), src = 1 << in.src();
        int u, d;
        switch (in.cls()) {
            case Insn.LD -> {
                if (in.isLdImm64()) {
                    u = 0;
                    d = dst;
                } else {
                    // LD_ABS/LD_IND may end the program: everything is read
                    u = ALL;
                    d = CALLER_SAVED;
                }
            }
            case Insn.LDX -> {
                u = src;
                d = dst;
            }
            case Insn.ST -> {
                u = dst;
                d = 0;
            }
            case Insn.STX -> {
                if (in.mode() != Insn.ATOMIC) {
                    u = dst | src;
                    d = 0;
                } else if (in.imm() == Insn.CMPXCHG) {
                    u = 1 | dst | src;
                    d = 1;
                } else if (in.imm() == Insn.LOAD_ACQ) {
                    u = src;
                    d = dst;
                } else if (in.imm() == Insn.STORE_REL) {
                    u = dst | src;
                    d = 0;
                } else {
                    u = dst | src;
                    d = (in.imm() & Insn.FETCH) != 0 ? src : 0;
                }
            }
            case Insn.ALU, Insn.ALU64 -> {
                d = dst;
                if (in.op() == Insn.END) u = dst;
                else if (in.op() == Insn.MOV) u = in.srcX() ? src : 0;
                else u = in.srcX() ? dst | src : dst;
            }
            default -> {
                int op = in.op();
                if (op == Insn.JA) {
                    u = in.srcX() ? dst : 0;
                    d = 0;
                } else if (op == Insn.JCOND) {
                    u = 0;
                    d = 0;
                } else if (op == Insn.EXIT) {
                    u = 1;
                    d = 0;
                } else if (op == Insn.CALL) {
                    d = CALLER_SAVED;
                    int args = in.src() == Insn.CALL_HELPER ? helperArgs(in.imm(), type, priv) : 5;
                    u = ((1 << (args + 1)) - 1) & ~1;
                } else {
                    u = in.srcX() ? dst | src : dst;
                    d = 0;
                }
            }
        }
        return new int[] {u & ALL, d & ALL};
    }

    private static final int[][] HELPER_ARGS = load();

    private static int[][] load() {
        int[][] t = new int[212][2];
        for (int[] r : t) java.util.Arrays.fill(r, 5);
        try (InputStream in = LiveRegs.class.getResourceAsStream("/kstep/bpf/helper-args.tsv")) {
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (l.startsWith("#") || l.isBlank()) continue;
                String[] f = l.split("\t");
                int id = Integer.parseInt(f[0]);
                t[id][0] = Integer.parseInt(f[1]);
                t[id][1] = Integer.parseInt(f[2]);
            }
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("kstep's helper argument table is missing", e);
        }
        return t;
    }

    /** The argument registers helper {@code id} reads in a program of {@code type} (5 if it has no prototype there). */
    static int helperArgs(int id, BpfProgram.ProgType type, boolean priv) {
        if (id <= 0 || id >= HELPER_ARGS.length) return 5;
        if (!priv && HelperProto.ROOT_ONLY.contains(id)) return 5;
        return HELPER_ARGS[id][type == BpfProgram.ProgType.XDP ? 1 : 0];
    }

    /** Tarjan's strongly connected components from every instruction in order; loops numbered from 1. */
    private int[] sccs() {
        int n = insns.size();
        int[] index = new int[n], low = new int[n], out = new int[n];
        boolean[] onStack = new boolean[n];
        java.util.Arrays.fill(index, -1);
        int[] stack = new int[n];
        int sp = 0, counter = 0, next = 1;
        for (int root = 0; root < n; root++) {
            if (index[root] >= 0 || isSecondSlot(root)) continue;
            // an iterative depth-first search: frames of (instruction, next successor to try)
            List<int[]> dfs = new ArrayList<>();
            dfs.add(new int[] {root, 0});
            index[root] = low[root] = counter++;
            stack[sp++] = root;
            onStack[root] = true;
            while (!dfs.isEmpty()) {
                int[] f = dfs.get(dfs.size() - 1);
                int v = f[0];
                int[] succ = successors(v);
                if (f[1] < succ.length) {
                    int w = succ[f[1]++];
                    if (w < 0 || w >= n) continue;
                    if (index[w] < 0) {
                        index[w] = low[w] = counter++;
                        stack[sp++] = w;
                        onStack[w] = true;
                        dfs.add(new int[] {w, 0});
                    } else if (onStack[w]) {
                        low[v] = Math.min(low[v], index[w]);
                    }
                    continue;
                }
                dfs.remove(dfs.size() - 1);
                if (!dfs.isEmpty()) {
                    int u = dfs.get(dfs.size() - 1)[0];
                    low[u] = Math.min(low[u], low[v]);
                }
                if (low[v] != index[v]) continue;
                int size = 0, top = sp;
                while (true) {
                    int w = stack[--top];
                    size++;
                    if (w == v) break;
                }
                boolean selfLoop = false;
                for (int s : successors(v)) if (s == v) selfLoop = true;
                int id = size > 1 || selfLoop ? next++ : 0;
                while (sp > top) {
                    int w = stack[--sp];
                    onStack[w] = false;
                    out[w] = id;
                }
            }
        }
        return out;
    }

    /** The registers live before instruction {@code i}, as the table prints them: "0.2...6..9". */
    public String mask(int i) {
        StringBuilder b = new StringBuilder(10);
        for (int r = 0; r < 10; r++) b.append((liveBefore[i] & (1 << r)) != 0 ? (char) ('0' + r) : '.');
        return b.toString();
    }

    /** The registers instruction {@code i} writes, as a bit mask. */
    public int defs(int i) {
        return def[i];
    }

    /** The live registers before instruction {@code i} as a bit mask (bit r for register r). */
    public int bits(int i) {
        return liveBefore[i];
    }

    public int scc(int i) {
        return scc[i];
    }

    /** The table as the log prints it, one line an instruction (the second slot of a 64-bit load left out). */
    public List<String> table() {
        List<String> out = new ArrayList<>();
        List<String> texts = Disasm.program(insns);
        for (int i = 0; i < insns.size(); i++) {
            if (texts.get(i) == null) continue;
            String head = scc[i] != 0 ? String.format("%3d ", scc[i]) : "    ";
            out.add(head + String.format("%3d: ", i) + mask(i) + " " + texts.get(i));
        }
        return out;
    }
}
