package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verifier's scalar tracking: for each recorded program (tools/bpfscalar.py), the state of r0 after
 * each ALU instruction as Linux 6.18's log prints it; and soundness: a concrete value run through the same
 * instructions stays inside the tracked tnum and bounds.
 */
class ScalarTest {
    static Stream<Path> cases() throws Exception {
        return CaseFiles.in("/bpf/scalar");
    }

    /** The "R0=..." text of a log line's state part, or null. */
    static String r0(String line) {
        int at = line.indexOf("; ");
        int r = at < 0 ? -1 : line.indexOf("R0=", at);
        if (r < 0) return null;
        int e = r + 3, depth = 0;
        while (e < line.length() && !(depth == 0 && line.charAt(e) == ' ')) {
            if (line.charAt(e) == '(') depth++;
            if (line.charAt(e) == ')') depth--;
            e++;
        }
        return line.substring(r + 3, e);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theTrackedStateIsTheKernels(Path f) throws Exception {
        String t = Files.readString(f);
        List<Insn> p = ProgramFile.hex(f.toString(), CaseFiles.section(t, "program"));
        String[] states = CaseFiles.section(t, "states").split("\n");
        Scalar r = null;
        List<String> want = new ArrayList<>(), got = new ArrayList<>();
        for (int i = 0; i < p.size() && p.get(i).code() != 0x95; i++) {
            Insn in = p.get(i);
            if (in.code() == 0x85) r = Scalar.unknown();
            else r.alu(in.op(), Scalar.known(in.imm()), in.cls() == Insn.ALU);
            String w = r0(states[i]);
            if (w == null) continue;
            want.add(i + ": " + w);
            got.add(i + ": " + r.text());
        }
        assertEquals(want, got);
    }

    @Test
    void aConcreteValueStaysInsideWhatIsTracked() {
        Random rnd = new Random(42);
        int[] ops = {Insn.ADD, Insn.SUB, Insn.MUL, Insn.OR, Insn.AND, Insn.XOR, Insn.LSH, Insn.RSH, Insn.ARSH, Insn.NEG};
        for (int n = 0; n < 20_000; n++) {
            long v = rnd.nextLong();
            Scalar s = Scalar.unknown();
            for (int k = 0; k < 6; k++) {
                int op = ops[rnd.nextInt(ops.length)];
                boolean alu32 = rnd.nextBoolean();
                int imm = op == Insn.LSH || op == Insn.RSH || op == Insn.ARSH ? rnd.nextInt(alu32 ? 32 : 64) : rnd.nextInt();
                s.alu(op, Scalar.known(imm), alu32);
                v = concrete(op, v, imm, alu32);
                final long cv = v;
                assertTrue(s.varOff.contains(v), () -> "tnum " + s.varOff + " lost " + Long.toHexString(cv));
                assertTrue(s.smin <= v && v <= s.smax && Long.compareUnsigned(s.umin, v) <= 0 && Long.compareUnsigned(v, s.umax) <= 0,
                    () -> s.text() + " lost " + Long.toHexString(cv));
                assertTrue(s.s32min <= (int) v && (int) v <= s.s32max && Integer.compareUnsigned(s.u32min, (int) v) <= 0
                    && Integer.compareUnsigned((int) v, s.u32max) <= 0, () -> s.text() + " lost the low half of " + Long.toHexString(cv));
            }
        }
    }

    private static long concrete(int op, long a, int imm, boolean alu32) {
        long b = imm;
        if (alu32) {
            int x = (int) a, y = imm;
            int r = switch (op) {
                case Insn.ADD -> x + y;
                case Insn.SUB -> x - y;
                case Insn.MUL -> x * y;
                case Insn.OR -> x | y;
                case Insn.AND -> x & y;
                case Insn.XOR -> x ^ y;
                case Insn.LSH -> x << y;
                case Insn.RSH -> x >>> y;
                case Insn.ARSH -> x >> y;
                default -> -x;
            };
            return r & 0xffffffffL;
        }
        return switch (op) {
            case Insn.ADD -> a + b;
            case Insn.SUB -> a - b;
            case Insn.MUL -> a * b;
            case Insn.OR -> a | b;
            case Insn.AND -> a & b;
            case Insn.XOR -> a ^ b;
            case Insn.LSH -> a << b;
            case Insn.RSH -> a >>> b;
            case Insn.ARSH -> a >> b;
            default -> -a;
        };
    }
}
