package kstep.mm;

import java.util.LinkedHashMap;
import java.util.Map;

/** What {@code kstep mm maps} prints for a process: VMAs and sizes by kind, resident memory where smaps says. */
public final class MapsSummary {
    private MapsSummary() { }

    /** The kind a VMA counts as, by its name and flags. */
    public static String kind(AddressSpace mm, Vma v) {
        String n = ProcMaps.name(mm, v);
        if ("[stack]".equals(n)) return "stack";
        if ("[heap]".equals(n)) return "heap";
        if (v.specialName != null) return "special";
        if ((v.flags & VmFlags.VM_MAYSHARE) != 0) return "shared";
        if (v.file != null) return "file";
        return "anon";
    }

    static long kb(String field) {
        if (field == null) return 0;
        String d = field.replaceAll("[^0-9]", "");
        return d.isEmpty() ? 0 : Long.parseLong(d);
    }

    static String size(long kb) {
        if (kb >= 10 * 1024 * 1024) return (kb / (1024 * 1024)) + " GiB";
        if (kb >= 10 * 1024) return (kb / 1024) + " MiB";
        return kb + " KiB";
    }

    public static String of(String path, MapsFile.Result r) {
        Map<String, long[]> by = new LinkedHashMap<>();
        for (String k : new String[] {"anon", "file", "shared", "heap", "stack", "special"}) by.put(k, new long[3]);
        long total = 0;
        long rss = 0;
        int locked = 0;
        for (Vma v : r.mm().vmas) {
            long[] c = by.get(kind(r.mm(), v));
            long kb = (v.end - v.start) >>> 10;
            long res = kb(r.fields().getOrDefault(v.start, Map.of()).get("Rss"));
            c[0]++;
            c[1] += kb;
            c[2] += res;
            total += kb;
            rss += res;
            if ((v.flags & VmFlags.VM_LOCKED) != 0) locked++;
        }
        StringBuilder b = new StringBuilder();
        b.append(path).append(": ").append(r.mm().mapCount()).append(" VMAs, ").append(size(total)).append(" mapped");
        if (r.smaps()) b.append(", ").append(size(rss)).append(" resident");
        b.append('\n');
        b.append(String.format("  %-8s %6s %10s%s%n", "kind", "VMAs", "size", r.smaps() ? "   resident" : ""));
        for (Map.Entry<String, long[]> e : by.entrySet()) {
            long[] c = e.getValue();
            if (c[0] == 0) continue;
            b.append(String.format("  %-8s %6d %10s%s%n", e.getKey(), c[0], size(c[1]), r.smaps() ? String.format(" %10s", size(c[2])) : ""));
        }
        if (locked > 0) b.append("  locked VMAs: ").append(locked).append('\n');
        return b.toString().replace("\r\n", "\n");
    }
}
