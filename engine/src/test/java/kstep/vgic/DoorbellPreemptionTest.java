package kstep.vgic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import kstep.engine.Choice;
import kstep.engine.Event;
import kstep.engine.Explorer;
import kstep.engine.Finding;
import kstep.engine.Runner;
import kstep.engine.StepRecord;
import kstep.engine.Trace;
import kstep.engine.World;
import kstep.scenario.Instance;
import kstep.scenario.Scenario;
import kstep.scenario.ScenarioLoader;

/** The sample vgic/doorbell-preemption, variant by variant, scripted and explored. */
class DoorbellPreemptionTest {
    static final Scenario SAMPLE = ScenarioLoader.loadSample("vgic/doorbell-preemption");

    static VgicSnapshot.VCpu vcpu0(Instance inst, World w) {
        return VgicSnapshot.of(w, inst.machine().externalEvents()).vcpus().get(0);
    }

    /** The World right after the script line with note {@code prefix} finished. */
    static World afterNote(Trace t, String prefix) {
        for (StepRecord r : t.steps()) if (r.note() != null && r.note().startsWith(prefix)) return t.worldAt(r.n());
        throw new AssertionError("no step noted '" + prefix + "'");
    }

    @Test
    void buggyScriptLosesTheWakeUp() {
        Instance inst = SAMPLE.instantiate("buggy");
        Runner.Result r = inst.runDefault();
        assertEquals(Runner.Outcome.FINDING, r.outcome());
        Trace t = r.trace();
        assertEquals(1, t.findings().size());
        Finding f = t.findings().get(0);
        assertEquals("lost-wakeup", f.kind());
        assertEquals(t.length(), f.step(), "the finding is the MSI step that ends the run");
        assertEquals("lost wake-up: CPU 0/KVM (pid 1201) sleeps in kvm_vcpu_block() in state TASK_INTERRUPTIBLE while vLPI 8192 "
            + "is pending in the VPT of vpe0\nthe vPE is not resident and no doorbell is armed (GICR_VPENDBASER of cpu0: "
            + "Valid=0 DB=0 PendingLast=1 Dirty=0 VPEID=0): nothing will wake vcpu0", f.message());
        assertEquals(Choice.event("msi"), t.step(f.step()).choice());
        VgicSnapshot.VCpu v = vcpu0(inst, t.worldAt(t.length()));
        assertEquals(VpeState.NR_NODB, v.state());
        assertEquals(List.of(8192L), v.vptPending());
        assertEquals(0, v.guestTaken());
    }

    @Test
    void buggyScriptShowsTheThreeSchedules() {
        Instance inst = SAMPLE.instantiate("buggy");
        Trace t = inst.runDefault().trace();
        assertEquals(VpeState.NR_DB, vcpu0(inst, afterNote(t, "The guest executed WFI")).state(),
            "kvm_vcpu_wfi put the vPE with a doorbell");
        assertEquals(VpeState.NR_DB, vcpu0(inst, afterNote(t, "kvm_sched_out() calls vgic_v4_put()")).state(), "the preemption's put is a no-op");
        assertEquals(VpeState.RES_DIRTY, vcpu0(inst, afterNote(t, "Schedule 2")).state(), "sched_in made it resident again");
        World blocked = afterNote(t, "Schedule 3");
        assertEquals(VpeState.NR_NODB, vcpu0(inst, blocked).state(), "the blocking put asked for no doorbell");
        assertTrue(vcpu0(inst, blocked).threadState().startsWith("sleeping in kvm_vcpu_block"));
    }

    @Test
    void fixedScriptWakesTheVcpuAndTheGuestTakesTheVlpi() {
        for (String variant : List.of("fixed", "backport-5.15")) {
            Instance inst = SAMPLE.instantiate(variant);
            Runner.Result r = inst.runDefault();
            assertEquals(Runner.Outcome.END, r.outcome(), variant);
            assertTrue(r.trace().findings().isEmpty(), variant);
            Trace t = r.trace();
            assertEquals(VpeState.NR_DB, vcpu0(inst, afterNote(t, "Schedule 2")).state(), variant + ": load skipped while IN_WFI");
            assertEquals(VpeState.NR_DB, vcpu0(inst, afterNote(t, "Schedule 3")).state(), variant + ": still armed when it blocks");
            boolean doorbellTaken = false;
            for (StepRecord s : t.steps())
                for (Event e : s.events()) doorbellTaken |= e.text().equals("cpu0 takes irq 45 (vcpu) in stress-ng");
            assertTrue(doorbellTaken, variant + ": the doorbell interrupt ran its handler");
            VgicSnapshot.VCpu end = vcpu0(inst, t.worldAt(t.length()));
            assertEquals(1, end.guestTaken(), variant);
            assertEquals(VpeState.RES_READY, end.state(), variant);
        }
    }

    @Test
    void exploreFindsTheLostWakeUpInTheBuggyKernel() {
        Instance inst = SAMPLE.instantiate("buggy");
        Explorer.Result r = inst.explore(null);
        assertNotNull(r.finding());
        assertEquals("lost-wakeup", r.finding().kind());
        assertEquals(r.schedule().size(), r.finding().step());
        assertEquals(2, r.schedule().stream().filter(c -> c.kind() == Choice.Kind.PREEMPT).count(),
            "the shortest schedule preempts the vCPU thread in the window and the hog to come back");
        assertEquals(Choice.event("msi"), r.schedule().get(r.schedule().size() - 1));
        Runner.Result replay = inst.runChoices(r.schedule());
        assertEquals(r.finding(), replay.trace().findings().get(0), "the found schedule replays to the same finding");
        assertTrue(r.schedule().size() <= inst.runDefault().trace().length(), "no longer than the scripted interleaving");
    }

    @Test
    void exploreExhaustsTheFixedKernels() {
        for (String variant : List.of("fixed", "backport-5.15")) {
            Explorer.Result r = SAMPLE.instantiate(variant).explore(null);
            assertNull(r.finding(), variant);
            assertTrue(r.exhausted(), variant);
            assertEquals(0, r.frontierAtBound(), variant + ": the whole reachable space, not only the bound");
        }
    }

    /**
     * On GICv4.0 the doorbell is an interrupt KVM enables for a put with a doorbell and disables only when it
     * fires; a later put without a doorbell leaves it enabled. The same preemption cannot lose the wake-up, in
     * no variant, which is why the report was about GICv4.1 systems.
     */
    @Test
    void gicV40KeepsTheDoorbellEnabledSoNoScheduleLosesTheWakeUp() throws Exception {
        Path p = Path.of(DoorbellPreemptionTest.class.getClassLoader().getResource("scenarios/vgic/gicv40.yaml").toURI());
        Scenario s = ScenarioLoader.load(p);
        for (String variant : s.variants().keySet()) {
            Instance inst = s.instantiate(variant);
            Runner.Result r = inst.runDefault();
            assertEquals(Runner.Outcome.END, r.outcome(), variant);
            Explorer.Result x = inst.explore(null);
            assertNull(x.finding(), variant);
            assertTrue(x.exhausted(), variant);
        }
        Instance buggy = s.instantiate("buggy");
        Trace t = buggy.runDefault().trace();
        assertEquals(VpeState.NR_DB, vcpu0(buggy, afterNote(t, "Schedule 3")).state(),
            "the blocking put asked for no doorbell, but the interrupt enabled at WFI is still enabled");
    }
}
