package kstep.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * Page reclaim with the classic active/inactive LRU (mm/vmscan.c, Linux 6.18 without MGLRU), one folio at a
 * time so that kswapd's model (mm/vmscan.kc) can step through it: isolate folios from a list's tail, look at
 * their references (second chance through the PTEs' accessed bits and PG_referenced), unmap them through the
 * reverse map, write dirty anonymous folios to swap and dirty file folios back, and free them. Direct reclaim
 * runs the same decisions in one go for a task that cannot allocate.
 */
final class Reclaim {
    static final int SWAP_CLUSTER_MAX = 32;
    static final int DEF_PRIORITY = 12;

    // enum folio_references
    static final int FOLIOREF_RECLAIM = 0;
    static final int FOLIOREF_RECLAIM_CLEAN = 1;
    static final int FOLIOREF_KEEP = 2;
    static final int FOLIOREF_ACTIVATE = 3;
    static final String[] REF_NAMES = {"FOLIOREF_RECLAIM", "FOLIOREF_RECLAIM_CLEAN", "FOLIOREF_KEEP", "FOLIOREF_ACTIVATE"};

    private Reclaim() { }

    /** pgdat_balanced(): free memory at or above the high watermark. */
    static boolean balanced(Pgdat node) {
        return node.nrFree >= node.high;
    }

    /**
     * inactive_is_low(): the inactive list is short of the active one by more than the ratio, which is
     * int_sqrt(10 * gigabytes of the two lists), or 1 under a gigabyte.
     */
    static boolean inactiveIsLow(Pgdat node, int inactiveLru) {
        long inactive = node.lru.size[inactiveLru];
        long active = node.lru.size[inactiveLru + 1];
        long gb = (inactive + active) >> (30 - AddressSpace.PAGE_SHIFT);
        long ratio = gb == 0 ? 1 : (long) Math.sqrt(10.0 * gb);
        return inactive * ratio < active;
    }

    /**
     * get_scan_count(), simplified: a list's size shifted down by the priority; anonymous lists only when
     * there is free swap.
     */
    static long scanCount(Pgdat node, int lru, int priority) {
        boolean anon = lru == Lruvec.INACTIVE_ANON || lru == Lruvec.ACTIVE_ANON;
        if (anon && node.swap.free() == 0) return 0;
        return node.lru.size[lru] >> priority;
    }

    /**
     * isolate_lru_folios(): up to {@code n} folios from the tail of list {@code lru} onto the reclaimer's
     * private list (off the LRU, with a reference of their own). Returns how many.
     */
    static int isolate(Pgdat node, int lru, long n) {
        MemMap m = node.map;
        int taken = 0;
        while (taken < n && node.lru.tail[lru] >= 0) {
            int pfn = node.lru.tail[lru];
            node.lru.del(m, pfn);
            m.refcount[pfn]++;
            node.isolated.add(pfn);
            taken++;
        }
        node.count(lru == Lruvec.INACTIVE_ANON || lru == Lruvec.INACTIVE_FILE ? "pgscan" : "pgrefill", taken);
        return taken;
    }

    /** The next isolated folio to look at, taken off the private list; -1 when it is empty. */
    static int nextIsolated(Pgdat node) {
        if (node.isolated.isEmpty()) return -1;
        int pfn = node.isolated.poll();
        node.scanning = pfn;
        return pfn;
    }

    /**
     * folio_referenced(): how many PTEs mapping the folio had the accessed bit, clearing it as they are
     * counted, and the union of those VMAs' flags (for VM_LOCKED and VM_EXEC).
     */
    static int[] referenced(Pgdat node, int pfn) {
        int young = 0;
        int vmFlags = 0;
        for (Rmap.Mapping mp : Rmap.walk(node, pfn)) {
            long pte = mp.mm().pt.pte(mp.addr());
            if ((mp.vma().flags & VmFlags.VM_LOCKED) != 0) vmFlags |= 1;
            if ((pte & Pte.ACCESSED) != 0) {
                young++;
                mp.mm().pt.set(mp.addr(), pte & ~Pte.ACCESSED);
                if ((mp.vma().flags & VmFlags.VM_EXEC) != 0) vmFlags |= 2;
            }
        }
        return new int[] {young, vmFlags};
    }

    /**
     * Follows mm/vmscan.c folio_check_references(): a folio in a VM_LOCKED VMA is activated (it goes to the
     * unevictable list); a folio mapped young is given a second trip round the inactive list (PG_referenced)
     * unless it was already referenced, is mapped young more than once, or is an executable file folio, which
     * are activated; an unmapped referenced file folio is reclaimed if clean; the rest is reclaimed.
     */
    static int checkReferences(Pgdat node, int pfn) {
        MemMap m = node.map;
        int[] r = referenced(node, pfn);
        boolean referencedFolio = m.test(pfn, MemMap.PG_REFERENCED);
        m.clear(pfn, MemMap.PG_REFERENCED);
        boolean file = m.kind[pfn] == MemMap.Kind.FILE && !m.test(pfn, MemMap.PG_SWAPBACKED);
        if ((r[1] & 1) != 0) return FOLIOREF_ACTIVATE;
        if (r[0] > 0) {
            m.set(pfn, MemMap.PG_REFERENCED);
            if (referencedFolio || r[0] > 1) return FOLIOREF_ACTIVATE;
            if ((r[1] & 2) != 0 && file) return FOLIOREF_ACTIVATE;
            return FOLIOREF_KEEP;
        }
        if (referencedFolio && file) return FOLIOREF_RECLAIM_CLEAN;
        return FOLIOREF_RECLAIM;
    }

    /** The outcome of {@link #shrinkFolio}. */
    enum Outcome { RECLAIMED, ACTIVATED, KEPT }

    /**
     * Follows mm/vmscan.c shrink_folio_list() for one isolated folio after its references were checked:
     * activate or keep it on the LRU; else an anonymous folio gets a swap slot (add_to_swap), every PTE is
     * unmapped (try_to_unmap: a swap entry for anonymous memory, nothing for a file page), a dirty anonymous
     * folio is written to swap (pageout), and the folio leaves the swap or page cache and is freed
     * (__remove_mapping). A folio that cannot go is kept or activated: no swap left, a dirty file folio
     * (reclaim no longer writes files back since 6.17: that is the flusher's job), a RECLAIM_CLEAN folio
     * found dirty, shmem (which kstep does not swap).
     */
    static Outcome shrinkFolio(Pgdat node, int pfn, int ref) {
        MemMap m = node.map;
        node.scanning = -1;
        if (ref == FOLIOREF_ACTIVATE) {
            putback(node, pfn, true);
            return Outcome.ACTIVATED;
        }
        if (ref == FOLIOREF_KEEP) {
            putback(node, pfn, false);
            return Outcome.KEPT;
        }
        boolean anon = m.kind[pfn] == MemMap.Kind.ANON;
        if (anon && m.mapcount[pfn] == 0 && !m.test(pfn, MemMap.PG_SWAPCACHE)) {
            // unmapped while isolated (munmap, exit): nothing to save
            release(node, pfn);
            return Outcome.RECLAIMED;
        }
        if (anon && !m.test(pfn, MemMap.PG_SWAPCACHE)) {
            if (!addToSwap(node, pfn)) {
                putback(node, pfn, true);
                return Outcome.ACTIVATED;
            }
        }
        if (!anon && m.test(pfn, MemMap.PG_SWAPBACKED)) {
            // shmem: shmem_writeout() would move it to swap; kstep keeps tmpfs pages in memory
            putback(node, pfn, true);
            return Outcome.ACTIVATED;
        }
        if (m.mapcount[pfn] > 0) tryToUnmap(node, pfn);
        if (m.test(pfn, MemMap.PG_DIRTY)) {
            if (ref == FOLIOREF_RECLAIM_CLEAN) {
                putback(node, pfn, false);
                return Outcome.KEPT;
            }
            if (!anon) {
                // pageout(): since 6.17 reclaim leaves a regular file's dirty folios to the flusher threads
                putback(node, pfn, true);
                return Outcome.ACTIVATED;
            }
            pageout(node, pfn);
        }
        removeMapping(node, pfn);
        release(node, pfn);
        node.count("pgsteal");
        return Outcome.RECLAIMED;
    }

    /** The reclaimer lets go of a folio it isolated: back to the head of its list (activated first if asked). */
    static void putback(Pgdat node, int pfn, boolean activate) {
        MemMap m = node.map;
        node.scanning = -1;
        if (activate && !m.test(pfn, MemMap.PG_ACTIVE)) {
            m.set(pfn, MemMap.PG_ACTIVE);
            node.count("pgactivate");
        }
        boolean locked = false;
        for (Rmap.Mapping mp : Rmap.walk(node, pfn)) if ((mp.vma().flags & VmFlags.VM_LOCKED) != 0) locked = true;
        if (locked) m.set(pfn, MemMap.PG_UNEVICTABLE | MemMap.PG_MLOCKED);
        node.lru.add(m, pfn);
        Zap.put(node, pfn);
    }

    /** Drops the reclaimer's reference: the frame is freed if nothing else holds it. */
    private static void release(Pgdat node, int pfn) {
        Zap.put(node, pfn);
    }

    /** add_to_swap(): a slot for an anonymous folio, which joins the swap cache dirty (it must be written). */
    static boolean addToSwap(Pgdat node, int pfn) {
        long slot = node.swap.allocate();
        if (slot == 0) return false;
        MemMap m = node.map;
        m.set(pfn, MemMap.PG_SWAPCACHE | MemMap.PG_DIRTY);
        m.swap[pfn] = slot;
        m.refcount[pfn]++;
        node.swap.cache.put(slot, pfn);
        node.log("add_to_swap: frame " + pfn + " gets swap slot " + slot + " (swap cache)");
        return true;
    }

    /**
     * Follows mm/rmap.c try_to_unmap_one() for every mapping: the PTE goes (its dirty bit passes to the
     * folio); an anonymous folio's PTE gets its swap entry (swap_duplicate(), MM_ANONPAGES to MM_SWAPENTS).
     */
    static void tryToUnmap(Pgdat node, int pfn) {
        MemMap m = node.map;
        boolean anon = m.kind[pfn] == MemMap.Kind.ANON;
        List<Rmap.Mapping> maps = Rmap.walk(node, pfn);
        List<String> where = new ArrayList<>();
        for (Rmap.Mapping mp : maps) where.add(String.format("0x%x", mp.addr()));
        node.log("try_to_unmap: frame " + pfn + " unmapped at " + String.join(", ", where) + (anon ? ", swap entries in the PTEs" : ""));
        for (Rmap.Mapping mp : maps) {
            AddressSpace mm = mp.mm();
            long pte = mm.pt.pte(mp.addr());
            if ((pte & Pte.DIRTY) != 0) m.set(pfn, MemMap.PG_DIRTY);
            if (anon) {
                long slot = m.swap[pfn];
                node.swap.duplicate(slot);
                // folio_try_share_anon_rmap_pte(): the exclusive marker moves into the swap PTE
                long exclusive = m.test(pfn, MemMap.PG_ANON_EXCLUSIVE) ? Pte.SWP_EXCLUSIVE : 0;
                m.clear(pfn, MemMap.PG_ANON_EXCLUSIVE);
                mm.pt.set(mp.addr(), Pte.swapEntry(0, slot) | exclusive);
                mm.rss[AddressSpace.MM_SWAPENTS]++;
            } else {
                mm.pt.set(mp.addr(), 0);
            }
            m.mapcount[pfn]--;
            mm.rss[Zap.counterOf(m, pfn)]--;
            m.refcount[pfn]--;
        }
    }

    /** pageout(): writes a dirty folio to its swap slot or its file, synchronously here; it is clean after. */
    static void pageout(Pgdat node, int pfn) {
        MemMap m = node.map;
        if (m.test(pfn, MemMap.PG_SWAPCACHE)) {
            node.swap.data[(int) m.swap[pfn]] = m.data[pfn];
            node.count("pswpout");
            node.log("pageout: frame " + pfn + " written to swap slot " + m.swap[pfn]);
        } else if (m.kind[pfn] == MemMap.Kind.FILE) {
            node.cache.write(m.owner[pfn], m.index[pfn], m.data[pfn]);
            node.count("pgpgout");
        }
        m.clear(pfn, MemMap.PG_DIRTY);
    }

    /** __remove_mapping(): the folio leaves the swap cache (its slot stays with the PTEs) or the page cache. */
    static void removeMapping(Pgdat node, int pfn) {
        MemMap m = node.map;
        if (m.test(pfn, MemMap.PG_SWAPCACHE)) {
            long slot = m.swap[pfn];
            node.swap.cache.remove(slot);
            node.swap.swapMap[(int) slot] &= ~SwapSpace.SWAP_HAS_CACHE;
            m.clear(pfn, MemMap.PG_SWAPCACHE);
            m.swap[pfn] = 0;
            Zap.put(node, pfn);
        } else if (m.kind[pfn] == MemMap.Kind.FILE) {
            node.cache.remove(m.owner[pfn], m.index[pfn]);
            Zap.put(node, pfn);
        }
    }

    /**
     * Follows mm/vmscan.c shrink_active_list(): up to {@code n} folios from the active list's tail; an
     * executable file folio mapped young stays active, everything else moves to the inactive list (its
     * accessed bits cleared on the way, PG_referenced kept).
     */
    static int shrinkActive(Pgdat node, int activeLru, long n) {
        MemMap m = node.map;
        int moved = 0;
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < n && node.lru.tail[activeLru] >= 0; i++) {
            int pfn = node.lru.tail[activeLru];
            node.lru.del(m, pfn);
            int[] r = referenced(node, pfn);
            boolean file = m.kind[pfn] == MemMap.Kind.FILE && !m.test(pfn, MemMap.PG_SWAPBACKED);
            if (r[0] > 0 && (r[1] & 2) != 0 && file) {
                keep.add(pfn);
                continue;
            }
            // PG_referenced stays: a folio used again soon is activated at once from the inactive list
            m.clear(pfn, MemMap.PG_ACTIVE);
            m.set(pfn, MemMap.PG_WORKINGSET);
            node.lru.add(m, pfn);
            moved++;
        }
        for (int pfn : keep) node.lru.add(m, pfn);
        node.count("pgdeactivate", moved);
        return moved;
    }

    /**
     * shrink_lruvec() at {@code priority} in one go: age the active lists that need it, then reclaim from
     * the inactive lists. Returns the folios freed.
     */
    static int shrinkNode(Pgdat node, int priority) {
        int freed = 0;
        for (int inactive : new int[] {Lruvec.INACTIVE_ANON, Lruvec.INACTIVE_FILE}) {
            if (inactiveIsLow(node, inactive)) shrinkActive(node, inactive + 1, scanCount(node, inactive + 1, priority));
        }
        for (int lru : new int[] {Lruvec.INACTIVE_FILE, Lruvec.INACTIVE_ANON}) {
            // shrink_lruvec() takes a list in batches of SWAP_CLUSTER_MAX
            for (long left = scanCount(node, lru, priority); left > 0; left -= SWAP_CLUSTER_MAX) {
                isolate(node, lru, Math.min(left, SWAP_CLUSTER_MAX));
                for (int pfn = nextIsolated(node); pfn >= 0; pfn = nextIsolated(node)) {
                    if (shrinkFolio(node, pfn, checkReferences(node, pfn)) == Outcome.RECLAIMED) freed++;
                }
            }
        }
        return freed;
    }

    /**
     * try_to_free_pages() for an allocation below the min watermark: priorities from DEF_PRIORITY down
     * until SWAP_CLUSTER_MAX folios are freed.
     */
    static int direct(Pgdat node) {
        int freed = 0;
        for (int priority = DEF_PRIORITY; priority >= 0 && freed < SWAP_CLUSTER_MAX; priority--) freed += shrinkNode(node, priority);
        node.count("pgsteal_direct", freed);
        return freed;
    }
}
