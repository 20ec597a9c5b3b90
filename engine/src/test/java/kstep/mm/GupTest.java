package kstep.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import kstep.engine.Event;
import kstep.engine.Finding;
import kstep.engine.Runner;
import kstep.engine.Trace;
import kstep.engine.Value;
import kstep.engine.World;
import kstep.scenario.ScenarioLoader;

/**
 * get_user_pages on the GUP samples: each is_valid_gup_args() rule, each difference the four patches of the
 * 2023 series make, and what the pages' counts do (mm/gup.kc).
 */
class GupTest {
    private static Runner.Result run(String sample, String variant) {
        return ScenarioLoader.loadSample(sample).instantiate(variant).runDefault();
    }

    private static long global(World w, String name) {
        return ((Value.Int) w.global(name)).v();
    }

    private static World flagsEnd(String variant) {
        Runner.Result r = run("mm/gup-flags", variant);
        assertEquals(Runner.Outcome.END, r.outcome());
        return r.trace().worldAt(r.trace().length());
    }

    private static List<String> warnings(Trace t) {
        return t.findings().stream().filter(f -> f.kind().equals("warning")).map(Finding::message).toList();
    }

    @Test
    void anInternalFlagFromOutsideIsRefusedInBothKernels() {
        assertEquals(-22, global(flagsEnd("before"), "rc_internal"));
        assertEquals(-22, global(flagsEnd("after"), "rc_internal"));
    }

    @Test
    void follTouchFromOutsideIsAcceptedBeforePatch2AndRefusedAfter() {
        assertEquals(1, global(flagsEnd("before"), "rc_touch"), "6.6 gets the page");
        assertEquals(-22, global(flagsEnd("after"), "rc_touch"), "6.7: FOLL_TOUCH is in INTERNAL_GUP_FLAGS");
    }

    @Test
    void theSecondRefusalOnTheSameLineIsSilentBecauseTheWarningIsOnce() {
        Runner.Result before = run("mm/gup-flags", "before");
        Runner.Result after = run("mm/gup-flags", "after");
        // six rules fire in each kernel; after patch 2 FOLL_TOUCH hits the first rule's line again, which already
        // warned (the seventh warning after is patch 3's, for the buggy driver)
        assertEquals(6, warnings(before.trace()).size());
        assertEquals(7, warnings(after.trace()).size());
        assertEquals(6, warnings(after.trace()).stream().filter(m -> m.contains("is_valid_gup_args+")).count());
        assertTrue(warnings(after.trace()).get(0).contains("is_valid_gup_args+0x4/"), warnings(after.trace()).get(0));
    }

    @Test
    void lockedMustBeOneWhenGiven() {
        assertEquals(-22, global(flagsEnd("before"), "rc_locked0"));
    }

    @Test
    void aPinAndAReferenceTogetherAreRefusedAndThePinFamilyAnswersZero() {
        World w = flagsEnd("before");
        assertEquals(0, global(w, "rc_get_pin"));
        assertEquals(0, global(w, "rc_p2p"), "a long-term pin of P2P DMA memory: 0 as well");
    }

    @Test
    void longTermNeedsAPinAndReferencesNeedAPagesArray() {
        World w = flagsEnd("after");
        assertEquals(-22, global(w, "rc_longterm"));
        assertEquals(-22, global(w, "rc_nopages"));
    }

    @Test
    void aNowaitCallThatPinsNothingReturnsZeroInBothKernels() {
        assertEquals(0, global(flagsEnd("before"), "rc_nowait"));
        assertEquals(0, global(flagsEnd("after"), "rc_nowait"), "patch 3 exempts FOLL_NOWAIT from -EFAULT");
        assertEquals(1, global(flagsEnd("after"), "rc_valid"));
    }

    @Test
    void aGupThatPinsNothingIsZeroBeforePatch3AndEfaultWithAWarningAfter() {
        assertEquals(0, global(flagsEnd("before"), "rc_broken"), "6.6: nothing pinned, and 0 says so quietly");
        Runner.Result after = run("mm/gup-flags", "after");
        assertEquals(-14, global(after.trace().worldAt(after.trace().length()), "rc_broken"));
        List<String> w = warnings(after.trace());
        assertTrue(w.get(w.size() - 1).contains("__get_user_pages_locked+"), w.get(w.size() - 1));
    }

    @Test
    void pinUserPagesAndTheUnlockedVariantWorkOnTheCurrentMm() {
        World w = flagsEnd("after");
        assertEquals(1, global(w, "rc_pin"));
        assertEquals(1, global(w, "rc_unlocked"));
        kstep.engine.KObject sem = w.object(((Value.Ref) w.named("driver_mm").get("mmap_lock")).id());
        assertEquals(0, sem.getLong("count"), "get_user_pages_unlocked() released the lock it took");
    }

    @Test
    void theValidCallLeavesTheRefcountAsItFoundIt() {
        World w = flagsEnd("before");
        MmState st = w.ext(MmState.KEY, MmState.class);
        int pfn = Pte.pfn(st.mm("driver").pte(0x600000L));
        assertEquals(1, st.node().map.refcount[pfn], "every FOLL_GET reference went back with put_page()");
    }

    @Test
    void beforePatch4AUprobeIsToldItSucceededWithoutWritingAnything() {
        for (String v : List.of("before", "patch1", "patch2", "patch3")) {
            Runner.Result r = run("mm/gup-remote", v);
            assertEquals("silent-failure", r.trace().findings().get(0).kind(), v);
            assertTrue(r.trace().findings().get(0).message().contains("holds no page, not the opcode 0xcc"), r.trace().findings().get(0).message());
        }
    }

    @Test
    void afterPatch4GetUserPageVmaRemoteRefusesNowaitWithAWarning() {
        Runner.Result r = run("mm/gup-remote", "after");
        Finding f = r.trace().findings().get(0);
        assertEquals("warning", f.kind());
        assertTrue(f.message().contains("get_user_page_vma_remote+0x4/"), f.message());
        assertTrue(f.message().contains("uprobe_write_opcode+"), "the caller is in the call trace");
    }

    @Test
    void patch1SendsPtraceThroughAccessRemoteVm() {
        assertFalse(calls(run("mm/gup-remote", "before").trace(), "access_remote_vm"));
        assertTrue(calls(run("mm/gup-remote", "patch1").trace(), "access_remote_vm"));
    }

    private static boolean calls(Trace t, String fn) {
        return IntStream.rangeClosed(1, t.length()).anyMatch(i -> t.step(i).events().stream().map(Event::text).anyMatch(s -> s.startsWith("call " + fn + "(")));
    }

    /** The step at which the first call of {@code fn} returns. */
    private static int returnOf(Trace t, String fn, int from) {
        for (int i = from; i <= t.length(); i++) {
            for (Event e : t.step(i).events()) if (e.text().startsWith("return") && e.text().contains(" from " + fn)) return i;
        }
        throw new AssertionError(fn + " never returns after step " + from);
    }

    @Test
    void aForcedWriteThroughReadOnlyTextCopiesThePageAndLeavesTheFileAlone() {
        Trace t = run("mm/gup-remote", "after").trace();
        World w = t.worldAt(t.length());
        MmState st = w.ext(MmState.KEY, MmState.class);
        long pte = st.mm("target").pte(0x400000L);
        int pfn = Pte.pfn(pte);
        assertEquals(MemMap.Kind.ANON, st.node().map.kind[pfn], "the target's own copy");
        assertEquals(0xcc, st.node().map.data[pfn], "POKEDATA wrote the copy");
        assertEquals(0, pte & Pte.RW, "still read-only");
        assertEquals(Pte.DIRTY, pte & Pte.DIRTY, "and dirty");
        assertEquals(1L, w.global("poked") instanceof Value.Int i ? i.v() / 8 : -1);
        assertTrue(st.node().map.test(pfn, MemMap.PG_ANON_EXCLUSIVE));
    }

    @Test
    void aPinAddsTheBiasAndThePageOutlivesItsMapping() {
        Trace t = run("mm/gup-remote", "before").trace();
        int pinned = returnOf(t, "pin_user_pages_remote", 1);
        MmState at = t.worldAt(pinned).ext(MmState.KEY, MmState.class);
        int pfn = Pte.pfn(at.mm("target").pte(0x600000L));
        assertEquals(1 + GupBuiltins.GUP_PIN_COUNTING_BIAS, at.node().map.refcount[pfn]);
        int unpinned = returnOf(t, "unpin_user_page", pinned);
        int call = pinned;
        while (t.step(call).events().stream().noneMatch(e -> e.text().startsWith("call unpin_user_page("))) call++;
        MmState before = t.worldAt(call).ext(MmState.KEY, MmState.class);
        assertEquals(GupBuiltins.GUP_PIN_COUNTING_BIAS, before.node().map.refcount[pfn], "unmapped, still pinned");
        MmState after = t.worldAt(unpinned).ext(MmState.KEY, MmState.class);
        assertEquals(MemMap.Kind.FREE, after.node().map.kind[pfn], "the last unpin frees the frame");
    }

    @Test
    void aFaultThatMustReadDropsTheMmapLockAndIsRetriedWithFollTried() {
        Trace t = run("mm/gup-remote", "before").trace();
        int from = returnOf(t, "unpin_user_page", 1);
        int end = returnOf(t, "get_user_pages_remote", from);
        List<String> texts = IntStream.rangeClosed(from, end).boxed().flatMap(i -> t.step(i).events().stream().map(Event::text)).toList();
        assertTrue(texts.stream().anyMatch(s -> s.contains("must be read first")), "the first fault starts the read");
        assertTrue(texts.stream().anyMatch(s -> s.startsWith("call up_read(target_mm.mmap_lock)")), "and drops the lock");
        // the retry: FOLL_TRIED (0x20000) with FOLL_FORCE|FOLL_TOUCH|FOLL_REMOTE|FOLL_GET|FOLL_UNLOCKABLE
        assertTrue(texts.stream().anyMatch(s -> s.startsWith("call __get_user_pages(target_mm, 0x401000, 0x1, 0x27000a")), String.join("\n", texts));
        assertEquals(1, global(t.worldAt(end), "got"));
    }

    @Test
    void ptracePeeksTheZeroPageTheDeviceAndBelowTheStack() {
        Trace t = run("mm/gup-remote", "after").trace();
        World w = t.worldAt(t.length());
        assertEquals(0x1111, global(w, "peeked_data"));
        assertEquals(0, global(w, "peeked_zero"));
        assertEquals(0xd0000000L, global(w, "peeked_dev"), "generic_access_phys() read the device frame");
        assertEquals(8, global(w, "stack_peek"));
        MmState st = w.ext(MmState.KEY, MmState.class);
        assertEquals(0x7fffeffff000L, st.mm("target").vmaLookup(0x7fffeffff000L).start(), "expand_stack() grew the stack a page");
    }
}
