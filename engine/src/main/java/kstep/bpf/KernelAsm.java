package kstep.bpf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads back the verifier log's instruction syntax, one instruction a line: {@code (bf) r6 = r1},
 * {@code r1 = *(u64 *)(r10 -8)}, {@code if w1 s< 0x5 goto pc+2}, {@code call bpf_map_lookup_elem#1}.
 * A leading index ({@code 12: }) and the {@code (xx)} opcode are optional; when the opcode is given it
 * decides between forms the text alone leaves open (a 64-bit load or a move of a small constant). Text
 * after {@code ;} (the verifier's register state) and {@code //} comments are ignored.
 */
public final class KernelAsm {
    private KernelAsm() { }

    private static final String R = "([rw])(10|\\d)";
    private static final String NUM = "(-?(?:0x[0-9a-fA-F]+|\\d+))";
    private static final String OFF = "([+-]\\d+)";
    private static final String SIZE = "([us])(8|16|32|64)";
    private static final Map<String, Integer> ALU = Map.ofEntries(Map.entry("+=", Insn.ADD), Map.entry("-=", Insn.SUB), Map.entry("*=", Insn.MUL),
        Map.entry("/=", Insn.DIV), Map.entry("|=", Insn.OR), Map.entry("&=", Insn.AND), Map.entry("<<=", Insn.LSH), Map.entry(">>=", Insn.RSH),
        Map.entry("%=", Insn.MOD), Map.entry("^=", Insn.XOR), Map.entry("=", Insn.MOV), Map.entry("s>>=", Insn.ARSH),
        Map.entry("s/=", Insn.DIV), Map.entry("s%=", Insn.MOD));
    private static final Map<String, Integer> JMP = Map.ofEntries(Map.entry("==", Insn.JEQ), Map.entry(">", Insn.JGT), Map.entry(">=", Insn.JGE),
        Map.entry("&", Insn.JSET), Map.entry("!=", Insn.JNE), Map.entry("s>", Insn.JSGT), Map.entry("s>=", Insn.JSGE), Map.entry("<", Insn.JLT),
        Map.entry("<=", Insn.JLE), Map.entry("s<", Insn.JSLT), Map.entry("s<=", Insn.JSLE));
    private static final Map<String, Integer> ATOMIC_OPS = Map.of("add", Insn.ADD, "and", Insn.AND, "or", Insn.OR, "xor", Insn.XOR);

    private static final Pattern PREFIX = Pattern.compile("^\\s*(?:\\d+:\\s*)?(?:\\(([0-9a-fA-F]{2})\\)\\s*)?");
    private static final Pattern ALU_RR = Pattern.compile(R + " (s>>=|s/=|s%=|<<=|>>=|[-+*/|&%^]=|=) " + R);
    private static final Pattern ALU_RI = Pattern.compile(R + " (s>>=|s/=|s%=|<<=|>>=|[-+*/|&%^]=|=) " + NUM);
    private static final Pattern NEG = Pattern.compile(R + " = -" + R);
    private static final Pattern MOVSX = Pattern.compile(R + " = \\(s(8|16|32)\\)" + R);
    private static final Pattern ENDIAN = Pattern.compile("r(10|\\d) = (be|le|bswap)(16|32|64) r(10|\\d)");
    private static final Pattern LDX = Pattern.compile("r(10|\\d) = \\*\\(" + SIZE + " \\*\\)\\(r(1[01]|\\d) " + OFF + "\\)");
    private static final Pattern STX = Pattern.compile("\\*\\(u(8|16|32|64) \\*\\)\\(r(1[01]|\\d) " + OFF + "\\) = r(10|\\d)");
    private static final Pattern ST = Pattern.compile("\\*\\(u(8|16|32|64) \\*\\)\\(r(1[01]|\\d) " + OFF + "\\) = " + NUM);
    private static final Pattern LOCK = Pattern.compile("lock \\*\\(u(32|64) \\*\\)\\(r(10|\\d) " + OFF + "\\) (\\+=|&=|\\|=|\\^=) r(10|\\d)");
    private static final Pattern FETCH = Pattern.compile("r(10|\\d) = atomic(64)?_(fetch_add|fetch_and|fetch_or|fetch_xor|xchg)\\(\\(u(32|64) \\*\\)\\(r(10|\\d) " + OFF + "\\), r(10|\\d)\\)");
    private static final Pattern CMPXCHG = Pattern.compile("r0 = atomic(64)?_cmpxchg\\(\\(u(32|64) \\*\\)\\(r(10|\\d) " + OFF + "\\), r0, r(10|\\d)\\)");
    private static final Pattern LOAD_ACQ = Pattern.compile("r(10|\\d) = load_acquire\\(\\(u(8|16|32|64) \\*\\)\\(r(10|\\d) " + OFF + "\\)\\)");
    private static final Pattern STORE_REL = Pattern.compile("store_release\\(\\(u(8|16|32|64) \\*\\)\\(r(10|\\d) " + OFF + "\\), r(10|\\d)\\)");
    private static final Pattern ADDR_SPACE_CAST = Pattern.compile("r(10|\\d) = addr_space_cast\\(r(10|\\d), (\\d+), (\\d+)\\)");
    private static final Pattern IMM64 = Pattern.compile("r(10|\\d) = (0x[0-9a-fA-F]+)");
    private static final Pattern MAP = Pattern.compile("r(10|\\d) = map\\[id:(\\d+)\\]");
    private static final Pattern ABS = Pattern.compile("r0 = \\*\\(u(8|16|32|64) \\*\\)skb\\[" + NUM + "\\]");
    private static final Pattern IND = Pattern.compile("r0 = \\*\\(u(8|16|32|64) \\*\\)skb\\[r(10|\\d) \\+ " + NUM + "\\]");
    private static final Pattern JCC_R = Pattern.compile("if " + R + " (s<=|s>=|s<|s>|==|!=|<=|>=|<|>|&) " + R + " goto pc" + OFF);
    private static final Pattern JCC_I = Pattern.compile("if " + R + " (s<=|s>=|s<|s>|==|!=|<=|>=|<|>|&) " + NUM + " goto pc" + OFF);
    private static final Pattern GOTO = Pattern.compile("(goto|gotol|may_goto) pc" + OFF);
    private static final Pattern CALL_PC = Pattern.compile("call pc" + OFF);
    private static final Pattern CALL = Pattern.compile("call ([A-Za-z_][A-Za-z0-9_]*)#(-?\\d+)");

    public static List<Insn> assemble(String file, String text) {
        List<Insn> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int semi = line.indexOf(';');
            if (semi >= 0) line = line.substring(0, semi);
            int slashes = line.indexOf("//");
            if (slashes >= 0) line = line.substring(0, slashes);
            if (line.isBlank()) continue;
            Matcher p = PREFIX.matcher(line);
            p.lookingAt();
            int col = p.end() + 1;
            Integer code = p.group(1) == null ? null : Integer.parseInt(p.group(1), 16);
            String body = line.substring(p.end()).strip().replaceAll("\\s+", " ");
            List<Insn> got = one(file, i + 1, col, code, body);
            if (code != null && got.get(0).code() != code)
                throw AsmError.at(file, i + 1, p.start(1) + 1, String.format("the text is opcode %02x, not the (%02x) it is marked with", got.get(0).code(), code));
            out.addAll(got);
        }
        return out;
    }

    private static int reg(String s) {
        return Integer.parseInt(s);
    }

    private static long num(String s) {
        boolean neg = s.startsWith("-");
        String d = neg ? s.substring(1) : s;
        long v = d.startsWith("0x") || d.startsWith("0X") ? Long.parseUnsignedLong(d.substring(2), 16) : Long.parseLong(d);
        return neg ? -v : v;
    }

    private static int size(String bits) {
        return switch (bits) {
            case "8" -> Insn.B;
            case "16" -> Insn.H;
            case "32" -> Insn.W;
            default -> Insn.DW;
        };
    }

    private static int off(String file, int ln, int col, String s) {
        long v = Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
        if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) throw AsmError.at(file, ln, col, "offset " + s + " does not fit in 16 bits");
        return (int) v;
    }

    private static int imm32(String file, int ln, int col, String s) {
        long v = num(s);
        if (v < Integer.MIN_VALUE || v > 0xffffffffL) throw AsmError.at(file, ln, col, "immediate " + s + " does not fit in 32 bits");
        return (int) v;
    }

    private static List<Insn> one(String file, int ln, int col, Integer code, String s) {
        Matcher m;
        if (s.equals("exit")) return List.of(new Insn(Insn.JMP | Insn.EXIT, 0, 0, 0, 0));
        if ((m = NEG.matcher(s)).matches()) {
            sameWidth(file, ln, col, m.group(1), m.group(3));
            return List.of(new Insn((m.group(1).equals("w") ? Insn.ALU : Insn.ALU64) | Insn.NEG, reg(m.group(2)), 0, 0, 0));
        }
        if ((m = MOVSX.matcher(s)).matches()) {
            sameWidth(file, ln, col, m.group(1), m.group(4));
            return List.of(new Insn((m.group(1).equals("w") ? Insn.ALU : Insn.ALU64) | Insn.MOV | Insn.X, reg(m.group(2)), reg(m.group(5)), Integer.parseInt(m.group(3)), 0));
        }
        if ((m = ADDR_SPACE_CAST.matcher(s)).matches())
            return List.of(new Insn(Insn.ALU64 | Insn.MOV | Insn.X, reg(m.group(1)), reg(m.group(2)), 1, (Integer.parseInt(m.group(3)) << 16) | Integer.parseInt(m.group(4))));
        if ((m = ENDIAN.matcher(s)).matches()) {
            if (!m.group(1).equals(m.group(4))) throw AsmError.at(file, ln, col, "a byte swap works on one register: rN = " + m.group(2) + m.group(3) + " rN");
            int c = switch (m.group(2)) {
                case "be" -> Insn.ALU | Insn.END | Insn.TO_BE;
                case "le" -> Insn.ALU | Insn.END | Insn.TO_LE;
                default -> Insn.ALU64 | Insn.END;
            };
            return List.of(new Insn(c, reg(m.group(1)), 0, 0, Integer.parseInt(m.group(3))));
        }
        if ((m = LDX.matcher(s)).matches()) {
            boolean sx = m.group(2).equals("s");
            if (sx && m.group(3).equals("64")) throw AsmError.at(file, ln, col, "no sign-extending 64-bit load");
            return List.of(new Insn(Insn.LDX | (sx ? Insn.MEMSX : Insn.MEM) | size(m.group(3)), reg(m.group(1)), reg(m.group(4)), off(file, ln, col, m.group(5)), 0));
        }
        if ((m = STX.matcher(s)).matches())
            return List.of(new Insn(Insn.STX | Insn.MEM | size(m.group(1)), reg(m.group(2)), reg(m.group(4)), off(file, ln, col, m.group(3)), 0));
        if ((m = ST.matcher(s)).matches())
            return List.of(new Insn(Insn.ST | Insn.MEM | size(m.group(1)), reg(m.group(2)), 0, off(file, ln, col, m.group(3)), imm32(file, ln, col, m.group(4))));
        if ((m = LOCK.matcher(s)).matches()) {
            int op = switch (m.group(4)) {
                case "+=" -> Insn.ADD;
                case "&=" -> Insn.AND;
                case "|=" -> Insn.OR;
                default -> Insn.XOR;
            };
            return List.of(new Insn(Insn.STX | Insn.ATOMIC | size(m.group(1)), reg(m.group(2)), reg(m.group(5)), off(file, ln, col, m.group(3)), op));
        }
        if ((m = FETCH.matcher(s)).matches()) {
            if (!m.group(1).equals(m.group(7))) throw AsmError.at(file, ln, col, "the fetched value goes back to the source register");
            String f = m.group(3);
            int op = f.equals("xchg") ? Insn.XCHG : ATOMIC_OPS.get(f.substring(6)) | Insn.FETCH;
            checkAtomicWidth(file, ln, col, m.group(2), m.group(4));
            return List.of(new Insn(Insn.STX | Insn.ATOMIC | size(m.group(4)), reg(m.group(5)), reg(m.group(7)), off(file, ln, col, m.group(6)), op));
        }
        if ((m = CMPXCHG.matcher(s)).matches()) {
            checkAtomicWidth(file, ln, col, m.group(1), m.group(2));
            return List.of(new Insn(Insn.STX | Insn.ATOMIC | size(m.group(2)), reg(m.group(3)), reg(m.group(5)), off(file, ln, col, m.group(4)), Insn.CMPXCHG));
        }
        if ((m = LOAD_ACQ.matcher(s)).matches())
            return List.of(new Insn(Insn.STX | Insn.ATOMIC | size(m.group(2)), reg(m.group(1)), reg(m.group(3)), off(file, ln, col, m.group(4)), Insn.LOAD_ACQ));
        if ((m = STORE_REL.matcher(s)).matches())
            return List.of(new Insn(Insn.STX | Insn.ATOMIC | size(m.group(1)), reg(m.group(2)), reg(m.group(4)), off(file, ln, col, m.group(3)), Insn.STORE_REL));
        if ((m = ABS.matcher(s)).matches()) return List.of(new Insn(Insn.LD | Insn.ABS | size(m.group(1)), 0, 0, 0, imm32(file, ln, col, m.group(2))));
        if ((m = IND.matcher(s)).matches()) return List.of(new Insn(Insn.LD | Insn.IND | size(m.group(1)), 0, reg(m.group(2)), 0, imm32(file, ln, col, m.group(3))));
        if ((m = MAP.matcher(s)).matches()) return imm64(reg(m.group(1)), Insn.PSEUDO_MAP_FD, Long.parseLong(m.group(2)));
        // "r1 = 0x5": a 64-bit load when the opcode says so or the text is hex (the kernel prints moves in decimal)
        if ((m = IMM64.matcher(s)).matches() && (code == null || code == Insn.LD_IMM64))
            return imm64(reg(m.group(1)), 0, Long.parseUnsignedLong(m.group(2).substring(2), 16));
        if ((m = ALU_RR.matcher(s)).matches()) {
            sameWidth(file, ln, col, m.group(1), m.group(4));
            int op = ALU.get(m.group(3));
            int sgn = m.group(3).startsWith("s/") || m.group(3).startsWith("s%") ? 1 : 0;
            return List.of(new Insn((m.group(1).equals("w") ? Insn.ALU : Insn.ALU64) | op | Insn.X, reg(m.group(2)), reg(m.group(5)), sgn, 0));
        }
        if ((m = ALU_RI.matcher(s)).matches()) {
            int op = ALU.get(m.group(3));
            int sgn = m.group(3).startsWith("s/") || m.group(3).startsWith("s%") ? 1 : 0;
            return List.of(new Insn((m.group(1).equals("w") ? Insn.ALU : Insn.ALU64) | op, reg(m.group(2)), 0, sgn, imm32(file, ln, col, m.group(4))));
        }
        if ((m = JCC_R.matcher(s)).matches()) {
            sameWidth(file, ln, col, m.group(1), m.group(4));
            return List.of(new Insn((m.group(1).equals("w") ? Insn.JMP32 : Insn.JMP) | JMP.get(m.group(3)) | Insn.X, reg(m.group(2)), reg(m.group(5)), off(file, ln, col, m.group(6)), 0));
        }
        if ((m = JCC_I.matcher(s)).matches())
            return List.of(new Insn((m.group(1).equals("w") ? Insn.JMP32 : Insn.JMP) | JMP.get(m.group(3)), reg(m.group(2)), 0, off(file, ln, col, m.group(5)), imm32(file, ln, col, m.group(4))));
        if ((m = GOTO.matcher(s)).matches()) {
            return switch (m.group(1)) {
                case "goto" -> List.of(new Insn(Insn.JMP | Insn.JA, 0, 0, off(file, ln, col, m.group(2)), 0));
                case "gotol" -> List.of(new Insn(Insn.JMP32 | Insn.JA, 0, 0, 0, imm32(file, ln, col, m.group(2))));
                default -> List.of(new Insn(Insn.JMP | Insn.JCOND, 0, 0, off(file, ln, col, m.group(2)), 0));
            };
        }
        if ((m = CALL_PC.matcher(s)).matches()) return List.of(new Insn(Insn.JMP | Insn.CALL, 0, Insn.PSEUDO_CALL, 0, imm32(file, ln, col, m.group(1))));
        if ((m = CALL.matcher(s)).matches()) {
            int id = Integer.parseInt(m.group(2));
            int named = Helpers.id(m.group(1));
            if (named >= 0 && named != id) throw AsmError.at(file, ln, col, m.group(1) + " is helper #" + named + ", not #" + id);
            return List.of(new Insn(Insn.JMP | Insn.CALL, 0, 0, 0, id));
        }
        throw AsmError.at(file, ln, col, "cannot read '" + s + "' as a BPF instruction");
    }

    private static void sameWidth(String file, int ln, int col, String a, String b) {
        if (!a.equals(b)) throw AsmError.at(file, ln, col, "both registers are r (64-bit) or both w (32-bit)");
    }

    private static void checkAtomicWidth(String file, int ln, int col, String sixtyFour, String bits) {
        if ((sixtyFour != null) != bits.equals("64")) throw AsmError.at(file, ln, col, "atomic64_ goes with u64, atomic_ with u32");
    }

    private static List<Insn> imm64(int dst, int src, long v) {
        return List.of(new Insn(Insn.LD_IMM64, dst, src, 0, (int) v), new Insn(0, 0, 0, 0, (int) (v >>> 32)));
    }
}
