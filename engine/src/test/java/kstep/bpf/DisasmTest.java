package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The disassembler against the text Linux 6.18's verifier log prints, and the assembler reading it back. */
class DisasmTest {
    private static List<String[]> rows() throws Exception {
        Path f = Path.of(DisasmTest.class.getResource("/bpf/disasm/kernel-log.tsv").toURI());
        List<String[]> out = new ArrayList<>();
        for (String l : Files.readAllLines(f)) if (!l.startsWith("#") && !l.isBlank()) out.add(l.split("\t", 2));
        return out;
    }

    private static List<Insn> slots(String hex) {
        return hex.length() == 16 ? List.of(Insn.ofHex(hex)) : List.of(Insn.ofHex(hex.substring(0, 16)), Insn.ofHex(hex.substring(16)));
    }

    @Test
    void everyEncodingTheKernelLoggedReadsTheSameInKstep() throws Exception {
        List<String> wrong = new ArrayList<>();
        List<String[]> rows = rows();
        for (String[] r : rows) {
            List<Insn> s = slots(r[0]);
            String text = Disasm.text(s.get(0), s.size() > 1 ? s.get(1) : null);
            if (!text.equals(r[1])) wrong.add(r[0] + ": kernel '" + r[1] + "', kstep '" + text + "'");
        }
        assertTrue(rows.size() > 1000, "the table has " + rows.size() + " rows");
        assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())));
    }

    @Test
    void assemblingTheKernelsTextGivesTheSameBytes() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (String[] r : rows()) {
            List<Insn> back = KernelAsm.assemble("log", r[1]);
            if (!back.equals(slots(r[0]))) wrong.add(r[1] + " -> " + ProgramFile.toHex(back).strip());
        }
        assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())));
    }

    @Test
    void theListingSkipsTheSecondSlotOfA64BitLoadAsTheLogDoes() {
        List<Insn> p = KernelAsm.assemble("t", "r1 = 0x1122334455667788\nr0 = r1\nexit\n");
        assertEquals("0: (18) r1 = 0x1122334455667788\n2: (bf) r0 = r1\n3: (95) exit\n", ProgramFile.listing(p));
    }

    @Test
    void helperCallsAreNamedAndUnknownOnesAreUnknown() {
        assertEquals("(85) call bpf_map_lookup_elem#1", Disasm.text(new Insn(0x85, 0, 0, 0, 1), null));
        assertEquals("(85) call bpf_xdp_get_buff_len#188", Disasm.text(new Insn(0x85, 0, 0, 0, 188), null));
        assertEquals("(85) call unknown#999", Disasm.text(new Insn(0x85, 0, 0, 0, 999), null));
        assertEquals("(85) call pc+2", Disasm.text(new Insn(0x85, 0, 1, 0, 2), null));
    }
}
