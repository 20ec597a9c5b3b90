package kstep.bpf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import kstep.lang.SourceError;

/**
 * The bpf_conformance suite's test files: {@code -- asm} (uBPF assembly) or {@code -- raw} (64-bit words),
 * {@code -- mem} (bytes passed in r1, their count in r2), and {@code -- result} (r0 at exit) or
 * {@code -- error} (the program must not run). Sections kstep does not use ({@code -- c}) are skipped.
 */
public final class Conformance {
    private Conformance() { }

    /** One test: the program, its memory, and the expected r0 (null when an error is expected). */
    public record Case(String file, List<Insn> program, byte[] mem, Long result, String error) { }

    /** A test's outcome: passed, and what happened. */
    public record Outcome(String file, boolean passed, String detail) { }

    public static Case parse(String file, String text) {
        String section = null;
        StringBuilder asm = new StringBuilder();
        List<Insn> raw = new ArrayList<>();
        StringBuilder mem = new StringBuilder();
        String result = null;
        String error = null;
        String[] lines = text.split("\n", -1);
        int asmLine = 0;
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.startsWith("-- ")) {
                section = l.substring(3).strip();
                if (section.equals("asm")) asmLine = i + 1;
                // an empty error section still says the program must be refused
                if (section.equals("error") && error == null) error = "";
                continue;
            }
            if (section == null) continue;
            switch (section) {
                case "asm" -> asm.append(l).append('\n');
                case "raw" -> {
                    String s = l.strip();
                    if (s.isEmpty() || s.startsWith("#")) continue;
                    try {
                        if (s.matches("([0-9a-fA-F]{2}\\s+){7}[0-9a-fA-F]{2}")) raw.add(Insn.ofHex(s.replaceAll("\\s+", "")));
                        else raw.add(Insn.ofWord(Long.parseUnsignedLong(s.startsWith("0x") ? s.substring(2) : s, 16)));
                    } catch (NumberFormatException e) {
                        throw new SourceError(new kstep.lang.SourcePos(file, i + 1, 1), "expected a 64-bit hex word or 8 hex bytes, not '" + s + "'");
                    }
                }
                case "mem" -> mem.append(l.replaceAll("#.*", "")).append(' ');
                case "result" -> {
                    String s = l.replaceAll("#.*", "").strip();
                    if (!s.isEmpty() && result == null) result = s;
                }
                case "error" -> {
                    String s = l.strip();
                    if (!s.isEmpty() && error.isEmpty()) error = s;
                }
                default -> { }
            }
        }
        List<Insn> prog;
        if (!raw.isEmpty()) {
            prog = raw;
        } else {
            // the asm section's line numbers are the file's: pad with the lines before it
            prog = UbpfAsm.assemble(file, "\n".repeat(asmLine) + asm);
        }
        byte[] m = bytes(file, mem.toString());
        Long r = null;
        if (result != null) {
            String s = result.toLowerCase(Locale.ROOT);
            try {
                r = s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new SourceError(new kstep.lang.SourcePos(file, 1, 1), "the result '" + result + "' is not a number");
            }
        }
        return new Case(file, prog, m, r, error);
    }

    private static byte[] bytes(String file, String s) {
        String[] parts = s.strip().isEmpty() ? new String[0] : s.strip().split("\\s+");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                b[i] = (byte) Integer.parseInt(parts[i], 16);
            } catch (NumberFormatException e) {
                throw new SourceError(new kstep.lang.SourcePos(file, 1, 1), "memory byte '" + parts[i] + "' is not hex");
            }
        }
        return b;
    }

    /** Runs a test file's text: assembly errors count as an error outcome. */
    public static Outcome run(String file, String text) {
        Case c;
        try {
            c = parse(file, text);
        } catch (SourceError e) {
            return new Outcome(file, false, e.getMessage());
        }
        return run(c);
    }

    public static Outcome run(Case c) {
        // a conformant runtime refuses an instruction whose unused fields are not zero
        String invalid = IsaCheck.check(c.program());
        Vm.Result r = invalid != null ? new Vm.Result(0, invalid, -1, 0, "") : execute(c.program(), c.mem());
        if (c.result() == null && c.error() != null) {
            return r.ok() ? new Outcome(c.file(), false, "expected an error" + (c.error().isEmpty() ? "" : " (" + c.error() + ")") + ", got r0 = 0x" + Long.toHexString(r.r0()))
                : new Outcome(c.file(), true, "error as expected: " + r.error());
        }
        if (!r.ok()) return new Outcome(c.file(), false, "error at pc " + r.errorPc() + ": " + r.error());
        if (c.result() == null) return new Outcome(c.file(), false, "the test gives no result");
        boolean ok = r.r0() == c.result();
        return new Outcome(c.file(), ok, (ok ? "" : "expected 0x" + Long.toHexString(c.result()) + ", ") + "got r0 = 0x" + Long.toHexString(r.r0()));
    }

    /** Runs a program as the suite does: its memory in r1, the memory's length in r2. */
    public static Vm.Result execute(List<Insn> program, byte[] mem) {
        BpfProgram p = new BpfProgram("test", BpfProgram.ProgType.RAW, program);
        Vm vm = new Vm(p, new HelperCalls(List.of(), null, 0, true));
        if (mem.length > 0) {
            Memory.Region m = vm.mem.add("mem", Vm.TEST_MEM, mem.clone(), true);
            vm.setReg(1, m.base());
        }
        vm.setReg(2, mem.length);
        return vm.run();
    }
}
