package kstep.mm;

import static kstep.mm.MmSyscalls.MAP_ANONYMOUS;
import static kstep.mm.MmSyscalls.MAP_FIXED;
import static kstep.mm.MmSyscalls.MAP_PRIVATE;
import static kstep.mm.MmSyscalls.MAP_SHARED;
import static kstep.mm.MmSyscalls.PROT_READ;
import static kstep.mm.MmSyscalls.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Every fault path, as the x86-64 PTEs and the struct pages show it (mm/memory.c; PTE values as
 * ../shared/reference and the kernel's pgtable_types.h give them: 0x...025 read-only, 0x...067 written,
 * the top bit NX).
 */
class FaultTest {
    static final long P = AddressSpace.PAGE_SIZE;
    static final long A = 0x10000000L;
    static final int RW = PROT_READ | PROT_WRITE;

    final Pgdat node = new Pgdat(64, false, 32, 16, 10);
    final AddressSpace mm = new AddressSpace(node);
    final MemMap m = node.map;

    long anon(long addr, long pages, int prot) {
        return MmSyscalls.mmap(mm, addr, pages * P, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0);
    }

    Fault.Result write(long addr, long value) {
        Fault.Result r = Fault.access(mm, addr, true);
        if (r.ret() == 0) m.data[r.pfn()] = value;
        return r;
    }

    long read(long addr) {
        Fault.Result r = Fault.access(mm, addr, false);
        return r.ret() < 0 ? r.ret() : m.data[r.pfn()];
    }

    /** The PTE's flag bits (frame number masked out). */
    long bits(long addr) {
        return mm.pte(addr) & ~Pte.PFN_MASK;
    }

    @Test
    void aReadFaultOnAnonymousMemoryMapsTheZeroPageReadOnly() {
        anon(A, 2, RW);
        int free = node.nrFree();
        assertEquals(0, read(A));
        assertEquals(0x8000000000000225L, bits(A), "P US A NX SPECIAL, no RW");
        assertEquals(Pgdat.ZERO_PFN, Pte.pfn(mm.pte(A)));
        assertEquals(free - 3, node.nrFree(), "only the PUD, PMD and PTE tables were allocated");
        assertEquals(0, mm.vmaLookup(A).anonVma(), "a read does not need an anon_vma");
        assertTrue(mm.pages(A, A + P).isEmpty(), "smaps does not count the zero page");
    }

    @Test
    void theFirstWriteGetsAZeroedFrameWritableAndDirtyOnTheInactiveList() {
        anon(A, 2, RW);
        Fault.Result r = write(A + P, 5);
        assertEquals(0x8000000000000067L, bits(A + P), "P RW US A D NX");
        int pfn = r.pfn();
        assertEquals("anon", node.kindOf(pfn));
        assertEquals(1, m.mapcount[pfn]);
        assertEquals(1, m.refcount[pfn]);
        assertTrue(m.test(pfn, MemMap.PG_ANON_EXCLUSIVE));
        assertEquals(java.util.List.of(pfn), node.lruList(Lruvec.INACTIVE_ANON), "new anonymous folios start inactive (5.9+)");
        assertNotEquals(0, mm.vmaLookup(A).anonVma());
        assertEquals(1, mm.rssStat()[0]);
    }

    @Test
    void writingTheZeroPageCopiesItIntoAFrameOfItsOwn() {
        anon(A, 1, RW);
        read(A);
        Fault.Result r = write(A, 9);
        assertNotEquals(Pgdat.ZERO_PFN, r.pfn());
        assertEquals(0x8000000000000067L, bits(A));
        assertEquals(9, read(A));
        assertEquals(1, node.vmstat("cow_fault"));
    }

    @Test
    void theCpuUsesAPresentWritablePteWithoutAFault() {
        anon(A, 1, RW);
        write(A, 1);
        long faults = node.vmstat("pgfault");
        mm.pt.set(A, mm.pte(A) & ~Pte.ACCESSED);
        assertEquals(1, read(A));
        assertEquals(faults, node.vmstat("pgfault"), "no fault");
        assertTrue((mm.pte(A) & Pte.ACCESSED) != 0, "the accessed bit is set again by the access");
    }

    @Test
    void aFilePageComesThroughThePageCacheAndIsSharedByTwoMappings() {
        MappedFile f = mm.newFile("/lib/libc.so.6", 7, 8, false, false);
        long a = MmSyscalls.mmap(mm, A, 2 * P, PROT_READ, MAP_PRIVATE | MAP_FIXED, f, 0);
        long b = MmSyscalls.mmap(mm, A + 0x100000, 2 * P, PROT_READ, MAP_PRIVATE | MAP_FIXED, f, 0);
        assertEquals(node.cache.read(f.id(), 0), read(a));
        assertEquals(0x8000000000000025L, bits(a), "read-only, not dirty");
        long majors = node.vmstat("pgmajfault");
        read(b);
        assertEquals(majors, node.vmstat("pgmajfault"), "the second mapping finds the page in the cache");
        int pfn = Pte.pfn(mm.pte(a));
        assertEquals(pfn, Pte.pfn(mm.pte(b)));
        assertEquals(2, m.mapcount[pfn]);
        assertEquals(3, m.refcount[pfn], "two mappings and the page cache");
        assertEquals(java.util.List.of(pfn), node.lruList(Lruvec.INACTIVE_FILE));
    }

    @Test
    void writingAPrivateFileMappingCopiesThePageAndLeavesTheCacheAlone() {
        MappedFile f = mm.newFile("/etc/hosts", 8, 4, false, true);
        MmSyscalls.mmap(mm, A, P, RW, MAP_PRIVATE | MAP_FIXED, f, 0);
        long original = node.cache.read(f.id(), 0);
        Fault.Result r = write(A, 77);
        assertEquals("anon", node.kindOf(r.pfn()), "do_cow_fault: a private copy");
        int cached = node.cache.lookup(f.id(), 0);
        assertTrue(cached > 0);
        assertEquals(original, m.data[cached], "the file's page is unchanged");
        assertEquals(0, m.mapcount[cached]);
    }

    @Test
    void aSharedFileMappingIsWriteProtectedUntilTheFirstWriteMarksThePageDirty() {
        MappedFile f = mm.newFile("/var/db/data", 9, 4, false, true);
        MmSyscalls.mmap(mm, A, P, RW, MAP_SHARED | MAP_FIXED, f, 0);
        read(A);
        assertEquals(0x8000000000000025L, bits(A), "ext4 wants write notification: read-only");
        int pfn = Pte.pfn(mm.pte(A));
        write(A, 3);
        assertEquals(pfn, Pte.pfn(mm.pte(A)), "wp_page_shared: the same page, now writable");
        assertEquals(0x8000000000000067L, bits(A));
        assertTrue(m.test(pfn, MemMap.PG_DIRTY));
    }

    @Test
    void sharedAnonymousMemoryIsWritableFromTheFirstRead() {
        MmSyscalls.mmap(mm, A, P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, null, 0);
        read(A);
        assertEquals(0x8000000000000027L, bits(A), "shmem: P RW US A NX, clean");
    }

    @Test
    void writingARegionWithoutWritePermissionFaultsAsSigsegv() {
        anon(A, 1, PROT_READ);
        assertEquals(-Errno.EFAULT, write(A, 1).ret());
        assertEquals(-Errno.EFAULT, read(A + P), "no VMA there");
    }

    @Test
    void mprotectReadOnlyTakesTheWriteBitAndProtNoneThePresentBit() {
        anon(A, 1, RW);
        write(A, 4);
        int pfn = Pte.pfn(mm.pte(A));
        MmSyscalls.mprotect(mm, A, P, PROT_READ);
        assertEquals(0x8000000000000065L, bits(A), "RW gone, A and D kept");
        assertEquals(-Errno.EFAULT, write(A, 5).ret());
        MmSyscalls.mprotect(mm, A, P, 0);
        assertFalse(Pte.hardwarePresent(mm.pte(A)));
        assertTrue(Pte.present(mm.pte(A)), "PROT_NONE keeps the frame (pte_present)");
        assertEquals(pfn, Pte.pfn(mm.pte(A)));
        assertEquals(-Errno.EFAULT, read(A));
        MmSyscalls.mprotect(mm, A, P, RW);
        assertEquals(4, read(A));
        write(A, 6);
        assertEquals(pfn, Pte.pfn(mm.pte(A)), "the write fault reuses the exclusive page");
    }

    @Test
    void anExecuteOnlyMappingsProtectionKeyStopsDataReadsInTheCpu() {
        anon(A, 1, MmSyscalls.PROT_EXEC);
        assertEquals(-Errno.EFAULT, read(A));
        MmSyscalls.mlock(mm, A, P);
        assertEquals(-Errno.EFAULT, read(A), "even with the page present");
    }

    @Test
    void munmapFreesTheFramesAndThePageTablesNothingElseNeeds() {
        anon(A, 1, RW);
        anon(A + 0x200000, 1, RW);
        write(A, 1);
        write(A + 0x200000, 2);
        int table = mm.pt.tableAt(A + 0x200000, 1);
        int free = node.nrFree();
        MmSyscalls.munmap(mm, A + 0x200000, P);
        assertEquals(free + 2, node.nrFree(), "the page and its PTE table");
        assertEquals("free", node.kindOf(table));
        assertTrue(mm.pt.tableAt(A, 1) > 0, "the other PTE table stays");
        assertEquals(0, mm.pte(A + 0x200000));
    }

    @Test
    void forkWriteProtectsBothCopiesAndTheFirstWriteCopiesTheFrame() {
        anon(A, 2, RW);
        write(A, 1);
        write(A + P, 2);
        int pfn = Pte.pfn(mm.pte(A));
        AddressSpace child = Fork.dupMmap(mm);
        assertEquals(0, mm.pte(A) & Pte.RW, "parent write-protected");
        assertEquals(0, child.pte(A) & Pte.RW, "child write-protected");
        assertEquals(0, child.pte(A) & Pte.ACCESSED, "the child's PTEs start old");
        assertEquals(2, m.mapcount[pfn]);
        assertFalse(m.test(pfn, MemMap.PG_ANON_EXCLUSIVE));
        write(A, 10);
        assertNotEquals(pfn, Pte.pfn(mm.pte(A)), "the parent gets a copy");
        assertEquals(1, m.data[Pte.pfn(child.pte(A))], "the child still sees the old value");
        assertEquals(1, m.mapcount[pfn]);
        Fault.Result c = Fault.access(child, A, true);
        assertEquals(pfn, c.pfn(), "the child is the last user now: its write reuses the frame");
        assertEquals(2, Rmap.walk(node, Pte.pfn(mm.pte(A + P))).size(), "the second page is still shared: two PTEs in the reverse map");
    }

    @Test
    void aSwappedOutPageComesBackWithItsContentAndWritableIfItWasExclusive() {
        anon(A, 1, RW);
        write(A, 123);
        int pfn = Pte.pfn(mm.pte(A));
        node.lru.del(m, pfn);
        m.refcount[pfn]++;
        assertEquals(Reclaim.Outcome.RECLAIMED, Reclaim.shrinkFolio(node, pfn, Reclaim.FOLIOREF_RECLAIM));
        long swp = mm.pte(A);
        assertTrue(Pte.isSwap(swp));
        assertEquals(1, Pte.swapOffset(swp));
        assertTrue((swp & Pte.SWP_EXCLUSIVE) != 0);
        assertEquals(1, mm.rssStat()[3], "MM_SWAPENTS");
        assertEquals(123, read(A));
        assertTrue((mm.pte(A) & Pte.RW) != 0, "exclusive: mapped writable again");
        assertEquals(1, node.vmstat("pswpin"));
        assertEquals(0, mm.rssStat()[3]);
    }

    @Test
    void swapEntriesAreStoredInvertedAsX86Does() {
        assertEquals(0x07fffffffffffc00L, Pte.swapEntry(0, 1));
        assertEquals(0x0ffffffffffffe00L, Pte.swapEntry(1, 0));
        assertEquals(1, Pte.swapOffset(Pte.swapEntry(0, 1)));
        assertEquals(3, Pte.swapType(Pte.swapEntry(3, 77)));
        assertEquals(77, Pte.swapOffset(Pte.swapEntry(3, 77) | Pte.SWP_EXCLUSIVE), "flag bits do not disturb the offset");
        assertEquals("swap 0:1 exclusive", Pte.decode(Pte.swapEntry(0, 1) | Pte.SWP_EXCLUSIVE));
        assertEquals("P RW US A D NX", Pte.decode(0x8000000000005067L));
    }

    @Test
    void outOfMemoryWithoutSwapIsEnomemNotACrash() {
        Pgdat tiny = new Pgdat(16, false, 0, 16, 10);
        AddressSpace t = new AddressSpace(tiny);
        MmSyscalls.mmap(t, A, 32 * P, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0);
        long last = 0;
        for (int i = 0; i < 32 && last == 0; i++) last = Fault.userAccess(t, A + i * P, true);
        assertEquals(-Errno.ENOMEM, last);
        assertTrue(tiny.vmstat("oom") > 0);
        assertTrue(tiny.nrFree() <= tiny.min());
    }
}
