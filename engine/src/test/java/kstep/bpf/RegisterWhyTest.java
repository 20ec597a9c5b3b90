package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The def-use chain behind a register at a verifier step, on the verifier tour's missing NULL check. */
class RegisterWhyTest {
    private static String chain(RegisterWhy.Def d) {
        List<String> parts = new ArrayList<>();
        for (RegisterWhy.Def f : d.from()) parts.add(chain(f));
        return d.name() + "@" + d.insn() + (parts.isEmpty() ? "" : "(" + String.join(" ", parts) + ")");
    }

    @Test
    void theNullableR0ComesFromTheLookupWhoseArgumentsComeFromTheMapAndTheStack() throws Exception {
        Path f = Path.of("../samples/bpf/verifier-tour/3-missing-null-check.s");
        BpfProgram p = ProgramFile.read(f.toString(), Files.readAllBytes(f), false, null).get(0);
        Verifier.Result r = Verifier.verify(p, 2, true, true, KernelVariant.LINUX_6_18, true);
        int last = r.steps().size() - 1;
        RegisterWhy.Def d = RegisterWhy.of(r.steps(), p.insns(), last, 0);
        assertEquals(7, d.insn(), "the call to bpf_map_lookup_elem set R0");
        assertEquals("map_value_or_null(id=1,ks=4,vs=8)", d.value());
        // R1 is the map (insn 5), R2 the key's address fp-4 (insn 4, from R2 = R10 at insn 3); R3-R5 were never set
        assertEquals("R0@7(R1@5 R2@4(R2@3))", chain(d));
        assertNull(RegisterWhy.of(r.steps(), p.insns(), last, 10), "the frame pointer is nobody's doing");
    }

    private static Verifier.Result verify(BpfProgram p) {
        return Verifier.verify(p, 2, true, true, KernelVariant.LINUX_6_18, true);
    }

    @Test
    void aSlotIsDefinedByItsSpillAndAFillLeadsOnToIt() throws Exception {
        Path f = Path.of("../samples/bpf/verifier-tour/3-missing-null-check.s");
        BpfProgram p = ProgramFile.read(f.toString(), Files.readAllBytes(f), false, null).get(0);
        Verifier.Result r = verify(p);
        // the key: a 4-byte store at fp-4, in the slot the table calls fp-8, of what insn 1 read from the packet
        assertEquals("fp-8@2(R2@1(R6@0))", chain(RegisterWhy.ofSlot(r.steps(), p.insns(), r.steps().size() - 1, "fp-8")));
        BpfProgram spill = ProgramFile.read("spill.s", "r1 = 7\n*(u64 *)(r10 -8) = r1\nr2 = *(u64 *)(r10 -8)\nr0 = r2\nexit\n".getBytes(), false, null).get(0);
        Verifier.Result s = verify(spill);
        assertEquals("R0@3(R2@2(fp-8@1(R1@0)))", chain(RegisterWhy.of(s.steps(), spill.insns(), s.steps().size() - 1, 0)));
    }

    @Test
    void aWatchedRegisterOrSlotStopsWhereTheTableShowsItChange() throws Exception {
        Path f = Path.of("../samples/bpf/verifier-tour/3-missing-null-check.s");
        BpfProgram p = ProgramFile.read(f.toString(), Files.readAllBytes(f), false, null).get(0);
        List<VerifierStep> steps = verify(p).steps();
        List<Integer> r2 = new ArrayList<>();
        for (int k = VerifierStop.CHANGED.next(steps, -1, false, "R2"); k >= 0; k = VerifierStop.CHANGED.next(steps, k, false, "R2"))
            r2.add(((VerifierStep.Simulated) steps.get(k)).insn());
        assertEquals(List.of(1, 3, 4, 7), r2, "loaded, set to fp, moved to fp-4, then clobbered by the call (insn 7; the map load takes 5 and 6)");
        assertEquals(1, VerifierStop.CHANGED.count(steps, "fp-8"));
        int k = VerifierStop.CHANGED.next(steps, steps.size() - 1, true, "fp-8");
        assertEquals(2, ((VerifierStep.Simulated) steps.get(k)).insn(), "reverse-continue lands on the store");
        assertEquals("Type the register or stack slot to watch: r3, fp-8, r11-8.", VerifierStop.CHANGED.problem("r12"));
        assertNull(VerifierStop.CHANGED.problem(" FP-16 "));
    }
}
