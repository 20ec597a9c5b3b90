package kstep.mm;

import static kstep.mm.MmSyscalls.MAP_ANONYMOUS;
import static kstep.mm.MmSyscalls.MAP_FIXED;
import static kstep.mm.MmSyscalls.MAP_PRIVATE;
import static kstep.mm.MmSyscalls.MAP_SHARED;
import static kstep.mm.MmSyscalls.PROT_READ;
import static kstep.mm.MmSyscalls.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The VMA layer's rules, case by case: the kernel's own VMA unit tests (tools/testing/vma, as listed in
 * ../shared/reference/mm.md) driven through the merge functions directly, and the syscalls' splits, merges,
 * limits and errnos as a program would see them. The kvma conformance cases check the same against the
 * running kernel, but only through what a process can do; the cases with a close hook need a driver.
 */
class AddressSpaceTest {
    private static final long P = AddressSpace.PAGE_SIZE;
    private static final long RW = VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC;
    private static final long BASE = 0x7e0000000000L;
    private static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;

    private final AddressSpace mm = new AddressSpace();

    private Vma alloc(long start, long end, long pgoff) {
        return alloc(start, end, pgoff, Vma.VmOps.NONE);
    }

    private Vma alloc(long start, long end, long pgoff, Vma.VmOps ops) {
        Vma v = new Vma(start, end, pgoff, RW, null, ops);
        mm.insert(v);
        return v;
    }

    /** vma_merge_new_range() for an empty [start, end) with the test's flags. */
    private Vma mergeNew(long start, long end, long pgoff) {
        return mm.mergeNew(VmaMerge.newRange(mm, start, end, pgoff, RW, null));
    }

    /** Inserts the range as a new VMA unless it merged, as __mmap_region() does. */
    private void mapNew(long start, long end, long pgoff) {
        if (mergeNew(start, end, pgoff) == null) alloc(start, end, pgoff);
    }

    private String layout() {
        StringBuilder b = new StringBuilder();
        for (Vma v : mm.vmas()) b.append('[').append(hex(v.start())).append(',').append(hex(v.end())).append(") ").append(hex(v.pgoff())).append(' ');
        return b.toString().trim();
    }

    /** The reference's notation: 0, 0x1000. */
    private static String hex(long n) {
        return n == 0 ? "0" : "0x" + Long.toHexString(n);
    }

    private String arena() {
        return KvmaScript.arena(mm).trim();
    }

    private long anonAt(long addr, long pages) {
        return MmSyscalls.mmap(mm, addr, pages * P, PROT_READ | PROT_WRITE, ANON | MAP_FIXED, null, 0);
    }

    // ------------------------------------------------------------------ tools/testing/vma
    @Test
    void simpleMergeJoinsBothNeighbours() {
        alloc(0, 0x1000, 0);
        alloc(0x2000, 0x3000, 2);
        Vma merged = mergeNew(0x1000, 0x2000, 1);
        assertEquals(0, merged.start());
        assertEquals("[0,0x3000) 0", layout());
    }

    @Test
    void simpleModifySplitsIntoThreeWithTailPgoffs() {
        Vma v = alloc(0, 0x3000, 0);
        Vma mid = mm.modify(v, v, 0x1000, 0x2000, VmFlags.VM_READ | VmFlags.VM_MAYREAD, null);
        assertSame(v, mid, "the original VMA becomes the middle piece");
        assertEquals("[0,0x1000) 0 [0x1000,0x2000) 0x1 [0x2000,0x3000) 0x2", layout());
    }

    @Test
    void mergeNewSequenceFillsTheHolesOneByOne() {
        alloc(0, 0x2000, 0);
        alloc(0x3000, 0x4000, 3);
        alloc(0xb000, 0xc000, 0xb);
        mapNew(0x7000, 0x9000, 7);
        assertEquals(4, mm.mapCount());
        mapNew(0x2000, 0x3000, 2);
        assertEquals("[0,0x4000) 0 [0x7000,0x9000) 0x7 [0xb000,0xc000) 0xb", layout());
        mapNew(0x4000, 0x5000, 4);
        mapNew(0x6000, 0x7000, 6);
        assertEquals("[0,0x5000) 0 [0x6000,0x9000) 0x6 [0xb000,0xc000) 0xb", layout());
        mapNew(0x5000, 0x6000, 5);
        assertEquals(2, mm.mapCount());
        mapNew(0xa000, 0xb000, 0xa);
        assertEquals("[0,0x9000) 0 [0xa000,0xc000) 0xa", layout());
        mapNew(0x9000, 0xa000, 9);
        assertEquals("[0,0xc000) 0", layout());
    }

    @Test
    void newRangeBetweenVmasWithCloseOnlyExtendsPrev() {
        alloc(0, 0x2000, 0, Vma.VmOps.WITH_CLOSE);
        alloc(0x5000, 0x7000, 5, Vma.VmOps.WITH_CLOSE);
        mergeNew(0x2000, 0x5000, 2);
        assertEquals("[0,0x5000) 0 [0x5000,0x7000) 0x5", layout());
    }

    @Test
    void modifyingTheHeadOfNextsNeighbourMovesItIntoNext() {
        Vma v = alloc(0x2000, 0x6000, 2);
        alloc(0x6000, 0x9000, 6);
        VmaMerge g = VmaMerge.ofVma(v, v, 0x3000, 0x6000);
        Vma merged = mm.mergeExisting(g);
        assertEquals(0x3000, merged.start());
        assertEquals("[0x2000,0x3000) 0x2 [0x3000,0x9000) 0x3", layout());
    }

    @Test
    void modifyingStrictlyInsideAVmaNeverMerges() {
        alloc(0, 0x2000, 0);
        Vma v = alloc(0x2000, 0x6000, 2);
        alloc(0x6000, 0x9000, 6);
        assertNull(mm.mergeExisting(VmaMerge.ofVma(v, v, 0x3000, 0x4000)));
        assertEquals(3, mm.mapCount());
    }

    @Test
    void differentAnonVmasOnBothSidesMergeOnlyPrev() {
        Vma prev = alloc(0, 0x3000, 0);
        Vma v = alloc(0x3000, 0x7000, 3);
        Vma next = alloc(0x7000, 0x9000, 7);
        prev.anonVma = mm.newAnonVma();
        next.anonVma = mm.newAnonVma();
        Vma merged = mm.mergeExisting(VmaMerge.ofVma(prev, v, 0x3000, 0x7000));
        assertSame(prev, merged);
        assertEquals("[0,0x7000) 0 [0x7000,0x9000) 0x7", layout());
    }

    @Test
    void mmapRegionBasicLeavesTwoVmas() {
        for (long a : new long[] {0x300000, 0x250000, 0x303000, 0x24d000}) {
            assertEquals(a, MmSyscalls.mmap(mm, a, 0x3000, PROT_READ | PROT_WRITE, ANON | MAP_FIXED, null, 0));
        }
        assertEquals("[0x24d000,0x253000) 0x24d [0x300000,0x306000) 0x300", layout());
    }

    // ------------------------------------------------------------------ syscalls
    @Test
    void mprotectMiddleSplitsIntoThree() {
        anonAt(BASE, 3);
        assertEquals(0, MmSyscalls.mprotect(mm, BASE + P, P, PROT_READ));
        assertEquals("""
            00000000-00001000 rw-p 00000000  [rd wr mr mw me ac ]
            00001000-00002000 r--p 00000000  [rd mr mw me ]
            00002000-00003000 rw-p 00000000  [rd wr mr mw me ac ]""", arena());
    }

    @Test
    void mprotectBackMergesTheThreeAgain() {
        anonAt(BASE, 3);
        MmSyscalls.mprotect(mm, BASE + P, P, PROT_READ);
        // the middle lost VM_ACCOUNT with PROT_WRITE (unfaulted, 6.6+) and is charged again: same flags, one VMA
        assertEquals(0, MmSyscalls.mprotect(mm, BASE + P, P, PROT_READ | PROT_WRITE));
        assertEquals(1, mm.mapCount());
        assertEquals("00000000-00003000 rw-p 00000000  [rd wr mr mw me ac ]", arena());
    }

    @Test
    void splitAtTheMapCountLimitFailsWithEnomemAndChangesNothing() {
        anonAt(BASE, 3);
        mm.setMaxMapCount(mm.mapCount());
        String before = arena();
        assertEquals(-Errno.ENOMEM, MmSyscalls.mprotect(mm, BASE + P, P, PROT_READ));
        assertEquals(-Errno.ENOMEM, MmSyscalls.mlock(mm, BASE + P, P));
        assertEquals(before, arena());
    }

    @Test
    void munmapInTheMiddleAtTheLimitFailsButAtTheEdgeSucceeds() {
        anonAt(BASE, 3);
        mm.setMaxMapCount(1);
        assertEquals(-Errno.ENOMEM, MmSyscalls.munmap(mm, BASE + P, P));
        assertEquals(0, MmSyscalls.munmap(mm, BASE + 2 * P, P));
        assertEquals("[0x7e0000000000,0x7e0000002000) 0x7e0000000", layout());
    }

    @Test
    void writeFaultCreatesTheAnonVmaAndReadFaultDoesNot() {
        anonAt(BASE, 2);
        Vma v = mm.vmaLookup(BASE);
        assertEquals(0, MmSyscalls.touch(mm, BASE, false));
        assertEquals(0, v.anonVma(), "a read fault maps the zero page");
        assertEquals(0, MmSyscalls.touch(mm, BASE + P, true));
        assertNotEquals(0, v.anonVma());
    }

    @Test
    void holeBetweenSeparatelyFaultedVmasMergesOnlyWithPrev() {
        anonAt(BASE, 1);
        anonAt(BASE + 2 * P, 1);
        MmSyscalls.touch(mm, BASE, true);
        MmSyscalls.touch(mm, BASE + 2 * P, true);
        anonAt(BASE + P, 1);
        assertEquals("[0x7e0000000000,0x7e0000002000) 0x7e0000000 [0x7e0000002000,0x7e0000003000) 0x7e0000002", layout());
    }

    @Test
    void accessWithoutPermissionOrMappingFaults() {
        MmSyscalls.mmap(mm, BASE, P, 0 /* PROT_NONE */, ANON | MAP_FIXED, null, 0);
        assertEquals(-Errno.EFAULT, MmSyscalls.touch(mm, BASE, false));
        assertEquals(-Errno.EFAULT, MmSyscalls.touch(mm, BASE + P, false));
    }

    @Test
    void mlockSplitsAndMunlockMergesBack() {
        anonAt(BASE, 3);
        assertEquals(0, MmSyscalls.mlock(mm, BASE + P, P));
        assertEquals(3, mm.mapCount());
        assertTrue((mm.vmaLookup(BASE + P).flags() & VmFlags.VM_LOCKED) != 0);
        assertEquals(1, mm.pages(BASE + P, BASE + 2 * P).size(), "mlock populates the locked page");
        assertEquals(0, MmSyscalls.munlock(mm, BASE, 3 * P));
        assertEquals(1, mm.mapCount());
    }

    @Test
    void madviseDontforkSplitsOffVmDontcopy() {
        anonAt(BASE, 4);
        assertEquals(0, MmSyscalls.madvise(mm, BASE + 2 * P, 2 * P, MmSyscalls.MADV_DONTFORK));
        assertTrue(VmFlags.mnemonics(mm.vmaLookup(BASE + 3 * P).flags()).contains(" dc "));
        assertEquals(2, mm.mapCount());
        assertEquals(0, MmSyscalls.madvise(mm, BASE + 2 * P, 2 * P, MmSyscalls.MADV_DOFORK));
        assertEquals(1, mm.mapCount());
    }

    @Test
    void findVmaReturnsTheFirstVmaEndingAboveAndVmaLookupOnlyAContainingOne() {
        anonAt(BASE + 4 * P, 1);
        assertEquals(BASE + 4 * P, mm.findVma(BASE).start());
        assertNull(mm.vmaLookup(BASE));
        assertNull(mm.findVma(BASE + 5 * P));
        assertNull(mm.findVmaIntersection(BASE, BASE + 4 * P));
        assertEquals(BASE + 4 * P, mm.findVmaIntersection(BASE, BASE + 4 * P + 1).start());
    }

    @Test
    void mmapWithoutFixedGoesTopDownBelowMmapBaseAndMerges() {
        long a = MmSyscalls.mmap(mm, 0, 2 * P, PROT_READ | PROT_WRITE, ANON, null, 0);
        long b = MmSyscalls.mmap(mm, 0, P, PROT_READ | PROT_WRITE, ANON, null, 0);
        assertEquals(mm.mmapBase() - 2 * P, a);
        assertEquals(a - P, b);
        assertEquals(1, mm.mapCount());
    }

    @Test
    void aFreeHintIsTakenAndABusyOneFallsBackToTopDown() {
        assertEquals(BASE, MmSyscalls.mmap(mm, BASE, P, PROT_READ, ANON, null, 0));
        assertEquals(mm.mmapBase() - P, MmSyscalls.mmap(mm, BASE, P, PROT_READ, ANON, null, 0));
        assertEquals(2, mm.mapCount());
    }

    @Test
    void topDownSearchSkipsGapsThatAreTooSmall() {
        long top = mm.mmapBase();
        anonAt(top - P, 1);
        anonAt(top - 3 * P, 1); // a one-page gap at top - 2P
        assertEquals(top - 2 * P, mm.findGapTopDown(P, 0x10000, top));
        assertEquals(top - 5 * P, mm.findGapTopDown(2 * P, 0x10000, top));
    }

    @Test
    void brkGrowsTheHeapInPlaceAndShrinksIt() {
        long start = 0x555555559000L;
        mm.setBrk(start);
        assertEquals(start + 100, MmSyscalls.brk(mm, start + 100));
        assertEquals(start + 3 * P, MmSyscalls.brk(mm, start + 3 * P));
        assertEquals(1, mm.mapCount(), "growing expands the heap VMA");
        assertTrue(ProcMaps.maps(mm).endsWith(" [heap]\n"));
        assertEquals(start + P, MmSyscalls.brk(mm, start + P));
        assertEquals("[0x555555559000,0x55555555a000) 0x555555559", layout());
        assertEquals(start + P, MmSyscalls.brk(mm, start - P), "below start_brk the break stays");
    }

    @Test
    void brkStopsAPageShortOfTheNextVma() {
        long start = 0x555555559000L;
        mm.setBrk(start);
        anonAt(start + 4 * P, 1);
        assertEquals(start, MmSyscalls.brk(mm, start + 4 * P));
        assertEquals(start + 3 * P, MmSyscalls.brk(mm, start + 3 * P));
    }

    @Test
    void mremapGrowsInPlaceIntoAHoleAndMovesWhenBlocked() {
        anonAt(BASE, 1);
        anonAt(BASE + 3 * P, 1);
        assertEquals(BASE, MmSyscalls.mremap(mm, BASE, P, 3 * P, 0, 0));
        assertEquals(1, mm.mapCount(), "grown into the hole and merged with the VMA after it");
        MmSyscalls.mmap(mm, BASE + 4 * P, P, PROT_READ, ANON | MAP_FIXED, null, 0);
        assertEquals(-Errno.ENOMEM, MmSyscalls.mremap(mm, BASE, 4 * P, 5 * P, 0, 0));
        long moved = MmSyscalls.mremap(mm, BASE, 4 * P, 5 * P, MmSyscalls.MREMAP_MAYMOVE, 0);
        assertNotEquals(BASE, moved);
        assertEquals(BASE + 4 * P, mm.findVma(BASE).start(), "only the blocker is left there");
        assertEquals(5 * P, mm.vmaLookup(moved).end() - moved);
    }

    @Test
    void sharedAnonymousMappingsNeverMerge() {
        MmSyscalls.mmap(mm, BASE, P, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, null, 0);
        MmSyscalls.mmap(mm, BASE + P, P, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, null, 0);
        List<Vma> v = mm.vmas();
        assertEquals(2, v.size());
        assertNotEquals(v.get(0).file(), v.get(1).file(), "each is its own /dev/zero shmem file");
    }

    @Test
    void impossibleArgumentsGetTheKernelsErrno() {
        assertEquals(-Errno.EINVAL, MmSyscalls.mmap(mm, BASE, 0, PROT_READ, ANON | MAP_FIXED, null, 0));
        assertEquals(-Errno.EINVAL, MmSyscalls.mmap(mm, BASE + 1, P, PROT_READ, ANON | MAP_FIXED, null, 0));
        assertEquals(-Errno.EINVAL, MmSyscalls.mmap(mm, BASE, P, PROT_READ, MAP_ANONYMOUS, null, 0));
        assertEquals(-Errno.ENOMEM, MmSyscalls.mmap(mm, AddressSpace.TASK_SIZE, P, PROT_READ, ANON | MAP_FIXED, null, 0));
        assertEquals(-Errno.EINVAL, MmSyscalls.munmap(mm, BASE + 1, P));
        assertEquals(-Errno.ENOMEM, MmSyscalls.mprotect(mm, BASE, P, PROT_READ));
        assertEquals(-Errno.ENOMEM, MmSyscalls.mlock(mm, BASE, P));
        MappedFile ro = mm.newFile("/etc/passwd", 42, 1, false, false);
        assertEquals(-Errno.EACCES, MmSyscalls.mmap(mm, BASE, P, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, ro, 0));
    }
}
