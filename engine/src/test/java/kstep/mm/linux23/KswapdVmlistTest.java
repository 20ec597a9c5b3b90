package kstep.mm.linux23;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import kstep.engine.Explorer;
import kstep.engine.Finding;
import kstep.engine.Runner;
import kstep.scenario.Scenario;
import kstep.scenario.ScenarioLoader;

/**
 * The 1999 kswapd vma-scanning race: the scripted run of 2.3.21 ends in a use-after-free, and the explorer
 * finds it (and the half-updated vma) by itself; with the vmlist locks every reachable interleaving is clean;
 * the patch as posted, which dropped the lock before flush_tlb_page() read the vma, still has a window.
 */
class KswapdVmlistTest {
    static final Scenario S = ScenarioLoader.loadSample("mm/kswapd-vmlist-1999");

    @Test
    void theScriptedRunOf2321UsesTheVmaMprotectFreed() throws Exception {
        Runner.Result r = S.instantiate("buggy").runDefault();
        assertEquals(Runner.Outcome.FINDING, r.outcome());
        Finding f = r.trace().findings().get(0);
        assertEquals("use-after-free", f.kind());
        Path golden = Path.of("src/test/resources/samples/mm/kswapd-vmlist-1999-buggy.expected");
        if (System.getProperty("kstep.golden.write") != null) Files.writeString(golden, f.message(), StandardCharsets.UTF_8);
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), f.message());
        assertTrue(r.trace().worldAt(f.step()).named("vma2").freed());
    }

    @Test
    void theExplorerFindsTheUseAfterFreeAndTheHalfUpdatedVmaIn2321() {
        Explorer.Result uaf = S.instantiate("buggy").explore(null, Explorer.Goal.finding("use-after-free"));
        assertEquals("use-after-free", uaf.finding().kind());
        Explorer.Result torn = S.instantiate("buggy").explore(null, Explorer.Goal.finding("inconsistent-read"));
        assertTrue(torn.finding().message().startsWith("kstep: inconsistent read: kswapd (pid 2) read vma1->"), torn.finding().message());
    }

    @Test
    void withTheVmlistLocksEveryInterleavingIsClean() {
        Explorer.Result x = S.instantiate("fixed").explore(null, Explorer.Goal.finding(null));
        assertNull(x.finding(), () -> x.finding().message());
        assertTrue(x.exhausted());
        assertEquals(0, x.frontierAtBound(), "the whole reachable space, not just the bound");
    }

    @Test
    void thePatchAsPostedStillReadsAFreedVmaInTheTlbFlush() {
        Explorer.Result x = S.instantiate("as-posted").explore(null, Explorer.Goal.finding("use-after-free"));
        assertTrue(x.finding().message().contains("BUG: KASAN: slab-use-after-free in try_to_swap_out+"), x.finding().message());
        assertTrue(x.finding().message().contains(" merge_segments+"), "freed by merge_segments()");
    }
}
