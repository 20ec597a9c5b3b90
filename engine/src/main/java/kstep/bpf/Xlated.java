package kstep.bpf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The program as Linux 6.18 rewrites it after verifying it for a privileged loader, the "xlated" image
 * bpf_prog_info reports and the JIT compiles (bpf_check() after do_check()): opt_hard_wire_dead_code_branches(),
 * opt_remove_dead_code() and opt_remove_nops() from the instructions no path reached, convert_ctx_accesses()
 * for __sk_buff and xdp_md loads, do_misc_fixups() (div/mod guards, sdiv/smod by -1, LD_ABS/LD_IND,
 * helper calls and the inlined bpf_get_smp_processor_id()), and jit_subprogs()'s form of a bpf-to-bpf call
 * (off: the relative target, imm: the callee's index). What depends on the kernel build (helper addresses,
 * the context layout) comes from a table learned from this machine's kernel by tools/bpfxlated.py.
 */
public final class Xlated {
    /** Why kstep cannot produce the rewritten program (a rewrite it has no table entry or rule for). */
    public static final class Unsupported extends RuntimeException {
        Unsupported(String m) {
            super(m);
        }
    }

    private final List<Insn> insns;
    private final List<Integer> starts;
    private final List<Integer> stackDepths;
    private final String unsupported;

    private Xlated(List<Insn> insns, List<Integer> starts, List<Integer> stackDepths, String unsupported) {
        this.insns = insns;
        this.starts = starts;
        this.stackDepths = stackDepths;
        this.unsupported = unsupported;
    }

    /** The rewritten instructions (throws {@link Unsupported} when kstep could not rewrite the program). */
    public List<Insn> insns() {
        if (unsupported != null) throw new Unsupported(unsupported);
        return insns;
    }

    /** Where each remaining subprogram starts, the main program's 0 first. */
    public List<Integer> subprogStarts() {
        return starts;
    }

    /** Each remaining subprogram's stack_depth. */
    public List<Integer> stackDepths() {
        return stackDepths;
    }

    /** The image as kbpf prints it: 16 hex digits a slot. */
    public String hex() {
        StringBuilder b = new StringBuilder();
        for (Insn x : insns()) b.append(x.hex());
        return b.toString();
    }

    // ------------------------------------------------------------------ the table of this kernel's facts
    private static final Map<Integer, Integer> HELPER_IMM = new HashMap<>();
    private static final Map<Integer, Integer> LDABS_IMM = new HashMap<>();
    private static final Map<Integer, List<Insn>> INLINE = new HashMap<>();
    private static final Map<String, List<Insn>> CTX = new HashMap<>();

    static {
        try (InputStream in = Xlated.class.getResourceAsStream("/kstep/bpf/jit/rewrites.tsv");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] w = line.split("\t");
                switch (w[0]) {
                    case "helper" -> HELPER_IMM.put(Integer.parseInt(w[1]), Integer.parseInt(w[2]));
                    case "ldabs" -> LDABS_IMM.put(Integer.parseInt(w[1]), Integer.parseInt(w[3]));
                    case "inline" -> INLINE.put(Integer.parseInt(w[1]), slots(w[2]));
                    case "ctx" -> CTX.put(w[1] + " " + w[2] + " " + w[3] + " " + w[4], w.length > 5 ? slots(w[5]) : List.of());
                    case "ctxstx" -> CTX.put("stx " + w[1] + " " + w[2] + " " + w[3] + " " + w[4], w.length > 5 ? slots(w[5]) : List.of());
                    case "ctxst" -> CTX.put("st " + w[1] + " " + w[2] + " " + w[3], w.length > 4 ? slots(w[4]) : List.of());
                    default -> throw new IllegalStateException("rewrites.tsv: unknown line " + line);
                }
            }
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("kstep's table of kernel rewrites is missing", e);
        }
    }

    /** The helper a rewritten call's imm names in this kernel ("bpf_get_prandom_u32#7"), or null. */
    public static String helperOf(int imm) {
        for (Map.Entry<Integer, Integer> e : HELPER_IMM.entrySet()) if (e.getValue() == imm) return Helpers.name(e.getKey()) + "#" + e.getKey();
        for (Map.Entry<Integer, Integer> e : LDABS_IMM.entrySet()) if (e.getValue() == imm) return "bpf_skb_load_helper_" + e.getKey() * 8;
        return null;
    }

    private static List<Insn> slots(String hex) {
        List<Insn> out = new ArrayList<>();
        for (String h : hex.trim().split(" ")) if (!h.isEmpty()) out.add(Insn.ofHex(h));
        return out;
    }

    // ------------------------------------------------------------------ the program being rewritten
    /** An instruction slot and what the verifier knew of it (insn_aux_data). */
    private static final class Slot {
        Insn insn;
        boolean seen;
        RegType ptrType;
        /** The subprogram whose first instruction this is, or -1. */
        int startsSubprog = -1;

        Slot(Insn insn, boolean seen, RegType ptrType) {
            this.insn = insn;
            this.seen = seen;
            this.ptrType = ptrType;
        }
    }

    private final List<Slot> prog = new ArrayList<>();

    private Xlated() {
        this.insns = null;
        this.starts = null;
        this.stackDepths = null;
        this.unsupported = null;
    }

    /** The rewrites of a program {@code v} has just accepted. */
    static Xlated of(Verifier v) {
        Xlated x = new Xlated();
        for (int i = 0; i < v.insns.size(); i++) x.prog.add(new Slot(v.insns.get(i), v.seen.get(i), v.auxPtrType[i]));
        for (int s = 0; s < v.subprogs.size(); s++) x.prog.get(v.subprogs.get(s)).startsSubprog = s;
        try {
            x.hardWireDeadCodeBranches();
            x.removeDeadCode();
            x.removeNops();
            x.convertCtxAccesses(v.prog.type());
            x.miscFixups();
        } catch (Unsupported e) {
            return new Xlated(List.of(), List.of(), List.of(), e.getMessage());
        }
        List<Insn> out = new ArrayList<>();
        List<Integer> starts = new ArrayList<>(), depths = new ArrayList<>();
        for (int i = 0; i < x.prog.size(); i++) {
            Slot s = x.prog.get(i);
            if (s.startsSubprog >= 0) {
                starts.add(i);
                depths.add(v.stackDepth[s.startsSubprog]);
            }
        }
        // jit_subprogs(): a call keeps its relative target in off and names its callee's index in imm
        for (int i = 0; i < x.prog.size(); i++) {
            Insn in = x.prog.get(i).insn;
            if (in.code() == (Insn.JMP | Insn.CALL) && in.src() == Insn.PSEUDO_CALL) {
                in = new Insn(in.code(), in.dst(), in.src(), in.imm(), starts.indexOf(i + in.imm() + 1));
            }
            out.add(in);
        }
        return new Xlated(out, starts, depths, null);
    }

    private static boolean isCondJump(Insn x) {
        int op = x.op();
        if (x.cls() == Insn.JMP32) return op != Insn.JA;
        if (x.cls() != Insn.JMP) return false;
        return op != Insn.JA && op != Insn.EXIT && op != Insn.CALL;
    }

    /** A jump's relative target: off, imm for a JMP32 JA and for a call of a subprogram. */
    private static boolean usesImm(Insn x) {
        return (x.cls() == Insn.JMP32 && x.op() == Insn.JA) || (x.code() == (Insn.JMP | Insn.CALL) && x.src() == Insn.PSEUDO_CALL)
            || (x.isLdImm64() && x.src() == Insn.PSEUDO_FUNC);
    }

    private static boolean isJump(Insn x) {
        if (x.isLdImm64()) return x.src() == Insn.PSEUDO_FUNC;
        if (x.cls() != Insn.JMP && x.cls() != Insn.JMP32) return false;
        if (x.op() == Insn.EXIT) return false;
        return x.op() != Insn.CALL || x.src() == Insn.PSEUDO_CALL;
    }

    private static int rel(Insn x) {
        return usesImm(x) ? x.imm() : x.off();
    }

    private static Insn withRel(Insn x, int r) {
        return usesImm(x) ? new Insn(x.code(), x.dst(), x.src(), x.off(), r) : new Insn(x.code(), x.dst(), x.src(), r, x.imm());
    }

    /** opt_hard_wire_dead_code_branches(): a branch with a side no path took becomes a goto, or a nop. */
    private void hardWireDeadCodeBranches() {
        for (int i = 0; i < prog.size(); i++) {
            Insn x = prog.get(i).insn;
            if (!isCondJump(x)) continue;
            int off;
            if (!prog.get(i + 1).seen) off = x.off();
            else if (!prog.get(i + 1 + x.off()).seen) off = 0;
            else continue;
            prog.get(i).insn = new Insn(Insn.JMP | Insn.JA, 0, 0, off, 0);
        }
    }

    /** opt_remove_dead_code(): every run of instructions no path reached goes. */
    private void removeDeadCode() {
        for (int i = 0; i < prog.size(); i++) {
            int j = 0;
            while (i + j < prog.size() && !prog.get(i + j).seen) j++;
            if (j > 0) remove(i, j);
        }
    }

    /** opt_remove_nops(): "goto +0" goes. */
    private void removeNops() {
        for (int i = 0; i < prog.size(); i++) {
            Insn x = prog.get(i).insn;
            if (x.code() == (Insn.JMP | Insn.JA) && x.dst() == 0 && x.src() == 0 && x.off() == 0 && x.imm() == 0) {
                remove(i, 1);
                i--;
            }
        }
    }

    /** verifier_remove_insns() with bpf_adj_branches(): the jumps over the range shrink by it. */
    private void remove(int pos, int cnt) {
        int end = pos + cnt;
        for (int i = 0; i < prog.size(); i++) {
            if (i >= pos && i < end) continue;
            Insn x = prog.get(i).insn;
            if (!isJump(x)) continue;
            int t = i + rel(x) + 1;
            if (i < pos && t >= end) prog.get(i).insn = withRel(x, rel(x) - cnt);
            else if (i >= end && t < end) prog.get(i).insn = withRel(x, rel(x) + cnt);
        }
        // a subprogram starting in the range begins where the range ends (or disappears with it)
        int moved = -1;
        for (int i = pos; i < end; i++) if (prog.get(i).startsSubprog >= 0) moved = prog.get(i).startsSubprog;
        for (int i = 0; i < cnt; i++) prog.remove(pos);
        if (moved >= 0 && pos < prog.size() && prog.get(pos).startsSubprog < 0) prog.get(pos).startsSubprog = moved;
    }

    /** bpf_patch_insn_data() with bpf_adj_branches(): {@code pos} becomes {@code repl}; jumps across it stretch. */
    private void patch(int pos, List<Insn> repl) {
        int delta = repl.size() - 1;
        for (int i = 0; i < prog.size(); i++) {
            if (i == pos) continue;
            Insn x = prog.get(i).insn;
            if (!isJump(x)) continue;
            int t = i + rel(x) + 1;
            if (i < pos && t > pos) prog.get(i).insn = withRel(x, rel(x) + delta);
            else if (i > pos && t <= pos) prog.get(i).insn = withRel(x, rel(x) - delta);
        }
        Slot s = prog.get(pos);
        s.insn = repl.get(0);
        for (int k = 1; k < repl.size(); k++) prog.add(pos + k, new Slot(repl.get(k), true, null));
    }

    /** convert_ctx_accesses(): a load from the context becomes the load of the kernel's field (from the table). */
    private void convertCtxAccesses(BpfProgram.ProgType type) {
        String t = type == BpfProgram.ProgType.XDP ? "xdp" : "socket_filter";
        for (int i = 0; i < prog.size(); i++) {
            Slot s = prog.get(i);
            if (s.ptrType != RegType.CTX) continue;
            Insn x = s.insn;
            int size = Insn.bytes(x.size());
            List<Insn> repl = new ArrayList<>();
            if (x.cls() == Insn.LDX) {
                boolean alias = x.dst() == x.src();
                List<Insn> tpl = CTX.get(t + " " + size + " " + x.off() + " " + (alias ? 1 : 0));
                if (tpl == null) throw new Unsupported("kstep's table has no rewrite for a " + size + "-byte load at offset " + x.off() + " of the " + t + " context");
                for (Insn y : tpl) repl.add(rename(y, x.dst(), x.src()));
                // a sign-extending load is the plain one, then the sign extension
                if (x.mode() == Insn.MEMSX) repl.add(new Insn(Insn.ALU64 | Insn.MOV | Insn.X, x.dst(), x.dst(), size * 8, 0));
            } else if (x.cls() == Insn.STX && x.mode() == Insn.MEM) {
                boolean alias = x.dst() == x.src();
                List<Insn> tpl = CTX.get("stx " + t + " " + size + " " + x.off() + " " + (alias ? 1 : 0));
                if (tpl == null) throw new Unsupported("kstep's table has no rewrite for a " + size + "-byte store at offset " + x.off() + " of the " + t + " context");
                // learned as a store of r2 through r3
                for (Insn y : tpl) repl.add(new Insn(y.code(), mapStore(y.dst(), x), mapStore(y.src(), x), y.off(), y.imm()));
            } else if (x.cls() == Insn.ST) {
                List<Insn> tpl = CTX.get("st " + t + " " + size + " " + x.off());
                if (tpl == null) throw new Unsupported("kstep's table has no rewrite for a " + size + "-byte store at offset " + x.off() + " of the " + t + " context");
                for (Insn y : tpl) repl.add(new Insn(y.code(), mapStore(y.dst(), x), mapStore(y.src(), x), y.off(), y.imm() == 0x11223344 ? x.imm() : y.imm()));
            } else {
                throw new Unsupported("kstep has no rewrite for an atomic access to the context (insn " + i + ")");
            }
            patch(i, repl);
            i += repl.size() - 1;
        }
    }

    /** A table instruction learned with r2 for the destination and r3 for the context, in this load's registers. */
    private static Insn rename(Insn y, int dst, int src) {
        return new Insn(y.code(), map(y.dst(), dst, src), map(y.src(), dst, src), y.off(), y.imm());
    }

    private static int mapStore(int r, Insn x) {
        if (r == 3) return x.dst();
        if (r == 2) return x.src();
        return r;
    }

    private static int map(int r, int dst, int src) {
        if (r == 2) return dst;
        if (r == 3) return src;
        return r;
    }

    /** do_misc_fixups(), for the instructions kstep's programs contain. */
    private void miscFixups() {
        for (int i = 0; i < prog.size(); i++) {
            Insn x = prog.get(i).insn;
            List<Insn> repl = fixup(x);
            if (repl == null) continue;
            patch(i, repl);
            i += repl.size() - 1;
        }
    }

    private static final int AX = 11;

    private List<Insn> fixup(Insn x) {
        int cls = x.cls(), op = x.op();
        boolean alu = cls == Insn.ALU || cls == Insn.ALU64;
        boolean is64 = cls == Insn.ALU64;
        int jc = is64 ? Insn.JMP : Insn.JMP32;
        if (alu && (op == Insn.DIV || op == Insn.MOD) && !x.srcX() && x.off() == 1 && x.imm() == -1) {
            // sdiv/smod by -1 cannot trap: the quotient is the negation, the remainder 0
            return List.of(op == Insn.DIV ? new Insn(cls | Insn.NEG, x.dst(), 0, 0, 0) : new Insn(Insn.ALU | Insn.MOV, x.dst(), 0, 0, 0));
        }
        if (alu && (op == Insn.DIV || op == Insn.MOD) && x.srcX()) {
            int s = x.src(), d = x.dst();
            if (x.off() == 1 && op == Insn.DIV) {
                return List.of(new Insn(Insn.ALU64 | Insn.MOV | Insn.X, AX, s, 0, 0), new Insn(cls | Insn.ADD, AX, 0, 0, 1),
                    new Insn(jc | Insn.JGT, AX, 0, 4, 1), new Insn(jc | Insn.JEQ, AX, 0, 1, 0),
                    new Insn(cls | Insn.MOV, d, 0, 0, 0), new Insn(cls | Insn.NEG, d, 0, 0, 0), new Insn(Insn.JMP | Insn.JA, 0, 0, 1, 0), x);
            }
            if (x.off() == 1) {
                List<Insn> p = new ArrayList<>(List.of(new Insn(Insn.ALU64 | Insn.MOV | Insn.X, AX, s, 0, 0), new Insn(cls | Insn.ADD, AX, 0, 0, 1),
                    new Insn(jc | Insn.JGT, AX, 0, 3, 1), new Insn(jc | Insn.JEQ, AX, 0, 3 + (is64 ? 0 : 1), 1),
                    new Insn(Insn.ALU | Insn.MOV, d, 0, 0, 0), new Insn(Insn.JMP | Insn.JA, 0, 0, 1, 0), x));
                if (!is64) {
                    p.add(new Insn(Insn.JMP | Insn.JA, 0, 0, 1, 0));
                    p.add(new Insn(Insn.ALU | Insn.MOV | Insn.X, d, d, 0, 0));
                }
                return p;
            }
            if (op == Insn.DIV) {
                return List.of(new Insn(jc | Insn.JNE, s, 0, 2, 0), new Insn(Insn.ALU | Insn.XOR | Insn.X, d, d, 0, 0), new Insn(Insn.JMP | Insn.JA, 0, 0, 1, 0), x);
            }
            List<Insn> p = new ArrayList<>(List.of(new Insn(jc | Insn.JEQ, s, 0, 1 + (is64 ? 0 : 1), 0), x));
            if (!is64) {
                p.add(new Insn(Insn.JMP | Insn.JA, 0, 0, 1, 0));
                p.add(new Insn(Insn.ALU | Insn.MOV | Insn.X, d, d, 0, 0));
            }
            return p;
        }
        if (cls == Insn.LD && (x.mode() == Insn.ABS || x.mode() == Insn.IND)) {
            // bpf_gen_ld_abs(): r2 = the offset, r1 = the skb in r6, the load helper of the size, and a failed load ends the program with 0
            int size = Insn.bytes(x.size());
            Integer imm = LDABS_IMM.get(size);
            if (imm == null) throw new Unsupported("kstep's table has no helper for a " + size + "-byte LD_ABS");
            List<Insn> p = new ArrayList<>();
            if (x.mode() == Insn.ABS) {
                p.add(new Insn(Insn.ALU64 | Insn.MOV, 2, 0, 0, x.imm()));
            } else {
                p.add(new Insn(Insn.ALU64 | Insn.MOV | Insn.X, 2, x.src(), 0, 0));
                if (x.imm() != 0) p.add(new Insn(Insn.ALU64 | Insn.ADD, 2, 0, 0, x.imm()));
            }
            p.add(new Insn(Insn.ALU64 | Insn.MOV | Insn.X, 1, 6, 0, 0));
            p.add(new Insn(Insn.JMP | Insn.CALL, 0, 0, 0, imm));
            p.add(new Insn(Insn.JMP | Insn.JSGE, 0, 0, 2, 0));
            p.add(new Insn(Insn.ALU | Insn.XOR | Insn.X, 0, 0, 0, 0));
            p.add(new Insn(Insn.JMP | Insn.EXIT, 0, 0, 0, 0));
            return p;
        }
        if (x.code() == (Insn.STX | Insn.ATOMIC | Insn.W) && x.imm() == Insn.CMPXCHG) {
            // a 32-bit cmpxchg's old value in r0 is zero-extended explicitly (opt_subreg_zext_lo32_rnd_hi32(): BPF_ZEXT_REG, a mov32 with imm 1)
            return List.of(x, new Insn(Insn.ALU | Insn.MOV | Insn.X, 0, 0, 0, 1));
        }
        if (x.code() == (Insn.JMP | Insn.CALL) && x.src() == Insn.CALL_HELPER) {
            List<Insn> inl = INLINE.get(x.imm());
            if (inl != null) return inl;
            Integer imm = HELPER_IMM.get(x.imm());
            if (imm == null) throw new Unsupported("kstep's table has no address for helper " + Helpers.name(x.imm()) + " in this kernel");
            return List.of(new Insn(x.code(), 0, 0, 0, imm));
        }
        return null;
    }
}
