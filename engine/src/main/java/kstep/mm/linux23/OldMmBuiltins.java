package kstep.mm.linux23;

import java.util.TreeMap;

import kstep.engine.Builtins;
import kstep.engine.Event;
import kstep.engine.Exec;
import kstep.engine.KObject;
import kstep.engine.Value;

/**
 * What the Linux 2.3 models leave to the machine: i386 page-table entries and their bits, struct page
 * flags, the swap map and swap cache, zap_page_range(), the TLB flush (which reads the vma), and kstep's
 * marks of a half-updated vma. Each is one statement of the model that calls it.
 */
public final class OldMmBuiltins {
    private OldMmBuiltins() { }

    static OldMemory mem(Exec x) {
        OldMemory m = x.ext(OldMemory.KEY, OldMemory.class);
        if (m == null) throw x.error("this needs the mm section with mode: linux-2.3");
        return m;
    }

    private static int page(Exec x, OldMemory m, long p) {
        if (p <= 0 || p >= m.frames()) throw x.error("page " + p + " is not a frame of mem_map");
        return (int) p;
    }

    public static void register(Builtins b) {
        b.add("pte_read", 2, "*pte_offset(pmd_offset(pgd_offset(mm, address), address), address): the PTE (0: none)",
            (x, a) -> Value.of(mem(x).table(a.obj(0).id()).getOrDefault(a.l(1) & ~0xfffL, 0L)));
        b.add("pgd_none", 2, "no page table under the page directory entry of address", (x, a) -> {
            TreeMap<Long, Long> t = mem(x).table(a.obj(0).id());
            long lo = a.l(1) & ~0x3fffffL;
            return Value.bool(t.subMap(lo, lo + 0x400000L).isEmpty());
        });
        b.proc("set_pte", 3, "set_pte(mm, address, pte)", (x, a) -> setPte(x, a.obj(0), a.l(1), a.l(2)));
        b.proc("pte_clear", 2, "pte_clear(mm, address)", (x, a) -> setPte(x, a.obj(0), a.l(1), 0));
        b.add("pte_present", 1, "the PTE maps a page", (x, a) -> Value.bool((a.l(0) & OldMemory.PAGE_PRESENT) != 0));
        b.add("pte_young", 1, "the accessed bit", (x, a) -> Value.bool((a.l(0) & OldMemory.PAGE_ACCESSED) != 0));
        b.add("pte_dirty", 1, "the dirty bit", (x, a) -> Value.bool((a.l(0) & OldMemory.PAGE_DIRTY) != 0));
        b.add("pte_mkold", 1, "the PTE without its accessed bit", (x, a) -> Value.of(a.l(0) & ~OldMemory.PAGE_ACCESSED));
        b.add("pte_page", 1, "the frame a present PTE maps", (x, a) -> Value.of(a.l(0) >>> 12));
        b.add("swp_entry_to_pte", 1, "the PTE of a swap entry (not present)", (x, a) -> Value.of(a.l(0)));
        b.add("PageReserved", 1, "PG_reserved", (x, a) -> Value.bool((mem(x).flags[page(x, mem(x), a.l(0))] & OldMemory.PG_RESERVED) != 0));
        b.add("PageLocked", 1, "PG_locked", (x, a) -> Value.bool((mem(x).flags[page(x, mem(x), a.l(0))] & OldMemory.PG_LOCKED) != 0));
        b.add("PageSwapCache", 1, "PG_swap_cache", (x, a) -> Value.bool((mem(x).flags[page(x, mem(x), a.l(0))] & OldMemory.PG_SWAP_CACHE) != 0));
        b.add("page_swap_entry", 1, "page->offset of a swap-cache page: its swap entry", (x, a) -> Value.of(mem(x).swapEntry[page(x, mem(x), a.l(0))]));
        b.proc("set_page_referenced", 1, "set_bit(PG_referenced, &page->flags)", (x, a) -> {
            OldMemory m = mem(x);
            m.flags[page(x, m, a.l(0))] |= OldMemory.PG_REFERENCED;
        });
        b.add("acquire_swap_entry", 1, "get_swap_page(): a free swap slot's entry (offset << 8), or 0 when swap is full", (x, a) -> {
            OldMemory m = mem(x);
            for (int i = 1; i < m.swapMap.length; i++) {
                if (m.swapMap[i] == 0) {
                    m.swapMap[i] = 1;
                    return Value.of((long) i << 8);
                }
            }
            return Value.ZERO;
        });
        b.proc("swap_duplicate", 1, "one more user of the swap entry", (x, a) -> mem(x).swapMap[(int) (a.l(0) >>> 8)]++);
        b.proc("add_to_swap_cache", 2, "add_to_swap_cache(page, entry): the page is the entry's copy in memory", (x, a) -> {
            OldMemory m = mem(x);
            int p = page(x, m, a.l(0));
            m.flags[p] |= OldMemory.PG_SWAP_CACHE;
            m.swapEntry[p] = a.l(1);
            m.swapCache.put(a.l(1), p);
        });
        b.proc("rw_swap_page", 2, "rw_swap_page(WRITE, page): the page's content goes to its swap slot", (x, a) -> {
            OldMemory m = mem(x);
            int p = page(x, m, a.l(1));
            x.emit(Event.say(Event.Kind.SET, "swap", "rw_swap_page: frame " + p + " written to swap entry " + (m.swapEntry[p] >>> 8)));
        });
        b.proc("__free_page", 1, "one reference to the page less; the last frees it", (x, a) -> {
            OldMemory m = mem(x);
            int p = page(x, m, a.l(0));
            m.freePage(p);
            if (m.free.get(p)) x.emit(Event.say(Event.Kind.SET, "swap", "frame " + p + " freed"));
        });
        b.proc("flush_tlb_page", 2, "flush_tlb_page(vma, address): drop the TLB entry of the vma's mm (reads vma->vm_mm)",
            (x, a) -> x.readField(a.get(0), "vm_mm"));
        b.proc("zap_page_range", 3, "zap_page_range(mm, address, size): unmap the pages, free them and their swap entries", (x, a) -> {
            OldMemory m = mem(x);
            TreeMap<Long, Long> t = m.table(a.obj(0).id());
            long lo = a.l(1);
            int n = 0;
            for (Long addr : new java.util.ArrayList<>(t.subMap(lo, lo + a.l(2)).keySet())) {
                long pte = t.remove(addr);
                n++;
                if ((pte & OldMemory.PAGE_PRESENT) != 0) {
                    m.freePage((int) (pte >>> 12));
                    KObject mm = a.obj(0);
                    x.setField(mm, "rss", Value.of(Math.max(0, mm.getLong("rss") - 1)));
                } else {
                    m.swapMap[(int) (pte >>> 8)]--;
                }
            }
            x.emit(Event.say(Event.Kind.SET, "pages", String.format("zap_page_range: %d PTEs of [0x%x, 0x%x) cleared", n, lo, lo + a.l(2))));
        });
        b.add("nr_mms", 0, "how many mms swap_out() chooses from", (x, a) -> Value.of(mem(x).mms.size()));
        b.add("mm_first", 0, "the first mm swap_out() looks at (2.3 walks the task list)", (x, a) -> {
            OldMemory m = mem(x);
            return m.mms.isEmpty() ? Value.Nil.NULL : new Value.Ref(m.mms.get(0));
        });
        b.add("mm_next", 1, "the mm after mm, or NULL", (x, a) -> {
            OldMemory m = mem(x);
            int i = m.mms.indexOf(a.obj(0).id());
            return i < 0 || i + 1 >= m.mms.size() ? Value.Nil.NULL : new Value.Ref(m.mms.get(i + 1));
        });
        b.add("freepages_high", 0, "freepages.high: kswapd frees pages until this many are free", (x, a) -> Value.of(mem(x).freepagesHigh));
        b.proc("kstep_vma_changing", 1, "kstep: the vma on the list is half-updated from here (a read by another task is inconsistent)",
            (x, a) -> mem(x).changing.put(a.obj(0).id(), x.currentTaskStruct().id()));
        b.proc("kstep_vma_consistent", 1, "kstep: the vma is consistent again", (x, a) -> mem(x).changing.remove(a.obj(0).id()));
    }

    private static void setPte(Exec x, KObject mm, long addr, long pte) {
        OldMemory m = mem(x);
        TreeMap<Long, Long> t = m.table(mm.id());
        long page = addr & ~0xfffL;
        Long old = t.get(page);
        if (pte == 0) t.remove(page);
        else t.put(page, pte);
        x.emit(Event.say(Event.Kind.SET, "pte:" + mm.name(), String.format("pte of 0x%x: %s -> %s", page, OldMemory.describe(old == null ? 0 : old),
            OldMemory.describe(pte))));
    }
}
