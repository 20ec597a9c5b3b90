package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import kstep.lang.SourceError;

/** The two assembly syntaxes: what they produce, and errors that name line and column. */
class AsmTest {
    @Test
    void ubpfSyntaxWithLabelsAndMemoryOperands() {
        List<Insn> p = UbpfAsm.assemble("t.s", "mov %r0, 1\nldxw %r1, [%r1+2]\njne %r1, 5, out\nlock fetch add32 [%r10-4], %r1\nout:\nexit\n");
        assertEquals("b700000001000000\n6111020000000000\n5501010005000000\nc31afcff01000000\n9500000000000000\n", ProgramFile.toHex(p));
    }

    @Test
    void aBadUbpfLineNamesLineAndColumn() {
        SourceError e = assertThrows(SourceError.class, () -> UbpfAsm.assemble("t.s", "mov %r0, 1\nadd %r0, %r11\n"));
        assertEquals("t.s:2:10: error: expected a register %r0..%r10, not '%r11'", e.getMessage());
        SourceError l = assertThrows(SourceError.class, () -> UbpfAsm.assemble("t.s", "ja nowhere\nexit\n"));
        assertEquals("t.s:1:4: error: unknown label 'nowhere'", l.getMessage());
    }

    @Test
    void theKernelsSyntaxReadsWithOrWithoutIndexAndOpcode() {
        List<Insn> a = KernelAsm.assemble("t", "0: (bf) r6 = r1\n1: (79) r1 = *(u64 *)(r10 -8)   ; R1=scalar()\n");
        List<Insn> b = KernelAsm.assemble("t", "r6 = r1\nr1 = *(u64 *)(r10 -8)\n");
        assertEquals(a, b);
    }

    @Test
    void aBadKernelSyntaxLineNamesLineAndColumn() {
        SourceError e = assertThrows(SourceError.class, () -> KernelAsm.assemble("p.s", "r0 = 1\n   3: (07) r0 +== 1\n"));
        assertEquals("p.s:2:12: error: cannot read 'r0 +== 1' as a BPF instruction", e.getMessage());
        SourceError w = assertThrows(SourceError.class, () -> KernelAsm.assemble("p.s", "r1 += w2\n"));
        assertEquals("p.s:1:1: error: both registers are r (64-bit) or both w (32-bit)", w.getMessage());
    }

    @Test
    void anOpcodeThatDisagreesWithTheTextIsAnError() {
        SourceError e = assertThrows(SourceError.class, () -> KernelAsm.assemble("p.s", "0: (bf) r0 = 1\n"));
        assertEquals("p.s:1:5: error: the text is opcode b7, not the (bf) it is marked with", e.getMessage());
    }

    @Test
    void aHelperNameMustMatchItsId() {
        SourceError e = assertThrows(SourceError.class, () -> KernelAsm.assemble("p.s", "call bpf_map_lookup_elem#2\n"));
        assertEquals("p.s:1:1: error: bpf_map_lookup_elem is helper #1, not #2", e.getMessage());
    }

    @Test
    void disassemblingAndAssemblingAgainGivesTheProgramBack() throws Exception {
        for (java.nio.file.Path f : KernelRunsTest.cases().toList()) {
            List<Insn> p = KernelRunsTest.read(f).program();
            StringBuilder text = new StringBuilder();
            for (String s : Disasm.program(p)) if (s != null) text.append(s).append('\n');
            assertEquals(p, KernelAsm.assemble(f.toString(), text.toString()), f.toString());
        }
    }
}
