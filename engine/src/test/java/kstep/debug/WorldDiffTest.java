package kstep.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import kstep.scenario.ScenarioLoader;
import kstep.scenario.Session;

class WorldDiffTest {
    private static final Session DOORBELL = new Session(ScenarioLoader.loadSample("vgic/doorbell-preemption"), "buggy");

    @Test
    void twoStepsDifferInWhatTheStepsBetweenThemWrote() {
        List<String> d = WorldDiff.between(DOORBELL.worldAt(31), DOORBELL.worldAt(32)).stream().map(Object::toString).toList();
        assertEquals(List.of("vcpu0.its_vpe.resident: false -> true"), d);
        assertEquals(List.of(), WorldDiff.between(DOORBELL.worldAt(40), DOORBELL.worldAt(40)));
    }

    @Test
    void theBuggyAndTheFixedKernelAtTheSameStep() {
        List<String> d = WorldDiff.againstVariant(DOORBELL, 252, "fixed").stream().map(Object::toString).toList();
        // at the buggy kernel's lost wake-up, the fixed one has woken the vCPU thread
        assertTrue(d.contains("CPU 0/KVM.__state: 1 -> 0"), d.toString());
        assertTrue(d.contains("vcpu0.ready: false -> true"), d.toString());
    }

    @Test
    void theHistoryOfALocksOwnerSaysWhoTookItAndWhere() {
        Session abba = new Session(ScenarioLoader.loadSample("locks/abba"), "buggy");
        List<String> h = Why.history(abba, "mutex_a.owner", abba.length()).stream().map(Object::toString).toList();
        assertEquals(List.of("step 18  cpu0  worker-ab  lock/mutex.kc:36  mutex_a.owner worker-ab -> NULL",
            "step 4  cpu0  worker-ab  lock/mutex.kc:17  mutex_a.owner NULL -> worker-ab"), h);
        assertEquals(1, Why.history(abba, "mutex_a.owner", 17).size(), "up to the cursor only");
    }
}
