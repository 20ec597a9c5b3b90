package kstep.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kstep.lang.SourceError;
import kstep.lang.SourcePos;

/**
 * A clang-compiled BPF object ({@code clang -O2 -target bpf -c}): ELF64, little-endian, relocatable. Every
 * executable section but .text is a program, named by its section ("socket" and "xdp" prefixes give the
 * type); .text holds the subprograms they call, appended to a program that calls one (as libbpf does);
 * the legacy {@code maps} section's {@code struct bpf_map_def} entries (type, key_size, value_size,
 * max_entries, flags) and the BTF-defined maps of a {@code .maps} section (libbpf's way, read from .BTF)
 * become maps, and R_BPF_64_64 relocations turn 64-bit loads of their symbols into map references. A damaged file is an error naming the file, never a crash.
 */
public final class ElfObject {
    static final int SHT_SYMTAB = 2, SHT_REL = 9;
    static final long SHF_EXECINSTR = 0x4;
    static final int R_BPF_64_64 = 1, R_BPF_64_32 = 10;
    static final int MAP_DEF_SIZE = 20;

    private record Section(int index, String name, int type, long flags, int offset, int size, int link, int info, int entsize) { }

    private record Symbol(String name, long value, int shndx, int info) { }

    public record Result(List<BpfProgram> programs, List<BpfMap> maps) { }

    private ElfObject() { }

    private static SourceError bad(String path, String msg) {
        return new SourceError(new SourcePos(path, 1, 1), "not a BPF object: " + msg);
    }

    public static Result read(String path, byte[] bytes) {
        try {
            return parse(path, bytes);
        } catch (IndexOutOfBoundsException | IllegalArgumentException | java.nio.BufferUnderflowException e) {
            throw bad(path, "truncated or damaged (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Result parse(String path, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 64 || bytes[4] != 2) throw bad(path, "not a 64-bit ELF file");
        if (bytes[5] != 1) throw bad(path, "not little-endian");
        int machine = b.getShort(18) & 0xffff;
        if (machine != 247) throw bad(path, "e_machine is " + machine + ", not EM_BPF (247)");
        long shoff = b.getLong(40);
        int shentsize = b.getShort(58) & 0xffff;
        int shnum = b.getShort(60) & 0xffff;
        int shstrndx = b.getShort(62) & 0xffff;
        if (shoff <= 0 || shoff + (long) shnum * shentsize > bytes.length || shentsize < 64) throw bad(path, "section headers outside the file");
        List<Section> raw = new ArrayList<>();
        for (int i = 0; i < shnum; i++) {
            int at = (int) shoff + i * shentsize;
            raw.add(new Section(i, null, b.getInt(at + 4), b.getLong(at + 8), (int) b.getLong(at + 24), (int) b.getLong(at + 32),
                b.getInt(at + 40), b.getInt(at + 44), (int) b.getLong(at + 56)));
        }
        Section strs = raw.get(shstrndx);
        List<Section> secs = new ArrayList<>();
        for (Section s : raw) {
            check(path, bytes, s);
            secs.add(new Section(s.index, cstr(bytes, strs.offset + b.getInt((int) shoff + s.index * shentsize)), s.type, s.flags, s.offset, s.size, s.link, s.info, s.entsize));
        }
        List<Symbol> syms = new ArrayList<>();
        for (Section s : secs) {
            if (s.type != SHT_SYMTAB) continue;
            Section names = secs.get(s.link);
            for (int at = s.offset; at + 24 <= s.offset + s.size; at += 24) {
                syms.add(new Symbol(cstr(bytes, names.offset + b.getInt(at)), b.getLong(at + 8), b.getShort(at + 6) & 0xffff, bytes[at + 4] & 0xff));
            }
        }
        // maps: the legacy "maps" section, one bpf_map_def per symbol
        List<BpfMap> maps = new ArrayList<>();
        Map<Integer, Integer> mapBySymbol = new LinkedHashMap<>();
        Section mapSec = secs.stream().filter(s -> s.name.equals("maps")).findFirst().orElse(null);
        if (mapSec != null) {
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < syms.size(); i++) if (syms.get(i).shndx == mapSec.index && !syms.get(i).name.isEmpty() && (syms.get(i).info & 0xf) != 3) idx.add(i);
            idx.sort((x, y) -> Long.compare(syms.get(x).value, syms.get(y).value));
            for (int i : idx) {
                Symbol s = syms.get(i);
                int at = mapSec.offset + (int) s.value;
                if (s.value + MAP_DEF_SIZE > mapSec.size) throw bad(path, "map " + s.name + " runs past the maps section");
                mapBySymbol.put(i, maps.size());
                maps.add(new BpfMap(s.name, b.getInt(at), b.getInt(at + 4), b.getInt(at + 8), b.getInt(at + 12)));
            }
        }
        // BTF-defined maps: the ".maps" section's symbols, described by the .BTF section
        Section btfMaps = secs.stream().filter(s -> s.name.equals(".maps")).findFirst().orElse(null);
        Section btf = secs.stream().filter(s -> s.name.equals(".BTF")).findFirst().orElse(null);
        if (btfMaps != null) {
            if (btf == null) throw bad(path, "a .maps section needs its BTF (compile with clang -g)");
            List<Btf.MapDef> defs;
            try {
                defs = Btf.parse(bytes, btf.offset, btf.size).maps();
            } catch (IllegalArgumentException e) {
                throw bad(path, "its BTF cannot be read: " + e.getMessage());
            }
            for (Btf.MapDef d : defs) {
                int index = maps.size();
                maps.add(new BpfMap(d.name(), d.type(), d.keySize(), d.valueSize(), d.maxEntries()));
                for (int i = 0; i < syms.size(); i++) if (syms.get(i).shndx == btfMaps.index && syms.get(i).value == d.offset() && !syms.get(i).name.isEmpty()) mapBySymbol.put(i, index);
            }
        }
        Section text = secs.stream().filter(s -> s.name.equals(".text")).findFirst().orElse(null);
        List<Insn> textInsns = text == null ? List.of() : insns(bytes, text);
        List<BpfProgram> programs = new ArrayList<>();
        for (Section s : secs) {
            if ((s.flags & SHF_EXECINSTR) == 0 || s.name.equals(".text") || s.size == 0) continue;
            List<Insn> code = new ArrayList<>(insns(bytes, s));
            int progLen = code.size();
            boolean needsText = false;
            for (Section r : secs) {
                if (r.type != SHT_REL || r.info != s.index) continue;
                for (int at = r.offset; at + 16 <= r.offset + r.size; at += 16) {
                    long off = b.getLong(at);
                    long info = b.getLong(at + 8);
                    int symIdx = (int) (info >>> 32);
                    int type = (int) info;
                    int i = (int) (off / 8);
                    if (i < 0 || i >= progLen || symIdx >= syms.size()) throw bad(path, "relocation outside " + s.name);
                    Insn in = code.get(i);
                    Symbol sym = syms.get(symIdx);
                    if (type == R_BPF_64_64 && mapBySymbol.containsKey(symIdx)) {
                        code.set(i, new Insn(in.code(), in.dst(), Insn.PSEUDO_MAP_FD, in.off(), mapBySymbol.get(symIdx)));
                    } else if (type == R_BPF_64_32 && text != null && sym.shndx == text.index && in.op() == Insn.CALL) {
                        int target = (int) (sym.value / 8) + in.imm() + 1;
                        code.set(i, new Insn(in.code(), in.dst(), Insn.PSEUDO_CALL, in.off(), progLen + target - (i + 1)));
                        needsText = true;
                    } else {
                        throw bad(path, "relocation of type " + type + " against '" + sym.name + "' in " + s.name + " is not supported");
                    }
                }
            }
            if (needsText) code.addAll(textInsns);
            String n = s.name;
            BpfProgram.ProgType t = n.startsWith("xdp") ? BpfProgram.ProgType.XDP : BpfProgram.ProgType.SOCKET_FILTER;
            programs.add(new BpfProgram(n, t, code, maps));
        }
        if (programs.isEmpty()) throw bad(path, "no program section (an executable section other than .text)");
        return new Result(programs, maps);
    }

    private static void check(String path, byte[] bytes, Section s) {
        if (s.type == 8) return; // SHT_NOBITS
        if (s.offset < 0 || s.size < 0 || (long) s.offset + s.size > bytes.length) throw bad(path, "section " + s.index + " lies outside the file");
    }

    private static List<Insn> insns(byte[] bytes, Section s) {
        List<Insn> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = s.offset; at + 8 <= s.offset + s.size; at += 8) out.add(Insn.ofWord(b.getLong(at)));
        return out;
    }

    private static String cstr(byte[] b, int at) {
        int end = at;
        while (end < b.length && b[end] != 0) end++;
        return new String(b, at, end - at, StandardCharsets.UTF_8);
    }
}
