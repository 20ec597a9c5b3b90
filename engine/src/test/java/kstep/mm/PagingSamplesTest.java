package kstep.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import kstep.engine.Event;
import kstep.engine.Runner;
import kstep.engine.StateHash;
import kstep.engine.Trace;
import kstep.engine.World;
import kstep.scenario.ScenarioLoader;

/** The paging and reclaim samples on their scripted schedules: what the page tables, frames and LRU lists do. */
class PagingSamplesTest {
    static Trace run(String sample) {
        Runner.Result r = ScenarioLoader.loadSample(sample).instantiate("linux-6.18").runDefault();
        assertEquals(Runner.Outcome.END, r.outcome(), sample);
        assertTrue(r.trace().findings().isEmpty(), r.trace().findings().toString());
        return r.trace();
    }

    static MmState mm(World w) {
        return w.ext(MmState.KEY, MmState.class);
    }

    static String events(Trace t, int step) {
        return String.join("; ", t.step(step).events().stream().map(Event::text).toList());
    }

    @Test
    void demandPagingFillsTheLevelsOnTheFirstTouchAndFreesThemOnUnmap() {
        Trace t = run("mm/demand-paging");
        AddressSpace at1 = mm(t.worldAt(1)).mm("demo");
        assertEquals(List.of(), at1.pageTables().root().entries(), "after mmap only the PGD exists");
        assertTrue(events(t, 2).contains("__pud_alloc: a PUD table in frame 2; __pmd_alloc: a PMD table in frame 3; __pte_alloc: a PTE table in frame 4;"
            + " do_anonymous_page: read fault at 0x10000000 maps the zero page"), events(t, 2));
        assertTrue(events(t, 3).endsWith("wp_page_copy: 0x10000000: copy-on-write of the zero page into frame 5"), events(t, 3));
        assertEquals(3, mm(t.worldAt(7)).mm("demo").pageTables().ptes().size(), "two pages at 0x10000000 and one 2 MiB away");
        assertTrue(events(t, 10).startsWith("store(0x7effffffc000, 0x1) = -14"), "a write to a read-only mapping: SIGSEGV");
        assertTrue(events(t, 11).contains("free_pgtables: the PTE table in frame 7 freed"), events(t, 11));
        PageTableTree end = mm(t.worldAt(t.length())).mm("demo").pageTables();
        List<PageTableTree.Entry> walk = end.walk(0x10001000L);
        assertEquals(4, walk.size());
        assertEquals(6, walk.get(3).frame(), "PGD -> PUD -> PMD -> PTE -> frame 6");
    }

    @Test
    void forkSharesTheFramesReadOnlyAndEachWriteCopiesOne() {
        Trace t = run("mm/fork-cow");
        World w = t.worldAt(t.length());
        AddressSpace parent = mm(w).mm("parent");
        Pgdat node = mm(w).node();
        assertEquals(10, node.map.data[Pte.pfn(parent.pte(0x10000000L))], "the parent's own copy of the first page");
        assertEquals(30, node.map.data[Pte.pfn(parent.pte(0x10001000L))]);
        assertEquals(0, mm(w).mm("child").vmas().size(), "the child exited");
        boolean reused = false;
        for (int n = 1; n <= t.length(); n++) reused |= events(t, n).contains("store(0x10001000, 0x1e) = 0x0; wp_page_reuse: 0x10001000");
        assertTrue(reused, "the parent's last write reuses the frame in place");
        assertEquals(2, node.vmstat("cow_fault"), "two copies: the parent's first page, the child's second");
    }

    @Test
    void kswapdGivesTheHotPageItsSecondChanceAndSwapsOutTheColdOnes() {
        Trace t = run("mm/kswapd-reclaim");
        World w = t.worldAt(t.length());
        Pgdat node = mm(w).node();
        AddressSpace hog = mm(w).mm("hog");
        assertEquals(0, node.vmstat("allocstall"), "kswapd kept up: no direct reclaim");
        assertTrue(node.vmstat("pswpout") >= 4, "pages went to swap: " + node.vmstat("pswpout"));
        assertEquals(1, node.vmstat("pswpin"), "and one came back");
        assertTrue(Pte.hardwarePresent(hog.pte(0x10000000L)), "the hot page never left");
        assertTrue(node.lruList(Lruvec.ACTIVE_ANON).contains(Pte.pfn(hog.pte(0x10000000L))), "it was activated");
        assertEquals(1001, node.map.data[Pte.pfn(hog.pte(0x10001000L))], "page 1 came back from its slot with its value");
        assertTrue(node.nrFree() >= node.low(), "kswapd stopped at the high watermark");
    }

    @Test
    void steppingBackReproducesTheSamePagingState() {
        Trace t = run("mm/kswapd-reclaim");
        int n = t.length() / 2;
        StateHash a = StateHash.of(t.worldAt(n));
        t.worldAt(t.length());
        StateHash b = StateHash.of(t.worldAt(n));
        assertEquals(a, b);
        assertNotEquals(StateHash.of(t.worldAt(n)), StateHash.of(t.worldAt(n + 40)));
        assertFalse(mm(t.worldAt(n)).node().lruList(Lruvec.INACTIVE_ANON).isEmpty());
    }
}
