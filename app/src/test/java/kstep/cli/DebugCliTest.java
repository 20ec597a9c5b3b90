package kstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** kstep debug and kstep diff on the samples: hit lists and counts, reverse-continue, why, differences. */
class DebugCliTest {
    @Test
    void everyStopAndTheCountsOfEachBreakpoint() {
        CliTest.Out r = CliTest.kstep("debug", "locks/abba", "--break", "watch mutex_b.owner", "--break", "line lock/mutex.kc:17 cpu1", "--json");
        assertEquals(Cli.OK, r.code(), r.err());
        assertTrue(r.out().contains("\"counts\":{\"watch mutex_b.owner\":3,\"line lock/mutex.kc:17 cpu1\":0}"),
            "step 38 stops at the watch, which comes first: " + r.out());
        CliTest.Out back = CliTest.kstep("debug", "vgic/doorbell-preemption", "--break", "watch vcpu0.its_vpe.resident", "--from", "252", "--reverse");
        assertEquals("# vgic/doorbell-preemption, variant buggy, 252 steps\n"
            + "  242  watch vcpu0.its_vpe.resident     vcpu0.its_vpe.resident true -> false\n", back.out());
        CliTest.Out none = CliTest.kstep("debug", "vgic/doorbell-preemption", "--break", "finding lockdep-circular");
        assertTrue(none.out().endsWith("no breakpoint stops in this run\n"), none.out());
        CliTest.Out bad = CliTest.kstep("debug", "locks/abba", "--break", "when mutex_a.ownr");
        assertEquals(Cli.BAD_INPUT, bad.code());
        assertEquals("kstep: --break 'when mutex_a.ownr', column 6: struct mutex has no field 'ownr'\n", bad.err());
    }

    @Test
    void whyAndDiff() {
        CliTest.Out w = CliTest.kstep("debug", "locks/abba", "--why", "mutex_b.owner", "--from", "20");
        assertEquals("# locks/abba, variant buggy: why mutex_b.owner is so at step 20\n"
            + "step 13  cpu0  worker-ab  lock/mutex.kc:36  mutex_b.owner worker-ab -> NULL\n"
            + "step 9  cpu0  worker-ab  lock/mutex.kc:17  mutex_b.owner NULL -> worker-ab\n", w.out());
        CliTest.Out d = CliTest.kstep("diff", "locks/abba", "--steps", "3..9");
        assertEquals("# locks/abba, step 3 -> step 9: 2 differences\nmutex_a.owner: NULL -> worker-ab\nmutex_b.owner: NULL -> worker-ab\n", d.out());
        CliTest.Out v = CliTest.kstep("diff", "vgic/doorbell-preemption", "--step", "252", "--against", "fixed");
        assertTrue(v.out().contains("CPU 0/KVM.__state: 1 -> 0\n"), v.out());
        CliTest.Out bad = CliTest.kstep("diff", "vgic/doorbell-preemption", "--step", "252", "--against", "fixd");
        assertEquals("kstep: no variant 'fixd' (this scenario has: buggy, fixed, backport-5.15)\n", bad.err());
    }
}
