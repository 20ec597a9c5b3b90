package kstep.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import kstep.engine.Event;
import kstep.engine.Runner;
import kstep.engine.Trace;
import kstep.scenario.Scenario;
import kstep.scenario.ScenarioLoader;

/**
 * The sample mm/vma-merge-split against the running kernel: mm/kvma/selftest-sample-tour.kvma makes the same
 * calls at arena offsets (the sample's 0x10000000 is the arena's 0x10000), and kvma recorded what Linux 6.18
 * did after each. The sample must show the kernel's VMAs after every step, and its event lines must say what
 * the teacher's notes say happened.
 */
class MmSamplesTest {
    static final Scenario TOUR = ScenarioLoader.loadSample("mm/vma-merge-split");
    /** Where the sample's arena offset 0 lies: its first mapping, 0x10000000, is kvma's offset 0x10000. */
    static final long ARENA = 0x10000000L - 0x10000;

    /** The dumps after each step of the recorded kvma run, in order. */
    static List<String> kernelDumps() throws IOException {
        String text;
        try (InputStream in = MmSamplesTest.class.getClassLoader().getResourceAsStream("mm/kvma/selftest-sample-tour.expected")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> dumps = new ArrayList<>();
        StringBuilder cur = null;
        for (String l : text.split("\n")) {
            if (l.startsWith("## ")) {
                if (cur != null) dumps.add(cur.toString());
                cur = new StringBuilder();
            } else if (cur != null) {
                cur.append(l).append('\n');
            }
        }
        dumps.add(cur.toString());
        return dumps;
    }

    static String events(Trace t, int step) {
        return String.join("; ", t.step(step).events().stream().map(Event::text).filter(s -> s.contains("(0x")).toList());
    }

    @Test
    void everyStepOfTheSampleLeavesTheVmasLinux618Left() throws IOException {
        Runner.Result r = TOUR.instantiate("linux-6.18").runDefault();
        assertEquals(Runner.Outcome.END, r.outcome());
        List<String> kernel = kernelDumps();
        assertEquals(18, kernel.size());
        for (int n = 1; n <= kernel.size(); n++) {
            AddressSpace mm = r.trace().worldAt(n).ext(MmState.KEY, MmState.class).mm("tour");
            assertEquals(kernel.get(n - 1), KvmaScript.arena(mm, ARENA), "after step " + n + ": " + events(r.trace(), n));
        }
    }

    @Test
    void eventsSayWhatMergedAndWhatSplit() {
        Trace t = TOUR.instantiate("linux-6.18").runDefault().trace();
        assertTrue(events(t, 2).endsWith(": [0x10000000,0x10003000) grew to [0x10000000,0x10005000)"), events(t, 2));
        assertTrue(events(t, 3).endsWith(": split [0x10000000,0x10005000) into [0x10000000,0x10001000) [0x10001000,0x10002000) [0x10002000,0x10005000)"),
            events(t, 3));
        assertTrue(events(t, 5).endsWith(": changed [0x10000000,0x10005000): got anon_vma 1"), events(t, 5));
        assertTrue(events(t, 8).endsWith(": [0x10000000,0x10005000) grew to [0x10000000,0x10008000)"),
            "the filled gap merges left only: " + events(t, 8));
        assertTrue(events(t, 17).endsWith(": merged [0x1001e000,0x1001f000) [0x10020000,0x10021000) into [0x1001e000,0x10021000)"), events(t, 17));
        assertTrue(events(t, 18).endsWith(": split [0x10000000,0x10008000) into [0x10000000,0x10001000) [0x10002000,0x10008000)"), events(t, 18));
    }

    @Test
    void linux65KeepsVmAccountOnUnfaultedMemoryAndDoesNotMerge() {
        Trace new618 = TOUR.instantiate("linux-6.18").runDefault().trace();
        Trace old65 = TOUR.instantiate("linux-6.5").runDefault().trace();
        assertEquals("mprotect(0x10012000, 0x2000, 0x1) = 0x0: merged [0x10010000,0x10012000) [0x10012000,0x10014000) into [0x10010000,0x10014000)",
            events(new618, 13));
        assertEquals("mprotect(0x10012000, 0x2000, 0x1) = 0x0: changed [0x10012000,0x10014000): rw-p -> r--p", events(old65, 13));
        AddressSpace mm = old65.worldAt(13).ext(MmState.KEY, MmState.class).mm("tour");
        assertTrue(VmFlags.mnemonics(mm.vmaLookup(0x10012000L).flags()).contains(" ac "), "6.5 still charges it");
    }

    @Test
    void steppingBackReproducesTheSameAddressSpace() {
        Trace t = TOUR.instantiate("linux-6.18").runDefault().trace();
        String at9 = ProcMaps.smaps(t.worldAt(9).ext(MmState.KEY, MmState.class).mm("tour"));
        t.worldAt(t.length());
        assertEquals(at9, ProcMaps.smaps(t.worldAt(9).ext(MmState.KEY, MmState.class).mm("tour")));
    }
}
