package kstep.mm;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * One swap device (swap_info_struct, type 0) and the swap cache: swap_map counts each slot's users (swap
 * entries in PTEs, and SWAP_HAS_CACHE while the swap cache holds a folio for it), the slot's content is what
 * was written out, and the cache maps slot to folio (mm/swap_state.c). Slot 0 is the header and never used.
 */
final class SwapSpace {
    static final int SWAP_HAS_CACHE = 0x40;

    int[] swapMap;
    long[] data;
    final TreeMap<Long, Integer> cache = new TreeMap<>();
    int used;

    SwapSpace(int slots) {
        swapMap = new int[Math.max(1, slots)];
        data = new long[swapMap.length];
        if (slots > 0) swapMap[0] = 0x3f; // SWAP_MAP_BAD: the header page
    }

    SwapSpace copy() {
        SwapSpace s = new SwapSpace(0);
        s.swapMap = swapMap.clone();
        s.data = data.clone();
        s.cache.putAll(cache);
        s.used = used;
        return s;
    }

    int slots() {
        return swapMap.length;
    }

    int free() {
        return Math.max(0, swapMap.length - 1 - used);
    }

    /** get_swap_page() for a folio entering the swap cache: the lowest free slot, or 0 when swap is full. */
    long allocate() {
        for (int i = 1; i < swapMap.length; i++) {
            if (swapMap[i] == 0) {
                swapMap[i] = SWAP_HAS_CACHE;
                used++;
                return i;
            }
        }
        return 0;
    }

    /** swap_duplicate(): one more PTE refers to the slot. */
    void duplicate(long slot) {
        swapMap[(int) slot]++;
    }

    /** swap_free() of one PTE reference; the slot is free once nothing refers to it. */
    void put(long slot) {
        int s = (int) slot;
        if ((swapMap[s] & ~SWAP_HAS_CACHE) > 0) swapMap[s]--;
        release(s);
    }

    /** The swap cache lets go of the slot (delete_from_swap_cache). */
    void dropCache(long slot) {
        cache.remove(slot);
        swapMap[(int) slot] &= ~SWAP_HAS_CACHE;
        release((int) slot);
    }

    private void release(int s) {
        if (swapMap[s] == 0 && s != 0) {
            data[s] = 0;
            used--;
        }
    }

    int references(long slot) {
        return swapMap[(int) slot] & ~SWAP_HAS_CACHE;
    }

    void hashInto(kstep.engine.StateHash.Sink h) {
        h.add(Arrays.hashCode(swapMap));
        h.add(Arrays.hashCode(data));
        for (Map.Entry<Long, Integer> e : cache.entrySet()) h.add(e.getKey() * 1_000_003L + e.getValue());
    }
}
