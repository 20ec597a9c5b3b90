package kstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kstep mm compare: kstep's VMAs beside the running kernel's, step by step. */
class MmCompareTest {
    static final String SCRIPT = "mmap 0x10000 0x3000 rw- private|anon\nmprotect 0x11000 0x1000 r--\ntouch 0x10000 w\nmlock 0x12000 0x1000\n";

    private static boolean canBuildTheProbe() {
        if (!System.getProperty("os.name").equals("Linux")) return false;
        try {
            return new ProcessBuilder("cc", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void theRunningKernelAgreesWithKstepStepForStep(@TempDir Path dir) throws Exception {
        assumeTrue(canBuildTheProbe(), "needs Linux and cc");
        Path s = dir.resolve("split.kvma");
        Files.writeString(s, SCRIPT, StandardCharsets.UTF_8);
        CliTest.Out r = CliTest.kstep("mm", "compare", s.toString());
        assertEquals(Cli.OK, r.code(), r.out() + r.err());
        assertEquals(s + ": 4 of 4 steps identical\n", r.out());
        CliTest.Out smaps = CliTest.kstep("mm", "compare", "--smaps", s.toString(), s.toString());
        assertEquals(s + ": 4 of 4 steps identical\n" + s + ": 4 of 4 steps identical\nall: 8 of 8 steps identical\n", smaps.out());
    }

    @Test
    void theFirstDifferentStepIsShownWithBothSides() {
        String kernel = """
            ## 1 mmap 0x10000 0x2000 rw- private|anon -> 0
            00010000-00012000 rw-p 00000000 00:00 0
            VmFlags: rd wr mr mw me ac
            ## 2 mprotect 0x11000 0x1000 r-- -> 0
            00010000-00011000 rw-p 00000000 00:00 0
            VmFlags: rd wr mr mw me ac
            00011000-00012000 r--p 00000000 00:00 0
            VmFlags: rd mr mw me
            """;
        String model = kernel.replace("VmFlags: rd mr mw me\n", "VmFlags: rd mr mw me ac\n");
        MmCompare.Verdict v = MmCompare.compare(MmCompare.steps(kernel), MmCompare.steps(model), false);
        assertEquals(2, v.steps());
        assertEquals(1, v.same());
        assertEquals("""
              first difference at step 2:
                kernel: ## 2 mprotect 0x11000 0x1000 r-- -> 0
                  00010000-00011000 rw-p 00000000 00:00 0 [rd wr mr mw me ac]
                  00011000-00012000 r--p 00000000 00:00 0 [rd mr mw me]
                kstep:  ## 2 mprotect 0x11000 0x1000 r-- -> 0
                  00010000-00011000 rw-p 00000000 00:00 0 [rd wr mr mw me ac]
                  00011000-00012000 r--p 00000000 00:00 0 [rd mr mw me ac]
            """, v.firstDifference());
        assertNull(MmCompare.compare(MmCompare.steps(kernel), MmCompare.steps(kernel), false).firstDifference());
        MmCompare.Verdict cut = MmCompare.compare(MmCompare.steps(kernel.substring(0, kernel.indexOf("## 2"))), MmCompare.steps(kernel), true);
        assertEquals(List.of(2, 1), List.of(cut.steps(), cut.same()), "a kernel run that stopped early differs from there");
    }
}
