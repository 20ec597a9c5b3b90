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
        return "R" + d.reg() + "@" + d.insn() + (parts.isEmpty() ? "" : "(" + String.join(" ", parts) + ")");
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
}
