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

    @Test
    void withoutBreakTheBreakpointsSavedWithTheAnnotationsAreUsed() throws Exception {
        java.nio.file.Path side = kstep.annotate.Sidecar.pathFor(kstep.scenario.ScenarioLoader.loadSample("mm/kswapd-reclaim"));
        java.nio.file.Files.deleteIfExists(side);
        CliTest.Out none = CliTest.kstep("debug", "mm/kswapd-reclaim");
        assertEquals(Cli.BAD_INPUT, none.code());
        assertEquals("kstep: give --break SPEC (or --why OBJECT); none are saved with this scenario's annotations\n", none.err());
        try {
            kstep.annotate.Sidecar.open(side).save(kstep.annotate.AnnotationDoc.EMPTY.withBreakpoints(java.util.List.of("watch pte@0x10001000")));
            CliTest.Out r = CliTest.kstep("debug", "mm/kswapd-reclaim");
            assertEquals(Cli.OK, r.code(), r.err());
            assertEquals("# mm/kswapd-reclaim, variant linux-6.18, 1767 steps\n"
                + "    7  watch pte@0x10001000             do_anonymous_page: write fault at 0x10001000: a zeroed page in frame 6\n"
                + "  452  watch pte@0x10001000             pte 0x10001000: hog P RW US A D NX -> P RW US D NX\n"
                + " 1388  watch pte@0x10001000             try_to_unmap: frame 6 unmapped at 0x10001000, swap entries in the PTEs\n"
                + " 1766  watch pte@0x10001000             do_swap_page: 0x10001000: swap slot 1 back in frame 6 (read from swap)\n", r.out());
        } finally {
            java.nio.file.Files.deleteIfExists(side);
        }
    }
}
