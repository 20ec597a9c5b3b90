package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The unused-fields rule a conformant runtime enforces, and the suite's raw-bytes program form. */
class IsaCheckTest {
    private static String check(String... hex) {
        return IsaCheck.check(java.util.Arrays.stream(hex).map(Insn::ofHex).toList());
    }

    @Test
    void anUnusedFieldThatIsNotZeroIsRefusedWithTheKernelsWords() {
        assertEquals("insn 0: BPF_STX uses reserved fields", check("630afcff01000000", "9500000000000000"));
        assertEquals("insn 0: BPF_NEG uses reserved fields", check("8710000000000000", "9500000000000000"));
        assertEquals("insn 1: BPF_EXIT uses reserved fields", check("b700000000000000", "9501000000000000"));
        assertEquals("insn 0: BPF_MOV uses reserved fields", check("b700010000000000", "9500000000000000"));
    }

    @Test
    void theFieldsIsaV4GaveAMeaningAreAllowed() {
        assertNull(check("bf12080000000000", "3f12010000000000", "8d02000000000000", "1801000001000000", "0000000002000000", "9500000000000000"),
            "movsx (off 8), sdiv (off 1), callx, a two-slot 64-bit load");
        assertEquals("insn 0: invalid bpf_ld_imm64 insn", check("1801000001000000", "0001000002000000", "9500000000000000"));
    }

    @Test
    void aRawSectionOfEightBytesALineIsReadAndChecked() {
        Conformance.Outcome o = Conformance.run("n.data", "-- raw\n63 0a fc ff 01 00 00 00\n95 00 00 00 00 00 00 00\n-- error\n");
        assertTrue(o.passed(), o.detail());
        assertEquals("error as expected: insn 0: BPF_STX uses reserved fields", o.detail());
        assertEquals(List.of(Insn.ofHex("b700000002000000"), Insn.ofHex("9500000000000000")),
            Conformance.parse("r.data", "-- raw\nb7 00 00 00 02 00 00 00\n95 00 00 00 00 00 00 00\n-- result\n0x2\n").program());
    }
}
