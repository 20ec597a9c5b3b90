package kstep.mm;

import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * A memory node (pg_data_t) with one zone: the frames ({@link MemMap}), which are free, the zone's
 * watermarks, the LRU lists, swap and the page cache, and the vm event counters /proc/vmstat shows. Frame 0
 * is the shared zero page. Allocation takes the lowest free frame, so a run is the same every time.
 */
public final class Pgdat {
    final MemMap map;
    BitSet free;
    int nrFree;
    /** zone->_watermark[WMARK_MIN, LOW, HIGH], in pages. */
    long min;
    long low;
    long high;
    long minFreeKbytes;
    final Lruvec lru;
    final SwapSpace swap;
    final PageCache cache;
    final TreeMap<String, Long> vmstat;
    /** The folios the reclaimer has taken off the LRU (its private list), and the one it is looking at (-1: none). */
    final java.util.ArrayDeque<Integer> isolated = new java.util.ArrayDeque<>();
    int scanning = -1;
    /** The mms whose pages are here, in creation order (the reverse map walks them). Not copied by {@link #copy}. */
    final java.util.List<AddressSpace> mms = new java.util.ArrayList<>();
    int nextAnonVma = 1;
    int nextFileId = 1;
    /** Regular files by path: two processes mapping one file share its page cache. */
    final TreeMap<String, MappedFile> files = new TreeMap<>();
    /** Wakes kswapd when an allocation finds free memory below the low watermark (set while a system call runs). */
    transient Runnable kswapdWaker;
    /** What the current system call did to pages and page tables, for its event lines (null: nobody listens). */
    transient java.util.List<String> log;
    /** The zero page's frame. */
    static final int ZERO_PFN = 0;

    /** A node of {@code frames} frames ({@code growable}: frames are added on demand and never run out). */
    Pgdat(int frames, boolean growable, int swapSlots, long minFreeKbytes, int watermarkScaleFactor) {
        map = new MemMap(frames, growable);
        free = new BitSet(frames);
        free.set(1, frames);
        nrFree = frames - 1;
        map.kind[ZERO_PFN] = MemMap.Kind.ZERO;
        map.flags[ZERO_PFN] = MemMap.PG_RESERVED | MemMap.PG_UPTODATE;
        map.refcount[ZERO_PFN] = 1;
        lru = new Lruvec();
        swap = new SwapSpace(swapSlots);
        cache = new PageCache();
        vmstat = new TreeMap<>();
        setWatermarks(minFreeKbytes, watermarkScaleFactor);
    }

    private Pgdat(Pgdat o) {
        map = o.map.copy();
        free = (BitSet) o.free.clone();
        nrFree = o.nrFree;
        min = o.min;
        low = o.low;
        high = o.high;
        minFreeKbytes = o.minFreeKbytes;
        lru = o.lru.copy();
        swap = o.swap.copy();
        cache = o.cache.copy();
        vmstat = new TreeMap<>(o.vmstat);
        nextAnonVma = o.nextAnonVma;
        nextFileId = o.nextFileId;
        isolated.addAll(o.isolated);
        scanning = o.scanning;
        files.putAll(o.files);
    }

    /** A copy of the memory; the mms are copied onto it one by one ({@link AddressSpace#copyInto}). */
    Pgdat copyWithoutMms() {
        return new Pgdat(this);
    }

    /** Opens a file: a regular one (on kstep's disk; the same path is the same file) or a new shmem one. */
    MappedFile newFile(String name, long inode, long pages, boolean shmem, boolean writable) {
        if (!shmem && files.containsKey(name)) return files.get(name);
        MappedFile f = new MappedFile(nextFileId++, name, shmem ? MappedFile.SHMEM_DEV : MappedFile.DISK, inode, pages, shmem, writable);
        if (!shmem) files.put(name, f);
        return f;
    }

    /** A node of {@code frames} frames with {@code swapSlots} of swap, the watermarks from min_free_kbytes (for benchmarks and tools). */
    public static Pgdat create(int frames, int swapSlots, long minFreeKbytes, int watermarkScaleFactor) {
        return new Pgdat(frames, false, swapSlots == 0 ? 0 : swapSlots + 1, minFreeKbytes, watermarkScaleFactor);
    }

    /** One pass of shrink_node() at {@code priority}: ages and reclaims as kswapd would; the folios freed. */
    public int shrinkNode(int priority) {
        return Reclaim.shrinkNode(this, priority);
    }

    /** A node for an address space on its own (a kvma replay, a maps file): memory without limit, no swap. */
    static Pgdat unlimited() {
        return new Pgdat(64, true, 0, 0, 10);
    }

    /**
     * Follows mm/page_alloc.c __setup_per_zone_wmarks() for the one zone: min is min_free_kbytes in pages;
     * tmp = max(min / 4, managed * watermark_scale_factor / 10000); low = min + tmp, high = min + 2 * tmp.
     */
    void setWatermarks(long minFreeKbytes, int scaleFactor) {
        this.minFreeKbytes = minFreeKbytes;
        long managed = map.frames - 1;
        min = minFreeKbytes / (AddressSpace.PAGE_SIZE / 1024);
        long tmp = Math.max(min >> 2, managed * scaleFactor / 10000);
        low = min + tmp;
        high = min + 2 * tmp;
    }

    /** mm/page_alloc.c calculate_min_free_kbytes(): sqrt(lowmem_kbytes * 16), clamped to [128, 262144]. */
    static long defaultMinFreeKbytes(long frames) {
        long kbytes = frames * (AddressSpace.PAGE_SIZE / 1024);
        long v = (long) Math.sqrt((double) kbytes * 16);
        return Math.max(128, Math.min(262_144, v));
    }

    public int frames() {
        return map.frames;
    }

    public int nrFree() {
        return nrFree;
    }

    public long min() {
        return min;
    }

    public long low() {
        return low;
    }

    public long high() {
        return high;
    }

    boolean growable() {
        return map.growable;
    }

    /** Takes the lowest free frame for {@code kind}, refcount 1; -1 when none is free. */
    int allocFrame(MemMap.Kind kind) {
        int p = free.nextSetBit(0);
        if (p < 0) {
            if (!map.growable) return -1;
            int old = map.frames;
            map.grow(old + 1);
            free.set(old, map.frames);
            nrFree += map.frames - old;
            p = free.nextSetBit(0);
        }
        free.clear(p);
        nrFree--;
        map.reset(p);
        map.kind[p] = kind;
        map.refcount[p] = 1;
        return p;
    }

    /** Gives a frame back (it leaves its LRU list first). */
    void freeFrame(int pfn) {
        if (pfn == ZERO_PFN || free.get(pfn)) throw new IllegalStateException("freeing frame " + pfn + " twice");
        lru.del(map, pfn);
        map.reset(pfn);
        free.set(pfn);
        nrFree++;
    }

    void log(String line) {
        if (log != null) log.add(line);
    }

    void count(String event) {
        vmstat.merge(event, 1L, Long::sum);
    }

    void count(String event, long n) {
        if (n != 0) vmstat.merge(event, n, Long::sum);
    }

    public long vmstat(String event) {
        return vmstat.getOrDefault(event, 0L);
    }

    public Map<String, Long> vmstat() {
        return java.util.Collections.unmodifiableMap(vmstat);
    }

    // ------------------------------------------------------------------ for the views
    /** Frame {@code pfn}'s state; {@code names} names each mm's process. */
    public FrameInfo frame(int pfn, java.util.function.Function<AddressSpace, String> names) {
        return FrameInfo.of(this, pfn, names);
    }

    /** What frame {@code pfn} is used for: "free", "anon", "file", "pagetable", "zero", "reserved". */
    public String kindOf(int pfn) {
        return map.kind[pfn].name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean referenced(int pfn) {
        return map.test(pfn, MemMap.PG_REFERENCED);
    }

    public boolean inSwapCache(int pfn) {
        return map.test(pfn, MemMap.PG_SWAPCACHE);
    }

    public boolean dirty(int pfn) {
        return map.test(pfn, MemMap.PG_DIRTY);
    }

    /** The owner id of a frame: anon_vma, file or mm (page tables). */
    public int ownerOf(int pfn) {
        return map.owner[pfn];
    }

    /** LRU list {@code l} (0 inactive anon, 1 active anon, 2 inactive file, 3 active file, 4 unevictable), newest first. */
    public java.util.List<Integer> lruList(int l) {
        return lru.list(map, l);
    }

    public static String lruName(int l) {
        return Lruvec.NAMES[l];
    }

    /** The folios kswapd has isolated, and the one it is looking at (-1: none). */
    public java.util.List<Integer> isolated() {
        return java.util.List.copyOf(isolated);
    }

    public int scanning() {
        return scanning;
    }

    public int swapSlots() {
        return Math.max(0, swap.slots() - 1);
    }

    public int swapUsed() {
        return swap.used;
    }

    public int pageCacheSize() {
        return cache.cached();
    }

    void hashInto(kstep.engine.StateHash.Sink h) {
        map.hashInto(h);
        h.add(nrFree);
        lru.hashInto(h);
        swap.hashInto(h);
        cache.hashInto(h);
        for (int p : isolated) h.add(p);
        h.add(scanning);
    }
}
