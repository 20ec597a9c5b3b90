package kstep.mm;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import kstep.engine.StateHash;

/**
 * mem_map: one struct page per physical frame, kept as parallel arrays (a quarter of a million frames copy and
 * hash quickly that way): what the frame holds ({@link Kind}), its flags, reference and map counts, the owner
 * and index the reverse map needs (anon_vma and linear page index, or file and page offset), the swap entry
 * of a swap-cache page, the LRU links, and a word of content so copy-on-write and swap-in can be checked.
 * The contents of page-table frames (512 entries each) are kept beside. Frames grow on demand when the memory
 * has no fixed size (a kvma replay needs no reclaim).
 */
final class MemMap {
    /** What a frame is used for. */
    enum Kind { FREE, ANON, FILE, PAGETABLE, ZERO, RESERVED }

    // page flags (names as include/linux/page-flags.h; the bit positions are kstep's)
    static final int PG_LOCKED = 1;
    static final int PG_REFERENCED = 1 << 1;
    static final int PG_UPTODATE = 1 << 2;
    static final int PG_DIRTY = 1 << 3;
    static final int PG_LRU = 1 << 4;
    static final int PG_ACTIVE = 1 << 5;
    static final int PG_WORKINGSET = 1 << 6;
    static final int PG_SWAPCACHE = 1 << 7;
    static final int PG_SWAPBACKED = 1 << 8;
    static final int PG_UNEVICTABLE = 1 << 9;
    static final int PG_MLOCKED = 1 << 10;
    static final int PG_RECLAIM = 1 << 11;
    static final int PG_RESERVED = 1 << 12;
    /** PageAnonExclusive: only this mm maps the anonymous page, so a write may reuse it. */
    static final int PG_ANON_EXCLUSIVE = 1 << 13;

    static final String[] FLAG_NAMES = {"locked", "referenced", "uptodate", "dirty", "lru", "active", "workingset", "swapcache",
        "swapbacked", "unevictable", "mlocked", "reclaim", "reserved", "anon_exclusive"};

    int frames;
    Kind[] kind;
    int[] flags;
    int[] refcount;
    int[] mapcount;
    /** anon_vma id, file id, or for page tables the owning mm's id. */
    int[] owner;
    /** the linear page index (anon: vma pgoff space), the file page offset, or the page-table level (1 = PTE). */
    long[] index;
    /** page_private(): the swap entry of a swap-cache page. */
    long[] swap;
    long[] data;
    /** LRU list of the frame (-1: none) and its neighbours there (-1: none). */
    int[] lru;
    int[] lruPrev;
    int[] lruNext;
    /** Page-table frames' entries, by pfn. */
    TreeMap<Integer, long[]> tables = new TreeMap<>();
    /** Whether frames may be added when none is free (no fixed memory size). */
    final boolean growable;

    MemMap(int frames, boolean growable) {
        this.growable = growable;
        this.frames = frames;
        kind = new Kind[frames];
        Arrays.fill(kind, Kind.FREE);
        flags = new int[frames];
        refcount = new int[frames];
        mapcount = new int[frames];
        owner = new int[frames];
        index = new long[frames];
        swap = new long[frames];
        data = new long[frames];
        lru = new int[frames];
        Arrays.fill(lru, -1);
        lruPrev = new int[frames];
        Arrays.fill(lruPrev, -1);
        lruNext = new int[frames];
        Arrays.fill(lruNext, -1);
    }

    private MemMap(MemMap o) {
        growable = o.growable;
        frames = o.frames;
        kind = o.kind.clone();
        flags = o.flags.clone();
        refcount = o.refcount.clone();
        mapcount = o.mapcount.clone();
        owner = o.owner.clone();
        index = o.index.clone();
        swap = o.swap.clone();
        data = o.data.clone();
        lru = o.lru.clone();
        lruPrev = o.lruPrev.clone();
        lruNext = o.lruNext.clone();
        for (Map.Entry<Integer, long[]> e : o.tables.entrySet()) tables.put(e.getKey(), e.getValue().clone());
    }

    MemMap copy() {
        return new MemMap(this);
    }

    /** Adds frames (free) up to at least {@code n}. */
    void grow(int n) {
        if (n <= frames) return;
        int old = frames;
        int cap = Math.max(n, frames * 2);
        kind = Arrays.copyOf(kind, cap);
        Arrays.fill(kind, old, cap, Kind.FREE);
        flags = Arrays.copyOf(flags, cap);
        refcount = Arrays.copyOf(refcount, cap);
        mapcount = Arrays.copyOf(mapcount, cap);
        owner = Arrays.copyOf(owner, cap);
        index = Arrays.copyOf(index, cap);
        swap = Arrays.copyOf(swap, cap);
        data = Arrays.copyOf(data, cap);
        lru = Arrays.copyOf(lru, cap);
        Arrays.fill(lru, old, cap, -1);
        lruPrev = Arrays.copyOf(lruPrev, cap);
        Arrays.fill(lruPrev, old, cap, -1);
        lruNext = Arrays.copyOf(lruNext, cap);
        Arrays.fill(lruNext, old, cap, -1);
        frames = cap;
    }

    boolean test(int pfn, int flag) {
        return (flags[pfn] & flag) != 0;
    }

    void set(int pfn, int flag) {
        flags[pfn] |= flag;
    }

    void clear(int pfn, int flag) {
        flags[pfn] &= ~flag;
    }

    /** Resets a frame to free. */
    void reset(int pfn) {
        kind[pfn] = Kind.FREE;
        flags[pfn] = 0;
        refcount[pfn] = 0;
        mapcount[pfn] = 0;
        owner[pfn] = 0;
        index[pfn] = 0;
        swap[pfn] = 0;
        data[pfn] = 0;
        tables.remove(pfn);
    }

    static String flagNames(int f) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < FLAG_NAMES.length; i++) {
            if ((f & (1 << i)) != 0) b.append(b.length() == 0 ? "" : "|").append(FLAG_NAMES[i]);
        }
        return b.length() == 0 ? "0" : b.toString();
    }

    void hashInto(StateHash.Sink h) {
        for (int p = 0; p < frames; p++) {
            if (kind[p] == Kind.FREE) continue;
            h.add(p);
            h.add(kind[p].ordinal());
            h.add(flags[p]);
            h.add(refcount[p] * 65536L + mapcount[p]);
            h.add(owner[p]);
            h.add(index[p]);
            h.add(swap[p]);
            h.add(data[p]);
            h.add(lru[p] * 4_294_967_296L + lruNext[p]);
        }
        for (Map.Entry<Integer, long[]> e : tables.entrySet()) {
            h.add(e.getKey());
            long[] t = e.getValue();
            for (int i = 0; i < t.length; i++) if (t[i] != 0) h.add(i * 31L + t[i]);
        }
    }
}
