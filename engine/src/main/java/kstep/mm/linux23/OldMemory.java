package kstep.mm.linux23;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import kstep.engine.Extension;
import kstep.engine.StateHash;

/**
 * The memory of a Linux 2.3 machine as its models see it: the mm_structs (heap objects, in the order
 * swap_out() visits them), each mm's page tables (i386: a page directory entry per 4 MiB, a PTE per page),
 * mem_map (a count, flags and the swap entry of a swap-cache page per frame), the swap map and the swap
 * cache. The vmas themselves are heap objects of the models, so that their use after free is seen.
 */
public final class OldMemory implements Extension {
    public static final String KEY = "mm-2.3";

    // i386 PTE bits (include/asm-i386/pgtable.h)
    public static final long PAGE_PRESENT = 0x001;
    public static final long PAGE_RW = 0x002;
    public static final long PAGE_USER = 0x004;
    public static final long PAGE_ACCESSED = 0x020;
    public static final long PAGE_DIRTY = 0x040;
    // page flags (include/linux/mm.h of 2.3)
    public static final int PG_LOCKED = 1;
    public static final int PG_REFERENCED = 1 << 2;
    public static final int PG_SWAP_CACHE = 1 << 9;
    public static final int PG_RESERVED = 1 << 31;

    final List<Integer> mms = new ArrayList<>();
    /** mm object id -> address -> PTE */
    final TreeMap<Integer, TreeMap<Long, Long>> ptes = new TreeMap<>();
    int[] count;
    int[] flags;
    long[] swapEntry;
    BitSet free;
    int[] swapMap;
    final TreeMap<Long, Integer> swapCache = new TreeMap<>();
    long freepagesHigh;
    /** vmas marked half-updated (kstep_vma_changing): vma id -> the writer's task_struct id. */
    final TreeMap<Integer, Integer> changing = new TreeMap<>();

    OldMemory(int frames, int swapSlots, long freepagesHigh) {
        count = new int[frames];
        flags = new int[frames];
        swapEntry = new long[frames];
        free = new BitSet(frames);
        free.set(1, frames);
        flags[0] = PG_RESERVED;
        count[0] = 1;
        swapMap = new int[swapSlots + 1];
        this.freepagesHigh = freepagesHigh;
    }

    private OldMemory(OldMemory o) {
        mms.addAll(o.mms);
        for (Map.Entry<Integer, TreeMap<Long, Long>> e : o.ptes.entrySet()) ptes.put(e.getKey(), new TreeMap<>(e.getValue()));
        count = o.count.clone();
        flags = o.flags.clone();
        swapEntry = o.swapEntry.clone();
        free = (BitSet) o.free.clone();
        swapMap = o.swapMap.clone();
        swapCache.putAll(o.swapCache);
        freepagesHigh = o.freepagesHigh;
        changing.putAll(o.changing);
    }

    @Override
    public OldMemory copy() {
        return new OldMemory(this);
    }

    @Override
    public void hashInto(StateHash.Sink h) {
        for (Map.Entry<Integer, TreeMap<Long, Long>> e : ptes.entrySet()) {
            h.add(e.getKey());
            for (Map.Entry<Long, Long> p : e.getValue().entrySet()) h.add(p.getKey() * 31 + p.getValue());
        }
        h.add(java.util.Arrays.hashCode(count));
        h.add(java.util.Arrays.hashCode(flags));
        h.add(java.util.Arrays.hashCode(swapEntry));
        h.add(java.util.Arrays.hashCode(swapMap));
        for (Map.Entry<Integer, Integer> e : changing.entrySet()) h.add(e.getKey() * 65537L + e.getValue());
    }

    public int frames() {
        return count.length;
    }

    public int nrFree() {
        return free.cardinality();
    }

    TreeMap<Long, Long> table(int mm) {
        return ptes.computeIfAbsent(mm, k -> new TreeMap<>());
    }

    /** A free frame (lowest first), counted once; -1 when there is none. */
    int allocPage() {
        int p = free.nextSetBit(0);
        if (p < 0) return -1;
        free.clear(p);
        count[p] = 1;
        flags[p] = 0;
        swapEntry[p] = 0;
        return p;
    }

    /** __free_page(): one reference less; the last one frees the frame (and its swap-cache entry stays on disk). */
    void freePage(int p) {
        if (p <= 0 || free.get(p)) return;
        if (--count[p] > 0) return;
        if ((flags[p] & PG_SWAP_CACHE) != 0) {
            swapCache.remove(swapEntry[p]);
            swapMap[(int) (swapEntry[p] >>> 8)]--;
        }
        flags[p] = 0;
        swapEntry[p] = 0;
        free.set(p);
    }

    // ------------------------------------------------------------------ for the views
    /** The PTEs of {@code mm} (by its object id): address -> value. */
    public Map<Long, Long> ptesOf(int mm) {
        return java.util.Collections.unmodifiableMap(ptes.getOrDefault(mm, new TreeMap<>()));
    }

    public List<Integer> mms() {
        return List.copyOf(mms);
    }

    /** The writer task_struct id of each vma marked half-updated. */
    public Map<Integer, Integer> changing() {
        return java.util.Collections.unmodifiableMap(changing);
    }

    public long freepagesHigh() {
        return freepagesHigh;
    }

    /** "present, young, dirty", "swap 3" or "none". */
    public static String describe(long pte) {
        if (pte == 0) return "none";
        if ((pte & PAGE_PRESENT) == 0) return "swap entry " + (pte >>> 8);
        return "frame " + (pte >>> 12) + ((pte & PAGE_ACCESSED) != 0 ? ", young" : "") + ((pte & PAGE_DIRTY) != 0 ? ", dirty" : "")
            + ((pte & PAGE_RW) != 0 ? ", writable" : "");
    }
}
