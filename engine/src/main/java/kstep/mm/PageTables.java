package kstep.mm;

/**
 * An mm's x86-64 four-level page tables (PGD, PUD, PMD, PTE; 512 entries a level), kept in page-table frames
 * of the node's memory. The PGD is allocated with the mm (pgd_alloc); the levels below on the first fault
 * that needs them (__pud_alloc, __pmd_alloc, __pte_alloc), and freed by free_pgtables() when nothing is
 * mapped under them any more.
 */
final class PageTables {
    /** A frame for a page table, or -1; the allocation path decides about watermarks and reclaim. */
    @FunctionalInterface
    interface FrameSource {
        int get();
    }

    final Pgdat node;
    /** The PGD's frame (mm->pgd). */
    int pgd;
    final int owner;

    PageTables(Pgdat node, int owner) {
        this.node = node;
        this.owner = owner;
        this.pgd = newTable(4, () -> node.allocFrame(MemMap.Kind.PAGETABLE));
        if (pgd < 0) throw new IllegalStateException("no memory for a PGD");
    }

    private PageTables(Pgdat node, int owner, int pgd) {
        this.node = node;
        this.owner = owner;
        this.pgd = pgd;
    }

    /** The same tables in a copy of the node (frame numbers do not change in a copy). */
    PageTables in(Pgdat copy) {
        return new PageTables(copy, owner, pgd);
    }

    private int newTable(int level, FrameSource src) {
        int p = src.get();
        if (p < 0) return -1;
        node.map.kind[p] = MemMap.Kind.PAGETABLE;
        node.map.owner[p] = owner;
        node.map.index[p] = level;
        node.map.tables.put(p, new long[512]);
        node.count("nr_page_table_pages");
        if (level < 4) node.log("__" + Pte.levelName(level).toLowerCase(java.util.Locale.ROOT) + "_alloc: a " + Pte.levelName(level) + " table in frame " + p);
        return p;
    }

    long[] table(int pfn) {
        return node.map.tables.get(pfn);
    }

    /** The frame of the table at {@code level} for {@code addr} (4: the PGD), or -1 if not allocated. */
    int tableAt(long addr, int level) {
        int t = pgd;
        for (int l = 4; l > level; l--) {
            long e = table(t)[Pte.index(addr, l)];
            if (!Pte.present(e)) return -1;
            t = Pte.pfn(e);
        }
        return t;
    }

    /** The PTE for {@code addr} (0 when a level above is missing). */
    long pte(long addr) {
        int t = tableAt(addr, 1);
        return t < 0 ? 0 : table(t)[Pte.index(addr, 1)];
    }

    /**
     * The PTE table for {@code addr}, allocating the missing levels from {@code src}; -1 when an allocation
     * fails (the fault returns VM_FAULT_OOM).
     */
    int pteTable(long addr, FrameSource src) {
        int t = pgd;
        for (int l = 4; l > 1; l--) {
            long[] tab = table(t);
            int i = Pte.index(addr, l);
            if (!Pte.present(tab[i])) {
                int n = newTable(l - 1, src);
                if (n < 0) return -1;
                tab[i] = Pte.make(n, Pte.TABLE);
            }
            t = Pte.pfn(tab[i]);
        }
        return t;
    }

    void set(int table, long addr, long value) {
        table(table)[Pte.index(addr, 1)] = value;
    }

    /** Sets the PTE of {@code addr}, whose table exists. */
    void set(long addr, long value) {
        int t = tableAt(addr, 1);
        if (t < 0) throw new IllegalStateException("no page table for 0x" + Long.toHexString(addr));
        set(t, addr, value);
    }

    /** What {@link #forEach} calls for each non-empty PTE. */
    @FunctionalInterface
    interface PteVisitor {
        void visit(long addr, long pte);
    }

    /** Every non-empty PTE in [start, end), in address order, skipping missing tables a whole level at a time. */
    void forEach(long start, long end, PteVisitor v) {
        walk(pgd, 4, start, end, v);
    }

    private void walk(int t, int level, long start, long end, PteVisitor v) {
        long span = 1L << (12 + 9 * (level - 1));
        long[] tab = table(t);
        long base = start & ~(span * 512 - 1);
        for (int i = Pte.index(start, level); i < 512; i++) {
            long lo = base + i * span;
            if (lo >= end || lo < 0) return;
            long e = tab[i];
            if (level == 1) {
                if (e != 0) v.visit(lo, e);
            } else if (Pte.present(e)) {
                walk(Pte.pfn(e), level - 1, Math.max(start, lo), Math.min(end, lo + span), v);
            }
        }
    }

    /**
     * Follows mm/memory.c free_pgd_range(): frees the tables that map only [floor, ceiling) (the unmapped
     * range rounded out to the neighbouring VMAs), bottom level first, once they hold no entry.
     */
    void freeRange(long floor, long ceiling) {
        freeLevel(pgd, 4, floor, ceiling);
    }

    /** Returns whether the table at {@code t} is now empty. */
    private boolean freeLevel(int t, int level, long floor, long ceiling) {
        long span = 1L << (12 + 9 * (level - 1));
        long[] tab = table(t);
        for (int i = 0; i < 512; i++) {
            long e = tab[i];
            if (level == 1 || !Pte.present(e)) continue;
            long lo = i * span;
            if (level == 4 && i >= 256) continue; // the kernel half
            long hi = lo + span;
            if (hi <= floor || lo >= ceiling) continue;
            int child = Pte.pfn(e);
            boolean empty = freeLevel(child, level - 1, floor, ceiling);
            // a table below may go only if the whole range it maps lies in [floor, ceiling)
            if (empty && lo >= floor && hi <= ceiling) {
                tab[i] = 0;
                node.freeFrame(child);
                node.count("nr_page_table_pages", -1);
                node.log("free_pgtables: the " + Pte.levelName(level - 1) + " table in frame " + child + " freed");
            }
        }
        for (long e : tab) if (e != 0) return false;
        return true;
    }

    /** Frees every table (exit_mmap). */
    void freeAll() {
        freeRange(0, AddressSpace.TASK_SIZE + AddressSpace.PAGE_SIZE);
    }
}
