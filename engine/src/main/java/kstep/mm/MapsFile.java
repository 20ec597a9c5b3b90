package kstep.mm;

import java.util.LinkedHashMap;
import java.util.Map;

import kstep.lang.SourceError;
import kstep.lang.SourcePos;

/**
 * A /proc/PID/maps or /proc/PID/smaps text read back into an address space, to show a real process (read
 * only). Each maps line becomes a VMA; an smaps file adds its fields and VmFlags (without them the VM_MAY*
 * bits are guessed from the permissions). Any line that is neither is an error at its line and column, and
 * so are VMAs out of order or overlapping.
 */
public final class MapsFile {
    /** The address space, and each VMA's smaps fields ("Rss" to "23 kB") by start address. */
    public record Result(AddressSpace mm, Map<Long, Map<String, String>> fields, boolean smaps) { }

    private static final java.util.regex.Pattern HEADER = java.util.regex.Pattern.compile(
        "([0-9a-f]+)-([0-9a-f]+) ([r-][w-][x-][sp]) ([0-9a-f]+) ([0-9a-f]{2,}:[0-9a-f]{2,}) ([0-9]+)(?: +(.*))?");
    private static final java.util.regex.Pattern FIELD = java.util.regex.Pattern.compile("([A-Za-z_]+):\\s+(.*)");

    private MapsFile() { }

    public static Result parse(String file, String text) {
        AddressSpace mm = new AddressSpace();
        Map<Long, Map<String, String>> fields = new LinkedHashMap<>();
        Map<String, MappedFile> files = new LinkedHashMap<>();
        Vma last = null;
        int lastLine = 0;
        boolean smaps = false;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            if (line.isEmpty()) continue;
            int n = i + 1;
            java.util.regex.Matcher h = HEADER.matcher(line);
            if (h.matches()) {
                long start = hex(file, n, 1, h.group(1));
                long end = hex(file, n, h.start(2) + 1, h.group(2));
                if (Long.compareUnsigned(end, start) <= 0) throw new SourceError(new SourcePos(file, n, h.start(2) + 1), "the VMA ends before it starts");
                if ((start & (AddressSpace.PAGE_SIZE - 1)) != 0 || (end & (AddressSpace.PAGE_SIZE - 1)) != 0)
                    throw new SourceError(new SourcePos(file, n, 1), "VMA boundaries are page aligned");
                if (last != null && Long.compareUnsigned(start, last.end) < 0)
                    throw new SourceError(new SourcePos(file, n, 1), "this VMA overlaps or comes before the one at line " + lastLine);
                String perms = h.group(3);
                long flags = (perms.charAt(0) == 'r' ? VmFlags.VM_READ : 0) | (perms.charAt(1) == 'w' ? VmFlags.VM_WRITE : 0)
                    | (perms.charAt(2) == 'x' ? VmFlags.VM_EXEC : 0) | (perms.charAt(3) == 's' ? VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE : 0)
                    | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC;
                long off = hex(file, n, h.start(4) + 1, h.group(4));
                long inode = Long.parseLong(h.group(6));
                String name = h.group(7) == null ? "" : h.group(7).strip();
                MappedFile mf = null;
                Vma v = new Vma(start, end, 0, flags, null, Vma.VmOps.NONE);
                if (inode != 0 || name.startsWith("/")) {
                    String key = h.group(5) + ":" + inode + ":" + name;
                    mf = files.get(key);
                    if (mf == null) {
                        boolean shmem = name.startsWith("/dev/zero") || name.startsWith("/SYSV") || name.startsWith("/memfd:");
                        mf = new MappedFile(files.size() + 1, name, h.group(5), inode, Long.MAX_VALUE / 8, shmem, true);
                        files.put(key, mf);
                    }
                    v.file = mf;
                    v.ops = mf.shmem() ? Vma.VmOps.SHMEM : Vma.VmOps.FILE;
                    v.pgoff = off >>> AddressSpace.PAGE_SHIFT;
                } else if (name.equals("[heap]")) {
                    mm.startBrk = start;
                    mm.brk = end;
                } else if (name.equals("[stack]")) {
                    mm.startStack = end - 1;
                    v.flags |= VmFlags.VM_GROWSDOWN;
                } else if (name.startsWith("[anon:") && name.endsWith("]")) {
                    v.anonName = name.substring(6, name.length() - 1);
                } else if (!name.isEmpty()) {
                    v.specialName = name;
                }
                mm.vmas.put(start, v);
                fields.put(start, new LinkedHashMap<>());
                last = v;
                lastLine = n;
                continue;
            }
            java.util.regex.Matcher f = FIELD.matcher(line);
            if (f.matches() && last != null) {
                smaps = true;
                String key = f.group(1);
                if (key.equals("VmFlags")) last.flags = vmFlags(file, n, f.start(2) + 1, f.group(2), last.flags);
                else fields.get(last.start).put(key, f.group(2).strip());
                continue;
            }
            if (f.matches()) throw new SourceError(new SourcePos(file, n, 1), "an smaps field before any VMA line");
            throw new SourceError(new SourcePos(file, n, firstBad(line)),
                "not a maps line (start-end perms offset dev inode [name]) nor an smaps field (Name: value)");
        }
        return new Result(mm, fields, smaps);
    }

    /** The column where a line stops looking like a maps header, for the error. */
    private static int firstBad(String line) {
        String[] want = {"[0-9a-f]+", "-", "[0-9a-f]+", " ", "[r-][w-][x-][sp]", " "};
        int col = 0;
        for (String w : want) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(w).matcher(line);
            if (!m.find(col) || m.start() != col) return col + 1;
            col = m.end();
        }
        return col + 1;
    }

    private static long hex(String file, int line, int col, String s) {
        try {
            return Long.parseUnsignedLong(s, 16);
        } catch (NumberFormatException e) {
            throw new SourceError(new SourcePos(file, line, col), "'" + s + "' is not a hexadecimal address");
        }
    }

    /** The VmFlags line's mnemonics back to vm_flags bits; an unknown one is an error (its column). */
    private static long vmFlags(String file, int line, int col, String value, long perms) {
        long flags = 0;
        int at = col;
        for (String m : value.split(" ")) {
            if (m.isEmpty()) {
                at++;
                continue;
            }
            long bit = VmFlags.ofMnemonic(m);
            if (bit == 0) throw new SourceError(new SourcePos(file, line, at), "unknown VmFlags mnemonic '" + m + "'");
            flags |= bit;
            at += m.length() + 1;
        }
        return flags | (perms & VmFlags.VM_GROWSDOWN);
    }
}
