package kstep.mm;

import java.util.ArrayList;
import java.util.List;

import kstep.lang.SourceError;
import kstep.lang.SourcePos;

/**
 * A kvma script (../shared/tools/kvma.c's language): one operation a line on a 1024-page arena, addresses as
 * byte offsets from its base. {@link #parse} checks every line (file:line:col errors); {@link #replay} runs it
 * on a fresh address space and prints what kvma prints: "## N LINE -> RESULT", then the arena's VMAs with
 * their VmFlags.
 */
public final class KvmaScript {
    /** Where kstep puts the arena: kvma asks for 0x7e0000000000 and gets it, 2 MiB aligned. */
    public static final long BASE = 0x7e0000000000L;
    public static final long PAGES = 1024;
    public static final long ARENA = PAGES * AddressSpace.PAGE_SIZE;

    /** One line: the text kvma echoes, and the operation. */
    public record Line(int n, String text, Op op) { }

    /** The operations of the language. */
    public sealed interface Op {
        record Mmap(long off, long len, int prot, boolean shared, boolean file, long fileOff) implements Op { }
        record Munmap(long off, long len) implements Op { }
        record Mprotect(long off, long len, int prot) implements Op { }
        record Mlock(long off, long len, boolean lock) implements Op { }
        record Touch(long off, boolean write) implements Op { }
        record Mremap(long off, long oldLen, long newLen, boolean fixed, long newOff) implements Op { }
        record Madvise(long off, long len, int advice) implements Op { }
    }

    private final String name;
    private final List<Line> lines;

    private KvmaScript(String name, List<Line> lines) {
        this.name = name;
        this.lines = lines;
    }

    public String name() {
        return name;
    }

    public List<Line> lines() {
        return lines;
    }

    // ------------------------------------------------------------------ parsing
    public static KvmaScript parse(String file, String text) {
        List<Line> out = new ArrayList<>();
        String[] raw = text.split("\n", -1);
        int n = 0;
        for (int i = 0; i < raw.length; i++) {
            String line = raw[i];
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            if (line.isEmpty() || line.charAt(0) == '#') continue;
            Tokens t = new Tokens(file, i + 1, line);
            if (t.words.isEmpty()) throw new SourceError(new SourcePos(file, i + 1, 1), "empty operation (a blank line must be empty)");
            out.add(new Line(++n, line, t.op()));
        }
        return new KvmaScript(file, out);
    }

    /** The words of one line with their columns, and the operation they spell. */
    private static final class Tokens {
        final String file;
        final int line;
        final List<String> words = new ArrayList<>();
        final List<Integer> cols = new ArrayList<>();

        Tokens(String file, int line, String text) {
            this.file = file;
            this.line = line;
            int i = 0;
            while (i < text.length()) {
                while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
                if (i >= text.length()) break;
                int s = i;
                while (i < text.length() && !Character.isWhitespace(text.charAt(i))) i++;
                words.add(text.substring(s, i));
                cols.add(s + 1);
            }
        }

        SourceError error(int word, String msg) {
            int col = word < cols.size() ? cols.get(word) : (cols.isEmpty() ? 1 : cols.get(cols.size() - 1) + words.get(words.size() - 1).length());
            return new SourceError(new SourcePos(file, line, col), msg);
        }

        void arity(int min, int max, String usage) {
            if (words.size() < min) throw error(words.size(), "missing operand: " + usage);
            if (words.size() > max) throw error(max, "too many operands: " + usage);
        }

        /** strtoul(s, NULL, 0): 0x hex, 0 octal, else decimal. */
        long num(int word) {
            String s = words.get(word);
            try {
                if (s.startsWith("0x") || s.startsWith("0X")) return Long.parseUnsignedLong(s.substring(2), 16);
                if (s.length() > 1 && s.startsWith("0")) return Long.parseUnsignedLong(s.substring(1), 8);
                return Long.parseUnsignedLong(s);
            } catch (NumberFormatException e) {
                throw error(word, "'" + s + "' is not a number (0x1000, 4096)");
            }
        }

        int prot(int word) {
            String s = words.get(word);
            if (!s.matches("[rwx-]+")) throw error(word, "'" + s + "' is not a protection (r, w, x letters or '-': rw-)");
            return (s.indexOf('r') >= 0 ? 1 : 0) | (s.indexOf('w') >= 0 ? 2 : 0) | (s.indexOf('x') >= 0 ? 4 : 0);
        }

        Op op() {
            String op = words.get(0);
            switch (op) {
                case "mmap" -> {
                    arity(5, 5, "mmap OFF LEN PROT private|shared,anon|file:PGOFF");
                    String f = words.get(4);
                    boolean shared = f.contains("shared");
                    if (!shared && !f.contains("private")) throw error(4, "'" + f + "' must say private or shared (private|anon, shared|file:0)");
                    int at = f.indexOf("file:");
                    long fileOff = 0;
                    if (at >= 0) {
                        String o = f.substring(at + 5).replaceAll("\\|.*", "");
                        Tokens sub = new Tokens(file, line, o);
                        if (sub.words.isEmpty()) throw error(4, "file: needs an offset (file:0x3000)");
                        sub.cols.set(0, cols.get(4) + at + 5);
                        fileOff = sub.num(0);
                    } else if (!f.contains("anon")) {
                        throw error(4, "'" + f + "' must say anon or file:PGOFF");
                    }
                    return new Op.Mmap(num(1), num(2), prot(3), shared, at >= 0, fileOff);
                }
                case "munmap" -> {
                    arity(3, 3, "munmap OFF LEN");
                    return new Op.Munmap(num(1), num(2));
                }
                case "mprotect" -> {
                    arity(4, 4, "mprotect OFF LEN PROT");
                    return new Op.Mprotect(num(1), num(2), prot(3));
                }
                case "mlock", "munlock" -> {
                    arity(3, 3, op + " OFF LEN");
                    return new Op.Mlock(num(1), num(2), op.equals("mlock"));
                }
                case "touch" -> {
                    arity(3, 3, "touch OFF r|w");
                    String rw = words.get(2);
                    if (!rw.equals("r") && !rw.equals("w")) throw error(2, "touch takes r or w, not '" + rw + "'");
                    return new Op.Touch(num(1), rw.equals("w"));
                }
                case "mremap" -> {
                    arity(4, 6, "mremap OFF OLDLEN NEWLEN [fixed NEWOFF]");
                    if (words.size() == 4) return new Op.Mremap(num(1), num(2), num(3), false, 0);
                    if (!words.get(4).equals("fixed")) throw error(4, "expected 'fixed NEWOFF', found '" + words.get(4) + "'");
                    if (words.size() != 6) throw error(5, "fixed needs the new offset: mremap OFF OLDLEN NEWLEN fixed NEWOFF");
                    return new Op.Mremap(num(1), num(2), num(3), true, num(5));
                }
                case "madvise" -> {
                    arity(4, 4, "madvise OFF LEN dontneed|dontfork|dofork|mergeable");
                    int adv = switch (words.get(3)) {
                        case "dontneed" -> MmSyscalls.MADV_DONTNEED;
                        case "dontfork" -> MmSyscalls.MADV_DONTFORK;
                        case "dofork" -> MmSyscalls.MADV_DOFORK;
                        case "mergeable" -> MmSyscalls.MADV_MERGEABLE;
                        default -> throw error(3, "unknown advice '" + words.get(3) + "' (dontneed, dontfork, dofork, mergeable)");
                    };
                    return new Op.Madvise(num(1), num(2), adv);
                }
                default -> throw error(0, "unknown operation '" + op + "' (mmap, munmap, mprotect, mlock, munlock, touch, mremap, madvise)"
                    + kstep.lang.Suggest.didYouMean(op, List.of("mmap", "munmap", "mprotect", "mlock", "munlock", "touch", "mremap", "madvise")));
            }
        }
    }

    // ------------------------------------------------------------------ replay
    /** The process kvma runs in: the address space, and the 1024-page scratch file (opened read-write). */
    public static final class Process {
        public final AddressSpace mm = new AddressSpace();
        public final MappedFile scratch = mm.newFile("/tmp/kvma-XXXXXX (deleted)", 131074, PAGES, false, true);
    }

    /** Runs one operation; returns what the system call returned (0 or -errno, as kvma prints it). */
    public static long run(Process p, Op op) {
        AddressSpace mm = p.mm;
        if (op instanceof Op.Mmap m) {
            int flags = MmSyscalls.MAP_FIXED | (m.shared() ? MmSyscalls.MAP_SHARED : MmSyscalls.MAP_PRIVATE) | (m.file() ? 0 : MmSyscalls.MAP_ANONYMOUS);
            long r = MmSyscalls.mmap(mm, BASE + m.off(), m.len(), m.prot(), flags, m.file() ? p.scratch : null, m.file() ? m.fileOff() : 0);
            return r < 0 ? r : 0;
        }
        if (op instanceof Op.Munmap u) return MmSyscalls.munmap(mm, BASE + u.off(), u.len());
        if (op instanceof Op.Mprotect m) return MmSyscalls.mprotect(mm, BASE + m.off(), m.len(), m.prot());
        if (op instanceof Op.Mlock l) return l.lock() ? MmSyscalls.mlock(mm, BASE + l.off(), l.len()) : MmSyscalls.munlock(mm, BASE + l.off(), l.len());
        if (op instanceof Op.Touch t) return MmSyscalls.touch(mm, BASE + t.off(), t.write());
        if (op instanceof Op.Mremap r) {
            long res = r.fixed()
                ? MmSyscalls.mremap(mm, BASE + r.off(), r.oldLen(), r.newLen(), MmSyscalls.MREMAP_MAYMOVE | MmSyscalls.MREMAP_FIXED, BASE + r.newOff())
                : MmSyscalls.mremap(mm, BASE + r.off(), r.oldLen(), r.newLen(), 0, 0);
            return res < 0 ? res : 0;
        }
        Op.Madvise a = (Op.Madvise) op;
        return MmSyscalls.madvise(mm, BASE + a.off(), a.len(), a.advice());
    }

    /** kvma's output for the whole script. */
    public String replay() {
        Process p = new Process();
        StringBuilder b = new StringBuilder();
        for (Line l : lines) {
            long res = run(p, l.op());
            b.append("## ").append(l.n()).append(' ').append(l.text()).append(" -> ").append(res).append('\n');
            b.append(arena(p.mm));
        }
        return b.toString();
    }

    /**
     * What kstep's probe (kstep mm compare) prints for the script: after each step, the smaps entry of every
     * VMA wholly inside the arena, addresses as offsets, the scratch file as FILE.
     */
    public String replaySmaps() {
        Process p = new Process();
        StringBuilder b = new StringBuilder();
        for (Line l : lines) {
            long res = run(p, l.op());
            b.append("## ").append(l.n()).append(' ').append(l.text()).append(" -> ").append(res).append('\n');
            for (Vma v : p.mm.vmas()) {
                if (v.start < BASE || v.end > BASE + ARENA) continue;
                b.append(String.format("%08x-%08x %s %08x %s\n", v.start - BASE, v.end - BASE, VmFlags.perms(v.flags),
                    v.file == null ? 0 : v.pgoff << AddressSpace.PAGE_SHIFT, arenaName(v)));
                String smap = ProcMaps.smap(p.mm, v);
                b.append(smap, smap.indexOf('\n') + 1, smap.length());
            }
        }
        return b.toString();
    }

    private static String arenaName(Vma v) {
        return v.file == null ? "" : v.file.shmem() ? v.file.name() : "FILE";
    }

    /** kvma's dump(): the VMAs wholly inside the arena, addresses as offsets, each with its VmFlags. */
    public static String arena(AddressSpace mm) {
        return arena(mm, BASE);
    }

    /** kvma's dump() of an arena that starts at {@code base} (a scenario's memory, to compare with kvma's). */
    public static String arena(AddressSpace mm, long base) {
        StringBuilder b = new StringBuilder();
        for (Vma v : mm.vmas()) {
            if (v.start < base || v.end > base + ARENA) continue;
            String name = arenaName(v);
            long off = v.file == null ? 0 : v.pgoff << AddressSpace.PAGE_SHIFT;
            b.append(String.format("%08x-%08x %s %08x %s [%s]\n", v.start - base, v.end - base, VmFlags.perms(v.flags), off, name,
                VmFlags.mnemonics(v.flags)));
        }
        return b.toString();
    }
}
