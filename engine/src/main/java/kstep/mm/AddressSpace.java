package kstep.mm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * struct mm_struct's address space: the VMAs in an ordered map keyed by vm_start (the kernel's maple tree:
 * O(log n) find_vma, vma_lookup and neighbours), map_count and sysctl_max_map_count, and the VMA layer of
 * mm/vma.c that every system call goes through: merging a new range with its neighbours, merging or splitting
 * a modified range, and unmapping. The system calls themselves live in {@link MmSyscalls}.
 */
public final class AddressSpace {
    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    /** sysctl_max_map_count's default: USHRT_MAX - MAPCOUNT_ELF_CORE_MARGIN. */
    public static final int DEFAULT_MAX_MAP_COUNT = 65530;
    /** x86-64 TASK_SIZE with 4-level paging. */
    public static final long TASK_SIZE = (1L << 47) - PAGE_SIZE;

    /** Ordered as the kernel's unsigned addresses (a maps file may list [vsyscall] at 0xffffffffff600000). */
    VmaTree vmas = new VmaTree();
    /** The memory node the mm's pages and page tables come from (shared by the processes of a scenario). */
    Pgdat node;
    /** mm->pgd and the tables below it. */
    PageTables pt;
    /** The mm's number in its node (page-table frames name their owner by it). */
    final int id;
    /** mm->rss_stat: MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES. */
    long[] rss = new long[4];
    static final int MM_FILEPAGES = 0;
    static final int MM_ANONPAGES = 1;
    static final int MM_SWAPENTS = 2;
    static final int MM_SHMEMPAGES = 3;
    int maxMapCount = DEFAULT_MAX_MAP_COUNT;
    long startBrk;
    long brk;
    /** mm->start_stack: the VMA around it is "[stack]" (0: no stack). */
    long startStack;
    /** mm->mmap_base, below the stack and its gap; kstep's has no randomization. */
    long mmapBase = 0x7f0000000000L;
    /** Since 6.6 mprotect() unaccounts anonymous memory nobody wrote to when it loses PROT_WRITE. */
    boolean unaccountUnfaulted = true;

    /** An address space on its own, with memory of its own (a kvma replay, a maps file, a test). */
    public AddressSpace() {
        this(Pgdat.unlimited());
    }

    /** A new mm in {@code node}: its PGD is allocated now, as mm_alloc() does. */
    public AddressSpace(Pgdat node) {
        this.node = node;
        this.id = node.mms.size() + 1;
        node.mms.add(this);
        this.pt = new PageTables(node, id);
    }

    private AddressSpace(AddressSpace o, Pgdat node) {
        this.node = node;
        this.id = o.id;
        node.mms.add(this);
        this.pt = o.pt.in(node);
        vmas = o.vmas.copy(Vma::copy);
        rss = o.rss.clone();
        maxMapCount = o.maxMapCount;
        startBrk = o.startBrk;
        brk = o.brk;
        startStack = o.startStack;
        unaccountUnfaulted = o.unaccountUnfaulted;
        mmapBase = o.mmapBase;
    }

    /** This mm in a copy of its node (the copy's list of mms gets it). */
    AddressSpace copyInto(Pgdat copy) {
        return new AddressSpace(this, copy);
    }

    /** A copy with its own copy of the memory: for an address space that has its node to itself. */
    public AddressSpace copy() {
        if (node.mms.size() != 1) throw new IllegalStateException("this mm shares its memory; copy the whole mm state");
        return copyInto(node.copyWithoutMms());
    }

    public Pgdat node() {
        return node;
    }

    /** The page tables as a tree, for the views. */
    public PageTableTree pageTables() {
        return PageTableTree.of(this);
    }

    /** mm->rss_stat as /proc/PID/status shows it: RssAnon, RssFile, RssShmem and VmSwap, in pages. */
    public long[] rssStat() {
        return new long[] {rss[MM_ANONPAGES], rss[MM_FILEPAGES], rss[MM_SHMEMPAGES], rss[MM_SWAPENTS]};
    }

    // ------------------------------------------------------------------ lookups
    public int mapCount() {
        return vmas.size();
    }

    public int maxMapCount() {
        return maxMapCount;
    }

    public void setMaxMapCount(int n) {
        maxMapCount = n;
    }

    /**
     * The resident pages of [start, end), by address, as smaps counts them: what present PTEs map, except
     * the zero page; anonymous or not by the frame, dirty by the PTE or the page.
     */
    public java.util.SortedMap<Long, Page> pages(long start, long end) {
        TreeMap<Long, Page> out = new TreeMap<>();
        pt.forEach(start, end, (a, pte) -> {
            if (!Pte.present(pte) || (pte & Pte.SPECIAL) != 0) return;
            int pfn = Pte.pfn(pte);
            boolean dirty = (pte & Pte.DIRTY) != 0 || node.map.test(pfn, MemMap.PG_DIRTY);
            out.put(a, new Page(node.map.kind[pfn] == MemMap.Kind.ANON, dirty));
        });
        return Collections.unmodifiableSortedMap(out);
    }

    /** The PTE that maps {@code addr} (0 if none). */
    public long pte(long addr) {
        return pt.pte(addr);
    }

    /** Unmaps the pages of [start, end) (munmap, MADV_DONTNEED): zap_page_range(). */
    void dropPages(long start, long end) {
        Zap.range(this, start, end);
    }

    /** Moves the PTEs of [from, from + len) to start at {@code to} (mremap's move_page_tables()). */
    void movePages(long from, long len, long to) {
        Zap.move(this, from, len, to);
    }

    /** The VMAs in address order (a snapshot). */
    public List<Vma> vmas() {
        List<Vma> out = new ArrayList<>(vmas.size());
        for (Vma v : vmas) out.add(v);
        return Collections.unmodifiableList(out);
    }

    /** find_vma(): the first VMA that ends above {@code addr}, or null. Addresses are unsigned, as the kernel's. */
    public Vma findVma(long addr) {
        if (MmSyscalls.above(addr, TASK_SIZE)) return null;
        Vma f = vmas.floor(addr);
        if (f != null && f.end > addr) return f;
        return vmas.higher(addr);
    }

    /** vma_lookup(): the VMA containing {@code addr}, or null. */
    public Vma vmaLookup(long addr) {
        if (MmSyscalls.above(addr, TASK_SIZE)) return null;
        Vma f = vmas.floor(addr);
        return f != null && f.end > addr ? f : null;
    }

    /** find_vma_intersection(): the first VMA overlapping [start, end), or null. */
    public Vma findVmaIntersection(long start, long end) {
        Vma v = findVma(start);
        return v != null && v.start < end ? v : null;
    }

    /** The VMA before {@code v}, or null. */
    Vma prev(Vma v) {
        return vmas.lower(v.start);
    }

    /** The VMA after {@code v}, or null. */
    Vma next(Vma v) {
        return vmas.higher(v.start);
    }

    /** The last VMA that starts below {@code addr} (find_vma_prev()'s prev for a gap at addr), or null. */
    Vma prevOf(long addr) {
        if (MmSyscalls.above(addr, TASK_SIZE)) return vmas.last();
        return vmas.lower(addr);
    }

    /** The first VMA starting at or after {@code addr}, or null. */
    Vma nextFrom(long addr) {
        if (MmSyscalls.above(addr, TASK_SIZE)) return null;
        return vmas.ceiling(addr);
    }

    /**
     * Follows mm/mmap.c unmapped_area_topdown(): the highest gap of {@code len} bytes that ends at or below
     * {@code high} and starts at or above {@code low}; returns its highest fitting address, or -1. x86-64
     * places mappings without MAP_FIXED (or with a hint that does not fit) top-down from mmap_base.
     */
    public long findGapTopDown(long len, long low, long high) {
        long top = high;
        Vma v = vmas.lower(high);
        while (true) {
            if (v != null && v.end > top) {
                // this VMA reaches over the top of the gap: the gap can only be below it
                top = v.start;
                v = vmas.lower(v.start);
                continue;
            }
            long bottom = v == null ? low : Math.max(low, v.end);
            if (top > bottom && top - bottom >= len) return top - len;
            if (v == null || v.start <= low) return -1;
            top = v.start;
            v = vmas.lower(v.start);
        }
    }

    /** Sets mm->start_brk and mm->brk (exec does, after the program's data). */
    public void setBrk(long start) {
        startBrk = start;
        brk = start;
    }

    public long brk() {
        return brk;
    }

    /** mm->mmap_base: where top-down placement starts (below the stack). */
    public long mmapBase() {
        return mmapBase;
    }

    // ------------------------------------------------------------------ tree updates
    void insert(Vma v) {
        vmas.put(v.start, v);
    }

    void remove(Vma v) {
        Vma gone = vmas.remove(v.start);
        if (gone != v) throw new IllegalStateException("VMA " + v + " is not in the tree");
    }

    /** vma_set_range(): moves {@code v} to [start, end) with {@code pgoff}, keeping the tree keyed by vm_start. */
    void setRange(Vma v, long start, long end, long pgoff) {
        if (v.start != start) {
            if (!vmas.rekeyIfPresent(v, v.start, start)) vmas.put(start, v);
            v.start = start;
        }
        v.end = end;
        v.pgoff = pgoff;
    }

    int newAnonVma() {
        return node.nextAnonVma++;
    }

    /**
     * free_pgtables() after an unmap: the tables under [start, end) that no VMA needs any more, bounded by
     * the VMAs around the hole.
     */
    void freePageTables(long start, long end) {
        Vma prev = prevOf(start);
        Vma next = nextFrom(end);
        long floor = prev == null ? 0 : prev.end;
        long ceiling = next == null ? TASK_SIZE + PAGE_SIZE : next.start;
        pt.freeRange(floor, ceiling);
    }

    /** Opens a file to map: a regular one (on kstep's disk) or a shmem one. */
    public MappedFile newFile(String name, long inode, long pages, boolean shmem, boolean writable) {
        return node.newFile(name, inode, pages, shmem, writable);
    }

    // ------------------------------------------------------------------ mergeability (mm/vma.c)
    /** is_mergeable_vma(): same flags but soft-dirty, same file, same anon_vma_name (policies and uffd are not modelled). */
    private static boolean isMergeableVma(VmaMerge g, boolean mergeNext) {
        Vma v = mergeNext ? g.next : g.prev;
        return ((v.flags ^ g.flags) & ~VmFlags.VM_SOFTDIRTY) == 0 && v.file == g.file && Objects.equals(v.anonName, g.anonName);
    }

    /** is_mergeable_anon_vma(): either has none (and vma's chain is not a fork's), or both the same. */
    private static boolean isMergeableAnonVma(int a1, int a2, Vma v) {
        if ((a1 == 0 || a2 == 0) && (v == null || !v.chainForked)) return true;
        return a1 == a2;
    }

    private static boolean areAnonVmasCompatible(Vma a, Vma b) {
        return isMergeableAnonVma(a.anonVma, b.anonVma, null);
    }

    /** can_vma_merge_before(): the range can be merged in front of next. */
    private static boolean canMergeBefore(VmaMerge g) {
        return isMergeableVma(g, true) && isMergeableAnonVma(g.anonVma, g.next.anonVma, g.next) && g.next.pgoff == g.pgoff + g.pages();
    }

    /** can_vma_merge_after(): the range can be merged behind prev. */
    private static boolean canMergeAfter(VmaMerge g) {
        return isMergeableVma(g, false) && isMergeableAnonVma(g.anonVma, g.prev.anonVma, g.prev) && g.prev.pgoff + g.prev.pages() == g.pgoff;
    }

    private static boolean canMergeLeft(VmaMerge g) {
        return g.prev != null && g.prev.end == g.start && canMergeAfter(g);
    }

    private static boolean canMergeRight(VmaMerge g, boolean canMergeLeft) {
        if (g.next == null || g.end != g.next.start || !canMergeBefore(g)) return false;
        return !canMergeLeft || areAnonVmasCompatible(g.prev, g.next);
    }

    private static boolean canMergeRemove(Vma v) {
        return !v.ops.close;
    }

    /** dup_anon_vma(): the expanding VMA takes the anon_vma of the one it absorbs, if it had none. */
    private static void dupAnonVma(Vma dst, Vma src) {
        if (src.anonVma != 0 && dst.anonVma == 0) {
            dst.anonVma = src.anonVma;
            dst.chainForked = src.chainForked;
            dst.ancestors = src.ancestors;
        }
    }

    /**
     * Follows mm/vma.c vma_merge_existing_range(): the range [g.start, g.end) of g.vma gets new attributes;
     * if it touches an edge of the VMA and the neighbour there has the same ones, they merge. Returns the
     * merged VMA, or null when nothing merges.
     */
    Vma mergeExisting(VmaMerge g) {
        Vma vma = g.vma;
        Vma prev = g.prev;
        boolean leftSide = g.start == vma.start;
        boolean rightSide = g.end == vma.end;
        if ((g.flags & VmFlags.VM_SPECIAL) != 0 || (!leftSide && !rightSide)) return null;
        boolean mergeLeft = leftSide && canMergeLeft(g);
        Vma next = null;
        boolean mergeRight = false;
        if (rightSide) {
            next = g.next = next(vma);
            mergeRight = canMergeRight(g, mergeLeft);
        }
        if (!mergeLeft && !mergeRight) return null;
        boolean mergeBoth = mergeLeft && mergeRight;
        boolean deleteVma = leftSide && rightSide;
        if (deleteVma && !canMergeRemove(vma)) return null;
        boolean deleteNext = mergeBoth;
        if (deleteNext && !canMergeRemove(next)) {
            deleteNext = false;
            mergeRight = false;
            mergeBoth = false;
        }
        if (mergeBoth) {
            // prev extends over vma and next, which are deleted
            dupAnonVma(prev, next.anonVma != 0 ? next : vma);
            remove(vma);
            remove(next);
            setRange(prev, prev.start, next.end, prev.pgoff);
            return prev;
        }
        if (mergeLeft) {
            // prev extends to g.end; vma shrinks from the left, or goes
            dupAnonVma(prev, vma);
            if (deleteVma) remove(vma);
            else setRange(vma, g.end, vma.end, vma.pgoff + ((g.end - vma.start) >>> PAGE_SHIFT));
            setRange(prev, prev.start, g.end, prev.pgoff);
            return prev;
        }
        // merge right: next extends down to g.start; vma shrinks from the right, or goes
        long pglen = g.pages();
        dupAnonVma(next, vma);
        if (deleteVma) remove(vma);
        else setRange(vma, vma.start, g.start, vma.pgoff);
        setRange(next, g.start, next.end, next.pgoff - pglen);
        return next;
    }

    /**
     * Follows mm/vma.c vma_merge_new_range(): a new range [g.start, g.end) between g.prev and g.next (the
     * caller made it empty) expands an adjacent VMA with the same attributes, or both, removing next. Returns
     * the expanded VMA, or null.
     */
    Vma mergeNew(VmaMerge g) {
        Vma prev = g.prev;
        Vma next = g.next;
        if ((g.flags & VmFlags.VM_SPECIAL) != 0 || (prev == null && next == null)) return null;
        boolean canLeft = canMergeLeft(g);
        boolean canRight = canMergeRight(g, canLeft);
        Vma target = null;
        long start = g.start;
        long end = g.end;
        long pgoff = g.pgoff;
        if (canRight) {
            end = next.end;
            target = next;
            pgoff = next.pgoff - g.pages();
        }
        if (canLeft) {
            start = prev.start;
            target = prev;
            pgoff = prev.pgoff;
            if (canRight && !canMergeRemove(next)) end = g.end;
        }
        if (target == null) return null;
        // vma_expand(): over next too, if the expansion reaches its end
        if (next != null && target != next && end == next.end) {
            dupAnonVma(target, next);
            remove(next);
        }
        setRange(target, start, end, pgoff);
        return target;
    }

    /** Follows mm/vma.c __split_vma(): a new VMA takes [vma.start, addr) ({@code newBelow}) or [addr, vma.end). */
    Vma splitUnchecked(Vma vma, long addr, boolean newBelow) {
        Vma n = vma.copy();
        if (newBelow) {
            n.end = addr;
            setRange(vma, addr, vma.end, vma.pgoff + ((addr - vma.start) >>> PAGE_SHIFT));
        } else {
            n.start = addr;
            n.pgoff += (addr - vma.start) >>> PAGE_SHIFT;
            vma.end = addr;
        }
        insert(n);
        return n;
    }

    /** split_vma(): refuses at sysctl_max_map_count. */
    Vma split(Vma vma, long addr, boolean newBelow) {
        if (mapCount() >= maxMapCount) throw new MmError(Errno.ENOMEM);
        return splitUnchecked(vma, addr, newBelow);
    }

    /**
     * Follows mm/vma.c vma_modify(): give [start, end) of {@code vma} (prev: the VMA before the range, or vma
     * itself when the range starts inside it) new flags (and anon_vma_name): merge if the neighbours allow,
     * else split off what lies outside. Returns the VMA that now covers exactly the range (flags not yet set).
     */
    Vma modify(Vma prev, Vma vma, long start, long end, long newFlags, String anonName) {
        VmaMerge g = VmaMerge.ofVma(prev, vma, start, end);
        g.flags = newFlags;
        g.anonName = anonName;
        Vma merged = mergeExisting(g);
        if (merged != null) return merged;
        if (vma.start < start) split(vma, start, true);
        if (vma.end > end) split(vma, end, false);
        return vma;
    }

    /**
     * Follows mm/vma.c do_vmi_munmap() and vms_gather_munmap_vmas(): unmaps [start, start + len). The edge
     * VMAs are split first; a split in the middle of one VMA fails with -ENOMEM at the map count limit.
     * Returns the VMAs removed (their pages are gone).
     */
    List<Vma> munmapRange(long start, long end) {
        List<Vma> removed = new ArrayList<>();
        Vma vma = findVma(start);
        if (vma == null || vma.start >= end) return removed;
        if (start > vma.start) {
            // let the map count go just above its limit for a moment, unless the unmap itself splits in the middle
            if (end < vma.end && mapCount() >= maxMapCount) throw new MmError(Errno.ENOMEM);
            splitUnchecked(vma, start, true);
        }
        for (Vma v = vma; v != null && v.start < end; ) {
            Vma following = next(v);
            if (v.end > end) splitUnchecked(v, end, false);
            removed.add(v);
            v = following != null && following.start < end ? following : null;
        }
        for (Vma v : removed) remove(v);
        dropPages(start, end);
        freePageTables(start, end);
        return removed;
    }

    /**
     * Follows mm/vma.c do_vmi_munmap()'s checks, then unmaps: 0, -EINVAL for a bad range, -ENOMEM when a split
     * in the middle would pass the map count limit.
     */
    long doMunmap(long start, long len) {
        if ((start & (PAGE_SIZE - 1)) != 0 || MmSyscalls.above(start, TASK_SIZE) || MmSyscalls.above(len, TASK_SIZE - start)) return -Errno.EINVAL;
        long end = start + MmSyscalls.pageAlign(len);
        if (end == start) return -Errno.EINVAL;
        try {
            munmapRange(start, end);
            return 0;
        } catch (MmError e) {
            return -e.errno;
        }
    }

    // ------------------------------------------------------------------ anon_vma (mm/rmap.c, mm/vma.c)
    /** anon_vma_compatible(): adjacent, same file, flags equal but for access bits, linear pgoff. */
    private static boolean anonVmaCompatible(Vma a, Vma b) {
        return a.end == b.start && a.file == b.file && ((a.flags ^ b.flags) & ~(VmFlags.VM_ACCESS_FLAGS | VmFlags.VM_SOFTDIRTY)) == 0
            && b.pgoff == a.pgoff + ((b.start - a.start) >>> PAGE_SHIFT);
    }

    /** reusable_anon_vma(): old's anon_vma, if a and b are compatible and old's chain is not a fork's. */
    private static int reusableAnonVma(Vma old, Vma a, Vma b) {
        if (anonVmaCompatible(a, b) && old.anonVma != 0 && !old.chainForked) return old.anonVma;
        return 0;
    }

    /**
     * Follows mm/rmap.c __anon_vma_prepare() and find_mergeable_anon_vma(): the first write fault gives the
     * VMA an anon_vma, reusing next's, then prev's, when they could merge later.
     */
    void anonVmaPrepare(Vma vma) {
        if (vma.anonVma != 0) return;
        int reuse = 0;
        Vma next = next(vma);
        if (next != null) reuse = reusableAnonVma(next, vma, next);
        if (reuse == 0) {
            Vma prev = prev(vma);
            if (prev != null) reuse = reusableAnonVma(prev, prev, vma);
        }
        vma.anonVma = reuse != 0 ? reuse : newAnonVma();
    }
}
