package kstep.mm;

import static kstep.mm.MmSyscalls.MAP_ANONYMOUS;
import static kstep.mm.MmSyscalls.MAP_FIXED;
import static kstep.mm.MmSyscalls.MAP_PRIVATE;
import static kstep.mm.MmSyscalls.PROT_READ;
import static kstep.mm.MmSyscalls.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The reclaim decisions one by one (mm/vmscan.c, classic LRU), and the allocator's watermarks. */
class ReclaimTest {
    static final long P = AddressSpace.PAGE_SIZE;
    static final long A = 0x10000000L;

    final Pgdat node = new Pgdat(64, false, 32, 16, 10);
    final AddressSpace mm = new AddressSpace(node);
    final MemMap m = node.map;

    int page(long addr) {
        return Pte.pfn(mm.pte(addr));
    }

    void anonWritten(long addr, int pages) {
        MmSyscalls.mmap(mm, addr, pages * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0);
        for (int i = 0; i < pages; i++) Fault.userAccess(mm, addr + i * P, true);
    }

    /** isolate + folio_check_references for one folio, as kswapd's model does. */
    int look(int pfn) {
        node.lru.del(m, pfn);
        m.refcount[pfn]++;
        return Reclaim.checkReferences(node, pfn);
    }

    @Test
    void watermarksFollowSetupPerZoneWmarks() {
        // the kernel's example: one 4 GiB zone, min_free_kbytes 8192
        long frames = 1L << 20;
        assertEquals(8192, Pgdat.defaultMinFreeKbytes(frames));
        Pgdat big = new Pgdat(1 << 12, true, 0, 8192, 10);
        assertEquals(2048, big.min());
        Pgdat small = new Pgdat(64, false, 0, 32, 10);
        assertEquals(8, small.min());
        assertEquals(10, small.low(), "tmp = max(min / 4, managed * 10 / 10000) = 2");
        assertEquals(12, small.high());
        assertEquals(128, Pgdat.defaultMinFreeKbytes(64), "clamped at 128 KiB");
    }

    @Test
    void aYoungFolioGetsASecondTripRoundTheInactiveList() {
        anonWritten(A, 1);
        int pfn = page(A);
        assertEquals(Reclaim.FOLIOREF_KEEP, look(pfn));
        assertTrue(m.test(pfn, MemMap.PG_REFERENCED));
        assertEquals(0, mm.pte(A) & Pte.ACCESSED, "the accessed bit is cleared as it is counted");
        assertEquals(Reclaim.Outcome.KEPT, Reclaim.shrinkFolio(node, pfn, Reclaim.FOLIOREF_KEEP));
        assertEquals(pfn, (int) node.lruList(Lruvec.INACTIVE_ANON).get(0), "back at the head of the inactive list");
    }

    @Test
    void aFolioUsedAgainSinceTheFirstLookIsActivated() {
        anonWritten(A, 1);
        int pfn = page(A);
        Reclaim.shrinkFolio(node, pfn, look(pfn));
        Fault.userAccess(mm, A, false);
        assertEquals(Reclaim.FOLIOREF_ACTIVATE, look(pfn));
        assertEquals(Reclaim.Outcome.ACTIVATED, Reclaim.shrinkFolio(node, pfn, Reclaim.FOLIOREF_ACTIVATE));
        assertEquals(List.of(pfn), node.lruList(Lruvec.ACTIVE_ANON));
        assertEquals(1, node.vmstat("pgactivate"));
    }

    @Test
    void aFolioNotUsedSinceTheFirstLookGoesToSwap() {
        anonWritten(A, 1);
        int pfn = page(A);
        Reclaim.shrinkFolio(node, pfn, look(pfn));
        int ref = look(pfn);
        assertEquals(Reclaim.FOLIOREF_RECLAIM, ref, "PG_referenced alone does not save an anonymous folio");
        int free = node.nrFree();
        assertEquals(Reclaim.Outcome.RECLAIMED, Reclaim.shrinkFolio(node, pfn, ref));
        assertEquals(free + 1, node.nrFree());
        assertTrue(Pte.isSwap(mm.pte(A)));
        assertEquals(1, node.swapUsed());
        assertEquals(1, node.vmstat("pswpout"));
        assertTrue(node.swap.cache.isEmpty(), "the folio left the swap cache with its frame");
    }

    @Test
    void aFolioInALockedVmaIsActivatedOntoTheUnevictableList() {
        anonWritten(A, 1);
        int pfn = page(A);
        MmSyscalls.mlock(mm, A, P);
        assertEquals(Reclaim.FOLIOREF_ACTIVATE, look(pfn));
        Reclaim.shrinkFolio(node, pfn, Reclaim.FOLIOREF_ACTIVATE);
        assertEquals(List.of(pfn), node.lruList(Lruvec.UNEVICTABLE));
    }

    @Test
    void aCleanFilePageIsDroppedAndReadBackFromDisk() {
        MappedFile f = mm.newFile("/usr/share/words", 5, 4, false, false);
        MmSyscalls.mmap(mm, A, P, PROT_READ, MAP_PRIVATE | MAP_FIXED, f, 0);
        Fault.userAccess(mm, A, false);
        int pfn = page(A);
        mm.pt.set(A, mm.pte(A) & ~Pte.ACCESSED);
        assertEquals(Reclaim.FOLIOREF_RECLAIM, look(pfn));
        assertEquals(Reclaim.Outcome.RECLAIMED, Reclaim.shrinkFolio(node, pfn, Reclaim.FOLIOREF_RECLAIM));
        assertEquals(0, mm.pte(A), "a file page leaves no swap entry: the PTE is empty");
        assertEquals(-1, node.cache.lookup(f.id(), 0));
        long majors = node.vmstat("pgmajfault");
        Fault.userAccess(mm, A, false);
        assertEquals(majors + 1, node.vmstat("pgmajfault"));
    }

    @Test
    void aDirtyFilePageIsLeftToTheFlusherThreads() {
        MappedFile f = mm.newFile("/var/log/app.log", 6, 4, false, true);
        MmSyscalls.mmap(mm, A, P, PROT_READ | PROT_WRITE, MmSyscalls.MAP_SHARED | MAP_FIXED, f, 0);
        Fault.userAccess(mm, A, true);
        int pfn = page(A);
        mm.pt.set(A, mm.pte(A) & ~Pte.ACCESSED);
        assertEquals(Reclaim.Outcome.ACTIVATED, Reclaim.shrinkFolio(node, pfn, look(pfn)), "6.17+: no filesystem writeback from reclaim");
        assertEquals(0, node.vmstat("pgpgout"));
    }

    @Test
    void withoutSwapAnonymousListsAreNotScanned() {
        Pgdat noSwap = new Pgdat(64, false, 0, 16, 10);
        AddressSpace a = new AddressSpace(noSwap);
        MmSyscalls.mmap(a, A, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0);
        for (int i = 0; i < 4; i++) Fault.userAccess(a, A + i * P, true);
        assertEquals(0, Reclaim.scanCount(noSwap, Lruvec.INACTIVE_ANON, 0));
        anonWritten(A, 4);
        assertEquals(4, Reclaim.scanCount(node, Lruvec.INACTIVE_ANON, 0), "with swap: the whole list at priority 0");
        assertEquals(1, Reclaim.scanCount(node, Lruvec.INACTIVE_ANON, 2), "size >> priority");
    }

    @Test
    void theInactiveListIsLowWhenTheActiveOneIsLonger() {
        anonWritten(A, 3);
        assertFalse(Reclaim.inactiveIsLow(node, Lruvec.INACTIVE_ANON));
        for (int pfn : node.lruList(Lruvec.INACTIVE_ANON)) {
            node.lru.del(m, pfn);
            m.set(pfn, MemMap.PG_ACTIVE);
            node.lru.add(m, pfn);
        }
        assertTrue(Reclaim.inactiveIsLow(node, Lruvec.INACTIVE_ANON));
        assertEquals(3, Reclaim.shrinkActive(node, Lruvec.ACTIVE_ANON, 32));
        assertEquals(3, node.lru.size[Lruvec.INACTIVE_ANON], "anonymous folios are deactivated even when young");
    }

    @Test
    void allocationsWakeKswapdBelowLowAndReclaimDirectlyBelowMin() {
        int[] woken = {0};
        node.kswapdWaker = () -> woken[0]++;
        MmSyscalls.mmap(mm, A, 64 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0);
        int i = 0;
        while (node.nrFree() > node.low()) Fault.userAccess(mm, A + i++ * P, true);
        assertEquals(0, woken[0]);
        Fault.userAccess(mm, A + i++ * P, true);
        assertEquals(1, woken[0], "free memory at the low watermark: kswapd is woken");
        while (node.nrFree() > node.min()) Fault.userAccess(mm, A + i++ * P, true);
        assertEquals(0, node.vmstat("allocstall"));
        assertEquals(0, Fault.userAccess(mm, A + i * P, true), "the allocation still succeeds");
        assertEquals(1, node.vmstat("allocstall"), "after reclaiming directly");
        assertTrue(node.nrFree() > node.min());
    }
}
