package kstep.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * An mm's page tables as a tree for the views: each table (its level and frame) with its non-empty entries,
 * each entry with the address range it covers, its raw value and decoded bits, and the table or frame it
 * points to.
 */
public record PageTableTree(Table root) {
    /** A page-table frame at {@code level} (4 = PGD ... 1 = PTE). */
    public record Table(int level, int pfn, List<Entry> entries) {
        public String name() {
            return Pte.levelName(level);
        }
    }

    /** Entry {@code index} covering [start, end): its value, and the table below (null for a PTE or an empty slot). */
    public record Entry(int index, long start, long end, long value, String bits, Table child) {
        /** The frame a present PTE maps, or -1. */
        public int frame() {
            return Pte.present(value) ? Pte.pfn(value) : -1;
        }
    }

    static PageTableTree of(AddressSpace mm) {
        return new PageTableTree(table(mm.pt, mm.pt.pgd, 4, 0));
    }

    private static Table table(PageTables pt, int pfn, int level, long base) {
        long span = 1L << (12 + 9 * (level - 1));
        long[] t = pt.table(pfn);
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < (level == 4 ? 256 : 512); i++) {
            long e = t[i];
            if (e == 0) continue;
            long start = base + i * span;
            Table child = level > 1 && Pte.present(e) ? table(pt, Pte.pfn(e), level - 1, start) : null;
            out.add(new Entry(i, start, start + span, e, level > 1 ? "table" : Pte.decode(e), child));
        }
        return new Table(level, pfn, out);
    }

    /** Every PTE of the tree with its address, in address order. */
    public List<Entry> ptes() {
        List<Entry> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(Table t, List<Entry> out) {
        for (Entry e : t.entries()) {
            if (t.level() == 1) out.add(e);
            else if (e.child() != null) collect(e.child(), out);
        }
    }

    /** The tables the walk of {@code addr} passes through, top first, with the entry used at each (null where it stops). */
    public List<Entry> walk(long addr) {
        List<Entry> path = new ArrayList<>();
        Table t = root;
        while (t != null) {
            Entry hit = null;
            for (Entry e : t.entries()) if (e.index() == Pte.index(addr, t.level())) hit = e;
            path.add(hit);
            t = hit == null ? null : hit.child();
        }
        return path;
    }
}
