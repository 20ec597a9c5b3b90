package kstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import kstep.engine.Explorer;
import kstep.engine.Finding;
import kstep.engine.Runner;
import kstep.engine.Trace;
import kstep.engine.World;
import kstep.scenario.Instance;
import kstep.scenario.Scenario;
import kstep.scenario.ScenarioLoader;

/** The lock samples, variant by variant: scripted runs word for word, and what the explorer finds by itself. */
class LockSamplesTest {
    static final Scenario PGO = ScenarioLoader.loadSample("locks/pgo-prf-open");
    static final Scenario ABBA = ScenarioLoader.loadSample("locks/abba");
    static final Scenario IRQ = ScenarioLoader.loadSample("locks/irq-inconsistent");
    static final Scenario BH = ScenarioLoader.loadSample("locks/softirq-bh");

    /** The report in samples/locks/NAME.expected (rewritten from the run with -Dkstep.golden.write). */
    static void assertReport(String name, Finding f) throws IOException {
        Path golden = Path.of("src/test/resources/samples/locks", name + ".expected");
        if (System.getProperty("kstep.golden.write") != null) Files.writeString(golden, f.message(), StandardCharsets.UTF_8);
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), f.message(), golden.toString());
    }

    static Finding only(Runner.Result r) {
        assertEquals(Runner.Outcome.FINDING, r.outcome());
        assertEquals(1, r.trace().findings().size(), r.trace().findings().toString());
        return r.trace().findings().get(0);
    }

    @Test
    void pgoBuggyPrintsTheSeedsSplatWhenCatAllocatesUnderPgoLock() throws IOException {
        Runner.Result r = PGO.instantiate("buggy").runDefault();
        Finding f = only(r);
        assertEquals("sleep-in-atomic", f.kind());
        assertTrue(f.message().startsWith("BUG: sleeping function called from invalid context at include/linux/sched/mm.h:201\n"
            + "in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: 337, name: cat\n"), "the seed's two lines, 5.13 format");
        assertReport("pgo-prf-open-buggy", f);
        World at = r.trace().worldAt(f.step());
        assertEquals("cat", at.taskStruct(at.current(0)).text("comm"));
        assertEquals(List.of("cat (pid 337, cpu0)"), LockSamplesTest.row(at, "pgo_lock").holders());
    }

    @Test
    void pgoBuggySplatsOnEverySchedule() {
        Explorer.Result clean = PGO.instantiate("buggy").explore(null, Explorer.Goal.cleanEnd());
        assertFalse(clean.reachedEnd(), "no schedule gets cat its answer without the splat");
        assertTrue(clean.exhausted());
    }

    @Test
    void pgoV2ExplorerFindsTheEagainToUserSpaceByItself() {
        Instance v2 = PGO.instantiate("v2");
        Explorer.Result x = v2.explore(null);
        assertEquals("syscall-error", x.finding().kind());
        assertEquals("cat: /sys/kernel/debug/pgo/vmlinux.profraw: Resource temporarily unavailable\n(open() returned -11)",
            x.finding().message());
        Trace replay = v2.runChoices(x.schedule()).trace();
        assertEquals("syscall-error", replay.findings().get(0).kind(), "the explorer's schedule replays to the same finding");
        assertTrue(((kstep.engine.Value.Int) replay.worldAt(replay.length()).global("prf_vnds_used")).v() > 0,
            "the profile grew between sizing and serialising");
    }

    @Test
    void pgoV3NeverFailsNorSplatsWithinTheBound() {
        Explorer.Result x = PGO.instantiate("v3").explore(null);
        assertNull(x.finding());
        assertTrue(x.exhausted());
        assertEquals(0, x.frontierAtBound(), "the whole reachable space was covered");
        Runner.Result scripted = PGO.instantiate("v3").runDefault();
        assertEquals(Runner.Outcome.END, scripted.outcome());
    }

    @Test
    void abbaLockdepReportsTheInversionOnAScheduleThatDoesNotDeadlock() throws IOException {
        Runner.Result r = ABBA.instantiate("buggy").runDefault();
        Finding f = only(r);
        assertEquals("lockdep-circular", f.kind());
        assertReport("abba-buggy", f);
        World at = r.trace().worldAt(f.step());
        assertEquals(List.of(), row(at, "mutex_a").holders(), "worker-ab has long released both mutexes: no deadlock here");
        LockdepState s = at.ext(LockdepState.KEY, LockdepState.class);
        assertEquals(2, s.reportedCycle().size());
    }

    @Test
    void abbaExplorerFindsTheDeadlockAndTheFixHasNone() {
        Explorer.Result x = ABBA.instantiate("buggy").explore(null);
        assertEquals("deadlock", x.finding().kind());
        assertTrue(x.finding().message().endsWith("kstep: deadlock: worker-ab (pid 401) waits for mutex_b held by worker-ba; "
            + "worker-ba (pid 402) waits for mutex_a held by worker-ab\n"));
        Explorer.Result fixed = ABBA.instantiate("fixed").explore(null, Explorer.Goal.finding(null));
        assertNull(fixed.finding(), "neither a deadlock nor a lockdep report on any schedule");
        assertTrue(fixed.exhausted());
    }

    @Test
    void irqInconsistentLockdepReportsAndTheWrongInterruptDeadlocksTheCpu() throws IOException {
        Runner.Result r = IRQ.instantiate("buggy").runDefault();
        Finding f = only(r);
        assertEquals("lockdep-inconsistent", f.kind());
        assertReport("irq-inconsistent-buggy", f);
        Explorer.Result x = IRQ.instantiate("buggy").explore(null);
        assertEquals("deadlock", x.finding().kind());
        assertTrue(x.finding().message().startsWith("watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [cat:512]\n"));
        Explorer.Result fixed = IRQ.instantiate("fixed").explore(null, Explorer.Goal.finding(null));
        assertNull(fixed.finding());
        assertTrue(fixed.exhausted());
    }

    @Test
    void softirqBhLockdepSeesTheSoftirqUsageAndTheSoftirqOnTheHoldingCpuHangsIt() throws IOException {
        Runner.Result r = BH.instantiate("buggy").runDefault();
        Finding f = only(r);
        assertEquals("lockdep-inconsistent", f.kind());
        assertReport("softirq-bh-buggy", f);
        Explorer.Result x = BH.instantiate("buggy").explore(null);
        assertEquals("deadlock", x.finding().kind());
        assertTrue(x.schedule().contains(kstep.engine.Choice.softirq(0)),
            "the softirq has to run while ip holds the lock");
        Runner.Result fixed = BH.instantiate("fixed").runDefault();
        assertEquals(Runner.Outcome.END, fixed.outcome());
        assertTrue(fixed.trace().findings().isEmpty());
        Explorer.Result fx = BH.instantiate("fixed").explore(null, Explorer.Goal.finding(null));
        assertNull(fx.finding(), "spin_lock_bh keeps NET_RX off the CPU while the lock is held");
        assertTrue(fx.exhausted());
    }

    static LockTable.Row row(World w, String lock) {
        return LockSemanticsTest.row(w, lock);
    }
}
