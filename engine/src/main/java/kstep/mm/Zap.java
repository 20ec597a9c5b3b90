package kstep.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * Taking pages out of page tables: zap_pte_range() for munmap and MADV_DONTNEED, and move_ptes() for
 * mremap. Unmapping drops the frame's map count and reference (a dirty PTE leaves the page dirty first); the
 * last reference frees the frame. A swap entry gives up its slot (free_swap_and_cache()).
 */
final class Zap {
    private Zap() { }

    /** Follows mm/memory.c zap_pte_range() over [start, end). */
    static void range(AddressSpace mm, long start, long end) {
        List<long[]> found = new ArrayList<>();
        mm.pt.forEach(start, end, (a, pte) -> found.add(new long[] {a, pte}));
        int freeBefore = mm.node.nrFree;
        int swapped = 0;
        for (long[] e : found) {
            long addr = e[0];
            long pte = e[1];
            mm.pt.set(addr, 0);
            if (Pte.present(pte)) {
                if ((pte & Pte.SPECIAL) != 0) continue; // the zero page: nothing to count
                unmapFrame(mm, Pte.pfn(pte), (pte & Pte.DIRTY) != 0);
            } else if (Pte.isSwap(pte)) {
                mm.rss[AddressSpace.MM_SWAPENTS]--;
                freeSwapAndCache(mm.node, Pte.swapOffset(pte));
                swapped++;
            }
        }
        if (!found.isEmpty()) {
            mm.node.log("zap_pte_range: " + found.size() + " PTE" + (found.size() == 1 ? "" : "s") + " cleared, " + (mm.node.nrFree - freeBefore)
                + " frame" + (mm.node.nrFree - freeBefore == 1 ? "" : "s") + " freed" + (swapped > 0 ? ", " + swapped + " swap entries dropped" : ""));
        }
    }

    /** One PTE mapping {@code pfn} went away: folio_remove_rmap_pte() and the reference it held. */
    static void unmapFrame(AddressSpace mm, int pfn, boolean dirty) {
        MemMap m = mm.node.map;
        if (dirty) m.set(pfn, MemMap.PG_DIRTY);
        m.mapcount[pfn]--;
        mm.rss[counterOf(m, pfn)]--;
        put(mm.node, pfn);
    }

    static int counterOf(MemMap m, int pfn) {
        if (m.kind[pfn] == MemMap.Kind.ANON) return AddressSpace.MM_ANONPAGES;
        return m.test(pfn, MemMap.PG_SWAPBACKED) ? AddressSpace.MM_SHMEMPAGES : AddressSpace.MM_FILEPAGES;
    }

    /** folio_put(): drops a reference; the last frees the frame (the swap or page cache holds one of its own). */
    static void put(Pgdat node, int pfn) {
        if (--node.map.refcount[pfn] == 0) node.freeFrame(pfn);
    }

    /** free_swap_and_cache(): a PTE's swap entry is gone; the slot and its cached folio go when unused. */
    static void freeSwapAndCache(Pgdat node, long slot) {
        SwapSpace s = node.swap;
        s.put(slot);
        Integer cached = s.cache.get(slot);
        if (cached != null && s.references(slot) == 0 && node.map.mapcount[cached] == 0) {
            deleteFromSwapCache(node, cached);
            put(node, cached);
        }
    }

    /** delete_from_swap_cache(): the folio leaves the swap cache and its slot (the caller drops the cache's reference). */
    static void deleteFromSwapCache(Pgdat node, int pfn) {
        MemMap m = node.map;
        node.swap.dropCache(m.swap[pfn]);
        m.clear(pfn, MemMap.PG_SWAPCACHE);
        m.swap[pfn] = 0;
    }

    /** Follows mm/mremap.c move_ptes(): the PTEs of [from, from + len) now map [to, to + len). */
    static void move(AddressSpace mm, long from, long len, long to) {
        List<long[]> found = new ArrayList<>();
        mm.pt.forEach(from, from + len, (a, pte) -> found.add(new long[] {a, pte}));
        for (long[] e : found) mm.pt.set(e[0], 0);
        for (long[] e : found) {
            int t = mm.pt.pteTable(e[0] - from + to, () -> mm.node.allocFrame(MemMap.Kind.PAGETABLE));
            if (t < 0) throw new MmError(Errno.ENOMEM);
            mm.pt.set(t, e[0] - from + to, e[1]);
        }
        mm.freePageTables(from, from + len);
    }
}
