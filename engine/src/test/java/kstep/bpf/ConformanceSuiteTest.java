package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The bpf_conformance ISA suite from ../shared, when this checkout has it beside it. */
class ConformanceSuiteTest {
    static final Path SUITE = Path.of("../../shared/conformance/bpf_conformance/tests");

    @Test
    void atLeast311OfThe313TestsPass() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(SUITE), "the bpf_conformance suite is not beside this checkout");
        List<String> failed = new ArrayList<>();
        int passed = 0;
        try (var s = Files.list(SUITE)) {
            for (Path p : s.filter(x -> x.toString().endsWith(".data")).sorted().toList()) {
                Conformance.Outcome o = Conformance.run(p.getFileName().toString(), Files.readString(p));
                if (o.passed()) passed++;
                else failed.add(o.file() + ": " + o.detail());
            }
        }
        assertTrue(passed >= 311, passed + " passed; failed: " + failed);
        assertEquals(List.of(), failed, "kstep passes all of them");
    }

    @Test
    void aResultMismatchIsReportedWithBothValues() {
        Conformance.Outcome o = Conformance.run("t.data", "-- asm\nmov %r0, 2\nexit\n-- result\n0x3\n");
        assertEquals("expected 0x3, got r0 = 0x2", o.detail());
        Conformance.Outcome m = Conformance.run("m.data", "-- asm\nldxw %r0, [%r1+2]\nexit\n-- mem\naa bb 11 22 33 44 cc dd\n-- result\n0x44332211\n");
        assertTrue(m.passed(), m.detail());
    }
}
