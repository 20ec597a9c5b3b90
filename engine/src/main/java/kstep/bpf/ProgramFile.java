package kstep.bpf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import kstep.lang.SourceError;
import kstep.lang.SourcePos;

/**
 * A program file as the command line takes it: kbpf's hex (16 hex digits a line, the bytes of struct
 * bpf_insn in memory order, {@code #} comments), the verifier log's syntax, bpf_conformance/uBPF assembly
 * (recognised by its {@code %r} registers), or a clang-compiled ELF object (every program section). A text
 * file may say its program type ("// type xdp") and declare the maps it loads ("// map hash:4:8:16").
 */
public final class ProgramFile {
    private ProgramFile() { }

    /** The programs in {@code bytes} read from {@code path}; {@code hex} forces kbpf's format. */
    public static List<BpfProgram> read(String path, byte[] bytes, boolean hex, BpfProgram.ProgType type) {
        if (bytes.length >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F') {
            List<BpfProgram> out = new ArrayList<>();
            for (BpfProgram p : ElfObject.read(path, bytes).programs()) out.add(type == null ? p : p.withType(type));
            return out;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        BpfProgram.ProgType t = type == null ? BpfProgram.ProgType.SOCKET_FILTER : type;
        List<BpfMap> maps = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String s = lines[i].strip();
            if (type == null && s.startsWith("// type ")) {
                try {
                    t = BpfProgram.ProgType.of(s.substring(8).strip());
                } catch (IllegalArgumentException e) {
                    throw new SourceError(new SourcePos(path, i + 1, 1), e.getMessage());
                }
            }
            if (s.startsWith("// map ")) maps.add(map(path, i + 1, s.substring(7).strip()));
        }
        String name = path.replaceAll(".*/", "");
        return List.of(new BpfProgram(name, t, instructions(path, text, hex), maps));
    }

    /**
     * A "// map TYPE:KEY:VALUE:MAX" line of an assembly file (TYPE array or hash): the map the program's
     * "r1 = map[id:N]" loads name, the N-th such line counting from 0.
     */
    private static BpfMap map(String path, int line, String spec) {
        String[] w = spec.split(":");
        try {
            if (w.length == 4 && (w[0].equals("array") || w[0].equals("hash"))) {
                return new BpfMap("", w[0].equals("array") ? BpfMap.ARRAY : BpfMap.HASH, Integer.parseInt(w[1]), Integer.parseInt(w[2]), Integer.parseInt(w[3]));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SourceError(new SourcePos(path, line, 1), "a map is array|hash:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES, like hash:4:8:16, not '" + spec + "'");
    }

    /** The instructions of a text program: hex if asked (or if every line is 16 hex digits), else assembly. */
    public static List<Insn> instructions(String path, String text, boolean hex) {
        if (hex || looksHex(text)) return hex(path, text);
        if (text.contains("%r")) return UbpfAsm.assemble(path, text);
        return KernelAsm.assemble(path, text);
    }

    private static boolean looksHex(String text) {
        boolean any = false;
        for (String l : text.split("\n")) {
            String s = strip(l);
            if (s.isEmpty()) continue;
            if (!s.matches("[0-9a-fA-F]{16}")) return false;
            any = true;
        }
        return any;
    }

    private static String strip(String l) {
        int h = l.indexOf('#');
        return (h >= 0 ? l.substring(0, h) : l).strip();
    }

    /** kbpf's input format. */
    public static List<Insn> hex(String path, String text) {
        List<Insn> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String s = strip(lines[i]);
            if (s.isEmpty()) continue;
            Insn in = Insn.ofHex(s);
            if (in == null) throw new SourceError(new SourcePos(path, i + 1, lines[i].indexOf(s.charAt(0)) + 1),
                "expected 16 hex digits (the 8 bytes of a struct bpf_insn), not '" + s + "'");
            out.add(in);
        }
        if (out.isEmpty()) throw new SourceError(new SourcePos(path, 1, 1), "no instructions");
        return out;
    }

    /** The program as kbpf reads it: one slot a line. */
    public static String toHex(List<Insn> p) {
        StringBuilder b = new StringBuilder();
        for (Insn in : p) b.append(in.hex()).append('\n');
        return b.toString();
    }

    /** The program as the verifier log lists it: "N: (xx) text", the second slot of a 64-bit load left out. */
    public static String listing(List<Insn> p) {
        StringBuilder b = new StringBuilder();
        List<String> texts = Disasm.program(p);
        for (int i = 0; i < texts.size(); i++) if (texts.get(i) != null) b.append(i).append(": ").append(texts.get(i)).append('\n');
        return b.toString();
    }
}
