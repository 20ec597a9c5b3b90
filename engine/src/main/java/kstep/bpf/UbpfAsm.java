package kstep.bpf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The assembly of bpf_conformance and uBPF: {@code mov %r0, 1}, {@code ldxw %r0, [%r1+2]},
 * {@code jne %r0, 15, failed}, {@code lock fetch add32 [%r10-4], %r1}, {@code call local func1}, labels
 * ({@code failed:}) and {@code #} comments. Errors name line and column.
 */
public final class UbpfAsm {
    private UbpfAsm() { }

    static final Map<String, Integer> ALU = Map.ofEntries(Map.entry("add", Insn.ADD), Map.entry("sub", Insn.SUB), Map.entry("mul", Insn.MUL),
        Map.entry("div", Insn.DIV), Map.entry("or", Insn.OR), Map.entry("and", Insn.AND), Map.entry("lsh", Insn.LSH), Map.entry("rsh", Insn.RSH),
        Map.entry("mod", Insn.MOD), Map.entry("xor", Insn.XOR), Map.entry("mov", Insn.MOV), Map.entry("arsh", Insn.ARSH),
        Map.entry("sdiv", Insn.DIV), Map.entry("smod", Insn.MOD));
    static final Map<String, Integer> JMP = Map.ofEntries(Map.entry("jeq", Insn.JEQ), Map.entry("jgt", Insn.JGT), Map.entry("jge", Insn.JGE),
        Map.entry("jset", Insn.JSET), Map.entry("jne", Insn.JNE), Map.entry("jsgt", Insn.JSGT), Map.entry("jsge", Insn.JSGE),
        Map.entry("jlt", Insn.JLT), Map.entry("jle", Insn.JLE), Map.entry("jslt", Insn.JSLT), Map.entry("jsle", Insn.JSLE));
    static final Map<String, Integer> SIZES = Map.of("b", Insn.B, "h", Insn.H, "w", Insn.W, "dw", Insn.DW);
    static final Map<String, Integer> ATOMIC = Map.of("add", Insn.ADD, "or", Insn.OR, "and", Insn.AND, "xor", Insn.XOR);

    private static final Pattern MEM = Pattern.compile("\\[\\s*%r(\\d+)\\s*(?:([+-])\\s*(\\w+))?\\s*\\]");

    /** A line's parts, with the column each starts at. */
    private record Tok(String text, int col) { }

    /** An instruction waiting for its label: slot, line, column, label, and whether the offset goes in imm. */
    private record Fixup(int slot, int line, int col, String label, boolean inImm) { }

    public static List<Insn> assemble(String file, String text) {
        List<Insn> out = new ArrayList<>();
        Map<String, Integer> labels = new HashMap<>();
        List<Fixup> fixups = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int ln = 0; ln < lines.length; ln++) {
            String line = lines[ln];
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash);
            String trimmed = line.strip();
            if (trimmed.isEmpty()) continue;
            int lineNo = ln + 1;
            int col0 = line.indexOf(trimmed.charAt(0)) + 1;
            if (trimmed.endsWith(":") && trimmed.indexOf(' ') < 0) {
                String l = trimmed.substring(0, trimmed.length() - 1);
                if (labels.put(l, out.size()) != null) throw AsmError.at(file, lineNo, col0, "label '" + l + "' is defined twice");
                continue;
            }
            List<Tok> toks = tokens(line);
            instruction(file, lineNo, toks, out, fixups);
        }
        // the suite's programs may jump to "exit" without defining it: the first exit instruction
        if (!labels.containsKey("exit")) {
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).code() == (Insn.JMP | Insn.EXIT)) {
                    labels.put("exit", i);
                    break;
                }
            }
        }
        for (Fixup f : fixups) {
            Integer target = labels.get(f.label);
            if (target == null) throw AsmError.at(file, f.line, f.col, "unknown label '" + f.label + "'");
            Insn in = out.get(f.slot);
            int rel = target - f.slot - 1;
            out.set(f.slot, f.inImm ? new Insn(in.code(), in.dst(), in.src(), in.off(), rel) : new Insn(in.code(), in.dst(), in.src(), rel, in.imm()));
        }
        return out;
    }

    /** Splits at spaces and commas, keeping a [...] memory operand whole. */
    private static List<Tok> tokens(String line) {
        List<Tok> t = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == ',') {
                i++;
                continue;
            }
            int start = i;
            if (c == '[') {
                while (i < line.length() && line.charAt(i) != ']') i++;
                i = Math.min(line.length(), i + 1);
            } else {
                while (i < line.length() && " \t,".indexOf(line.charAt(i)) < 0) i++;
            }
            t.add(new Tok(line.substring(start, i), start + 1));
        }
        return t;
    }

    private static void instruction(String file, int ln, List<Tok> t, List<Insn> out, List<Fixup> fixups) {
        String m = t.get(0).text.toLowerCase(Locale.ROOT);
        int col = t.get(0).col;
        boolean is32 = m.endsWith("32") && !m.startsWith("movsx") && !m.matches("(be|le|b?swap)32");
        String base = is32 ? m.substring(0, m.length() - 2) : m;
        if (m.equals("exit")) {
            need(file, ln, t, 1);
            out.add(new Insn(Insn.JMP | Insn.EXIT, 0, 0, 0, 0));
        } else if (m.equals("lddw")) {
            need(file, ln, t, 3);
            int d = reg(file, ln, t.get(1));
            long v = imm64(file, ln, t.get(2));
            out.add(new Insn(Insn.LD_IMM64, d, 0, 0, (int) v));
            out.add(new Insn(0, 0, 0, 0, (int) (v >>> 32)));
        } else if (m.equals("neg") || m.equals("neg32")) {
            need(file, ln, t, 2);
            out.add(new Insn((is32 ? Insn.ALU : Insn.ALU64) | Insn.NEG, reg(file, ln, t.get(1)), 0, 0, 0));
        } else if (m.matches("(be|le)(16|32|64)")) {
            need(file, ln, t, 2);
            out.add(new Insn(Insn.ALU | Insn.END | (m.startsWith("be") ? Insn.TO_BE : Insn.TO_LE), reg(file, ln, t.get(1)), 0, 0, Integer.parseInt(m.substring(2))));
        } else if (m.matches("b?swap(16|32|64)")) {
            need(file, ln, t, 2);
            out.add(new Insn(Insn.ALU64 | Insn.END, reg(file, ln, t.get(1)), 0, 0, Integer.parseInt(m.substring(m.length() - 2))));
        } else if (m.matches("movsx(8|16|32)(32|64)")) {
            need(file, ln, t, 3);
            String bits = m.substring(5);
            int dstBits = Integer.parseInt(bits.substring(bits.length() - 2));
            int from = Integer.parseInt(bits.substring(0, bits.length() - 2));
            out.add(new Insn((dstBits == 64 ? Insn.ALU64 : Insn.ALU) | Insn.MOV | Insn.X, reg(file, ln, t.get(1)), reg(file, ln, t.get(2)), from, 0));
        } else if (ALU.containsKey(base)) {
            need(file, ln, t, 3);
            int cls = is32 ? Insn.ALU : Insn.ALU64;
            int off = base.startsWith("s") && !base.equals("sub") ? 1 : 0;
            int d = reg(file, ln, t.get(1));
            Tok s = t.get(2);
            if (s.text.startsWith("%")) out.add(new Insn(cls | ALU.get(base) | Insn.X, d, reg(file, ln, s), off, 0));
            else out.add(new Insn(cls | ALU.get(base), d, 0, off, imm32(file, ln, s)));
        } else if (base.equals("ja")) {
            need(file, ln, t, 2);
            target(file, ln, t.get(1), out, fixups, new Insn((is32 ? Insn.JMP32 : Insn.JMP) | Insn.JA, 0, 0, 0, 0), is32);
        } else if (JMP.containsKey(base)) {
            need(file, ln, t, 4);
            int cls = is32 ? Insn.JMP32 : Insn.JMP;
            int d = reg(file, ln, t.get(1));
            Tok s = t.get(2);
            Insn in = s.text.startsWith("%") ? new Insn(cls | JMP.get(base) | Insn.X, d, reg(file, ln, s), 0, 0)
                : new Insn(cls | JMP.get(base), d, 0, 0, imm32(file, ln, s));
            target(file, ln, t.get(3), out, fixups, in, false);
        } else if (m.equals("call")) {
            if (t.size() == 3 && t.get(1).text.equals("local")) {
                target(file, ln, t.get(2), out, fixups, new Insn(Insn.JMP | Insn.CALL, 0, Insn.PSEUDO_CALL, 0, 0), true);
            } else {
                need(file, ln, t, 2);
                Tok a = t.get(1);
                if (a.text.startsWith("%")) out.add(new Insn(Insn.JMP | Insn.CALL | Insn.X, reg(file, ln, a), 0, 0, 0));
                else out.add(new Insn(Insn.JMP | Insn.CALL, 0, 0, 0, imm32(file, ln, a)));
            }
        } else if (m.startsWith("ldx")) {
            need(file, ln, t, 3);
            boolean sx = m.startsWith("ldxs");
            Integer size = SIZES.get(m.substring(sx ? 4 : 3));
            if (size == null || (sx && size == Insn.DW)) throw AsmError.at(file, ln, col, "unknown instruction '" + m + "'");
            int[] mem = mem(file, ln, t.get(2));
            out.add(new Insn(Insn.LDX | (sx ? Insn.MEMSX : Insn.MEM) | size, reg(file, ln, t.get(1)), mem[0], mem[1], 0));
        } else if (m.startsWith("stx") && SIZES.containsKey(m.substring(3))) {
            need(file, ln, t, 3);
            int[] mem = mem(file, ln, t.get(1));
            out.add(new Insn(Insn.STX | Insn.MEM | SIZES.get(m.substring(3)), mem[0], reg(file, ln, t.get(2)), mem[1], 0));
        } else if (m.startsWith("st") && SIZES.containsKey(m.substring(2))) {
            need(file, ln, t, 3);
            int[] mem = mem(file, ln, t.get(1));
            out.add(new Insn(Insn.ST | Insn.MEM | SIZES.get(m.substring(2)), mem[0], 0, mem[1], imm32(file, ln, t.get(2))));
        } else if (m.equals("lock")) {
            atomic(file, ln, t, out);
        } else {
            throw AsmError.at(file, ln, col, "unknown instruction '" + t.get(0).text + "'");
        }
    }

    private static void atomic(String file, int ln, List<Tok> t, List<Insn> out) {
        int i = 1;
        boolean fetch = t.size() > i && t.get(i).text.equals("fetch");
        if (fetch) i++;
        if (t.size() != i + 3) throw AsmError.at(file, ln, t.get(0).col, "expected lock [fetch] OP [%rN+OFF], %rM");
        String op = t.get(i).text.toLowerCase(Locale.ROOT);
        boolean is32 = op.endsWith("32");
        String base = is32 ? op.substring(0, op.length() - 2) : op;
        int imm;
        if (ATOMIC.containsKey(base)) imm = ATOMIC.get(base) | (fetch ? Insn.FETCH : 0);
        else if (base.equals("xchg")) imm = Insn.XCHG;
        else if (base.equals("cmpxchg")) imm = Insn.CMPXCHG;
        else throw AsmError.at(file, ln, t.get(i).col, "unknown atomic operation '" + op + "'");
        int[] mem = mem(file, ln, t.get(i + 1));
        out.add(new Insn(Insn.STX | Insn.ATOMIC | (is32 ? Insn.W : Insn.DW), mem[0], reg(file, ln, t.get(i + 2)), mem[1], imm));
    }

    private static void target(String file, int ln, Tok tk, List<Insn> out, List<Fixup> fixups, Insn in, boolean inImm) {
        String s = tk.text;
        if (s.matches("[+-]?\\d+")) {
            int rel = Integer.parseInt(s.startsWith("+") ? s.substring(1) : s);
            if (!inImm && (rel < Short.MIN_VALUE || rel > Short.MAX_VALUE)) throw AsmError.at(file, ln, tk.col, "jump offset " + rel + " does not fit in 16 bits");
            out.add(inImm ? new Insn(in.code(), in.dst(), in.src(), in.off(), rel) : new Insn(in.code(), in.dst(), in.src(), rel, in.imm()));
            return;
        }
        if (!s.matches("[A-Za-z_.][\\w.]*")) throw AsmError.at(file, ln, tk.col, "expected a jump offset or a label, not '" + s + "'");
        fixups.add(new Fixup(out.size(), ln, tk.col, s, inImm));
        out.add(in);
    }

    private static void need(String file, int ln, List<Tok> t, int n) {
        if (t.size() < n) throw AsmError.at(file, ln, t.get(t.size() - 1).col + t.get(t.size() - 1).text.length(), t.get(0).text + " needs " + (n - 1) + " operands");
        if (t.size() > n) throw AsmError.at(file, ln, t.get(n).col, "unexpected '" + t.get(n).text + "'");
    }

    private static int reg(String file, int ln, Tok t) {
        String s = t.text.toLowerCase(Locale.ROOT);
        if (s.matches("%r(10|\\d)")) return Integer.parseInt(s.substring(2));
        throw AsmError.at(file, ln, t.col, "expected a register %r0..%r10, not '" + t.text + "'");
    }

    /** [%rN], [%rN+OFF], [%rN-OFF]: register and offset. */
    private static int[] mem(String file, int ln, Tok t) {
        Matcher m = MEM.matcher(t.text);
        if (!m.matches()) throw AsmError.at(file, ln, t.col, "expected a memory operand like [%r1+2], not '" + t.text + "'");
        int r = Integer.parseInt(m.group(1));
        if (r > 10) throw AsmError.at(file, ln, t.col + 2, "no register r" + r);
        long off = m.group(3) == null ? 0 : number(file, ln, new Tok(m.group(3), t.col + m.start(3)));
        if (m.group(2) != null && m.group(2).equals("-")) off = -off;
        if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) throw AsmError.at(file, ln, t.col, "offset " + off + " does not fit in 16 bits");
        return new int[] {r, (int) off};
    }

    private static long number(String file, int ln, Tok t) {
        String s = t.text;
        boolean neg = s.startsWith("-");
        String d = neg || s.startsWith("+") ? s.substring(1) : s;
        try {
            long v = d.toLowerCase(Locale.ROOT).startsWith("0x") ? Long.parseUnsignedLong(d.substring(2), 16) : Long.parseUnsignedLong(d);
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            throw AsmError.at(file, ln, t.col, "expected a number, not '" + s + "'");
        }
    }

    /** A 32-bit immediate: -2^31 .. 2^32-1 (an unsigned value above 2^31 wraps, as the suite writes 0xffffffff). */
    private static int imm32(String file, int ln, Tok t) {
        long v = number(file, ln, t);
        if (v < Integer.MIN_VALUE || v > 0xffffffffL) throw AsmError.at(file, ln, t.col, "immediate " + t.text + " does not fit in 32 bits");
        return (int) v;
    }

    private static long imm64(String file, int ln, Tok t) {
        return number(file, ln, t);
    }
}
