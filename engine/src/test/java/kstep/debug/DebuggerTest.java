package kstep.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import kstep.scenario.ScenarioLoader;
import kstep.scenario.Session;

/** Breakpoints, watchpoints, conditions and reverse-continue on the samples' recorded runs. */
class DebuggerTest {
    private static final Session ABBA = new Session(ScenarioLoader.loadSample("locks/abba"), "buggy");
    private static final Session DOORBELL = new Session(ScenarioLoader.loadSample("vgic/doorbell-preemption"), "buggy");

    private static List<Integer> steps(Session s, String spec) {
        return Debugger.all(s, Breakpoints.parse(spec, s.worldAt(0))).stream().map(Debugger.Hit::step).toList();
    }

    @Test
    void aWatchpointStopsAtEveryChangeOfTheField() {
        assertEquals(List.of(4, 18), steps(ABBA, "watch mutex_a.owner"));
        assertEquals(List.of(9, 13, 38), steps(ABBA, "watch mutex_b.owner"));
        Debugger.Hit h = Debugger.all(ABBA, Breakpoints.parse("watch mutex_b", ABBA.worldAt(0))).get(2);
        assertEquals("mutex_b.owner NULL -> worker-ba", h.why());
        assertEquals(List.of(32, 94, 170, 242), steps(DOORBELL, "watch vcpu0.its_vpe.resident"), "a nested object's field");
    }

    @Test
    void lineBreakpointsCountHitsPerCpuOrOnAny() {
        assertEquals(List.of(4, 9, 38), steps(ABBA, "line lock/mutex.kc:17"));
        assertEquals(List.of(38), steps(ABBA, "line lock/mutex.kc:17 cpu1"));
        assertEquals(List.of(4), steps(ABBA, "line lock/mutex.kc:17 if mutex_b.owner == NULL"), "the if condition is read after the step");
    }

    @Test
    void aConditionStopsWhereItBecomesTrue() {
        assertEquals(List.of(9), steps(ABBA, "when mutex_a.owner != NULL && mutex_b.owner != NULL"), "worker-ab holds both once; worker-ba never gets mutex_a");
        assertEquals(List.of(32, 170), steps(DOORBELL, "when vcpu0.its_vpe.resident && !vcpu0.its_vpe.ready"));
        // the vGIC diagram's vPE card by its name: the buggy kernel leaves the vPE non-resident without a doorbell at 242
        assertEquals(List.of(94), steps(DOORBELL, "when !vpe0.resident && vpe0.doorbell"), "armed at 89, the put clears resident at 94");
        assertEquals(List.of(242), steps(DOORBELL, "when !vpe0.resident && !vpe0.doorbell && vpe0.state == 1"), "true from step 0 (NR_NODB), true again only at 242");
        assertEquals("struct its_vpe has no field 'armed' (the vPE card also has doorbell, state, in_wfi)",
            assertThrows(DebugError.class, () -> Breakpoints.parse("when vpe0.armed", DOORBELL.worldAt(0))).getMessage());
    }

    @Test
    void continueAndReverseContinueLandOnTheSameSteps() {
        List<Breakpoint> bps = List.of(Breakpoints.parse("watch vcpu0.its_vpe.resident", DOORBELL.worldAt(0)));
        assertEquals(94, Debugger.next(DOORBELL, bps, 32).step());
        assertEquals(242, Debugger.previous(DOORBELL, bps, DOORBELL.length()).step(), "back from the lost wake-up: the last time the vPE left");
        assertEquals(170, Debugger.previous(DOORBELL, bps, 242).step());
        assertNull(Debugger.previous(DOORBELL, bps, 32));
        assertEquals(252, Debugger.next(DOORBELL, List.of(Breakpoints.parse("finding lost-wakeup", DOORBELL.worldAt(0))), 0).step());
        assertEquals(List.of(), steps(DOORBELL, "finding lockdep-circular"));
    }

    @Test
    void mistakesAreReportedWithTheirColumn() {
        DebugError e = assertThrows(DebugError.class, () -> Breakpoints.parse("watch vcpu9.its_vpe", DOORBELL.worldAt(0)));
        assertEquals(7, e.col());
        assertEquals("no object named 'vcpu9' here (a name the views show, e.g. vcpu0 or mutex_a)", e.getMessage());
        DebugError f = assertThrows(DebugError.class, () -> Breakpoints.parse("when vcpu0.its_vpe.resdent", DOORBELL.worldAt(0)));
        assertEquals(6, f.col());
        assertEquals("struct its_vpe has no field 'resdent'", f.getMessage());
        DebugError g = assertThrows(DebugError.class, () -> Breakpoints.parse("when mutex_a.owner != ", ABBA.worldAt(0)));
        assertEquals("a name, a number, true, false or NULL is missing", g.getMessage());
        assertEquals(22, g.col(), "just past the !=");
        assertEquals("a breakpoint starts with line, watch, event, finding, when, text or a kernel happening (lock-taken, lock-released, vpe-resident,"
            + " vpe-nonresident, doorbell-armed, doorbell-disarmed, pte-changed, vma-split, vma-merged, page-reclaimed), not 'stop'",
            assertThrows(DebugError.class, () -> Breakpoints.parse("stop here", ABBA.worldAt(0))).getMessage());
        assertInstanceOf(Breakpoint.OnEvent.class, Breakpoints.parse("event switch cpu1", ABBA.worldAt(0)));
        assertEquals(7, assertThrows(DebugError.class, () -> Breakpoints.parse("event wakeup", ABBA.worldAt(0))).col());
    }

    @Test
    void kernelHappeningsByName() {
        assertEquals(List.of(4, 9), steps(ABBA, "lock-taken").subList(0, 2));
        assertEquals(List.of(9, 38), steps(ABBA, "lock-taken mutex_b"));
        assertEquals(List.of(13), steps(ABBA, "lock-released mutex_b"));
        assertEquals(List.of(32, 170), steps(DOORBELL, "vpe-resident"));
        assertEquals(List.of(94, 242), steps(DOORBELL, "vpe-nonresident vcpu0.its_vpe"));
        Session fixed = new Session(ScenarioLoader.loadSample("vgic/doorbell-preemption"), "fixed");
        // the buggy kernel arms the doorbell at the first put only: the second (step 242) leaves it off, and the vLPI is lost
        assertEquals(List.of(89), steps(DOORBELL, "doorbell-armed"));
        assertEquals(List.of(167), steps(DOORBELL, "doorbell-disarmed"));
        assertEquals(List.of(91), steps(fixed, "doorbell-armed"));
        assertEquals(List.of(219), steps(fixed, "doorbell-disarmed"), "the fixed kernel's doorbell fires (NR_DB -> NR_NODB)");
        Session mm = new Session(ScenarioLoader.loadSample("mm/vma-merge-split"), ScenarioLoader.loadSample("mm/vma-merge-split").defaultVariant());
        assertEquals(List.of(3, 9, 18), steps(mm, "vma-split"), "mprotect, mlock and munmap in the middle of a VMA");
        assertEquals(List.of(2, 4, 8, 10, 13, 17), steps(mm, "vma-merged"), "four merges and two VMAs grown in place");
        Session kswapd = new Session(ScenarioLoader.loadSample("mm/kswapd-reclaim"), ScenarioLoader.loadSample("mm/kswapd-reclaim").defaultVariant());
        assertEquals(11, steps(kswapd, "page-reclaimed").size());
        assertEquals(steps(kswapd, "page-reclaimed"), steps(kswapd, "pte-changed if 0 == 0").stream().filter(steps(kswapd, "page-reclaimed")::contains).toList(),
            "a reclaimed page's PTE was changed in the same step (try_to_unmap)");
    }

    @Test
    void aFrameAndAPteAreWatchedByTheirStateEvenWhereNoEventNamesThem() {
        Session kswapd = new Session(ScenarioLoader.loadSample("mm/kswapd-reclaim"), ScenarioLoader.loadSample("mm/kswapd-reclaim").defaultVariant());
        // faulted in, isolated and put back twice (refcount 1 -> 2 with no event naming frame 6), swapped out, read back in
        assertEquals(List.of(7, 448, 452, 454, 1382, 1386, 1388, 1766), steps(kswapd, "watch frame6"));
        Debugger.Hit isolated = Debugger.all(kswapd, Breakpoints.parse("watch frame6", kswapd.worldAt(0))).get(1);
        assertEquals("frame 6: flags uptodate|lru|swapbacked|anon_exclusive -> uptodate|swapbacked|anon_exclusive, refcount 1 -> 2, lru inactive_anon -> none",
            isolated.why());
        // the accessed bit cleared by folio_check_references is a PTE change too
        assertEquals(List.of(7, 452, 1388, 1766), steps(kswapd, "watch pte@0x10001234"), "any address in the page");
        List<Why.Cause> why = Why.history(kswapd, "pte@0x10001000", kswapd.length());
        assertEquals(List.of(1766, 1388, 452, 7), why.stream().map(Why.Cause::step).toList());
        assertEquals("do_swap_page: 0x10001000: swap slot 1 back in frame 6 (read from swap)", why.get(0).what(), "the fault that put it back");
        assertEquals("do_anonymous_page: write fault at 0x10001000: a zeroed page in frame 6", why.get(3).what(), "the fault that installed it");
        assertEquals("pte 0x10001000: hog P RW US A D NX -> P RW US D NX", why.get(2).what());
        assertEquals("there is no frame99 (frames 0 to " + (kswapd.worldAt(0).ext(kstep.mm.MmState.KEY, kstep.mm.MmState.class).node().frames() - 1) + ")",
            assertThrows(DebugError.class, () -> Breakpoints.parse("watch frame99", kswapd.worldAt(0))).getMessage());
        assertEquals("this scenario has no physical memory to watch", assertThrows(DebugError.class, () -> Breakpoints.parse("watch frame1", ABBA.worldAt(0))).getMessage());
        assertEquals(11, assertThrows(DebugError.class, () -> Breakpoints.parse("watch pte@10001000", kswapd.worldAt(0))).col());
    }

    @Test
    void aVmaIsWatchedThroughEverySplitMergeGrowthAndItsAnonVma() {
        Session mm = new Session(ScenarioLoader.loadSample("mm/vma-merge-split"), ScenarioLoader.loadSample("mm/vma-merge-split").defaultVariant());
        // made, grown, split by mprotect, merged back, given an anon_vma by the first write, grown, mlock split, merged, munmap split
        assertEquals(List.of(1, 2, 3, 4, 5, 8, 9, 10, 18), steps(mm, "watch vma@0x10000000"));
        assertEquals("write(0x10000000) = 0x0: changed [0x10000000,0x10005000): got anon_vma 1",
            Debugger.at(mm, List.of(Breakpoints.parse("watch vma@0x10000000", mm.worldAt(0))), 5).why().split("; ")[0]);
        assertEquals(List.of(14), steps(mm, "watch vma@0x1001a000"), "the library mapping, made once");
        assertEquals("this scenario has no address space to watch", assertThrows(DebugError.class, () -> Breakpoints.parse("watch vma@0x1000", ABBA.worldAt(0))).getMessage());
    }

    @Test
    void textSearchFindsAStepByItsWords() {
        Session kswapd = new Session(ScenarioLoader.loadSample("mm/kswapd-reclaim"), ScenarioLoader.loadSample("mm/kswapd-reclaim").defaultVariant());
        assertEquals(List.of(1766), steps(kswapd, "text BACK IN FRAME "), "case and the spaces around are ignored");
        assertEquals(List.of(9, 38), steps(ABBA, "text mutex_b.owner NULL ->"));
        assertEquals(List.of(38), steps(ABBA, "text mutex_b.owner NULL -> if mutex_a.owner == NULL"));
    }
}
