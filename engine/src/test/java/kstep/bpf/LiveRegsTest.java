package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The "Live regs before insn:" table, loop numbers included, against the one Linux 6.18 printed for each
 * program of the kernel corpus (its {@code -- live_regs} section, read at log level 2).
 */
class LiveRegsTest {
    static java.util.stream.Stream<Path> cases() throws Exception {
        return KernelRunsTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theTableIsTheKernels(Path f) throws Exception {
        String t = Files.readString(f);
        List<String> want = CaseFiles.lines(t, "live_regs");
        KernelRunsTest.Case c = KernelRunsTest.read(f);
        BpfProgram p = new BpfProgram(f.getFileName().toString(), BpfProgram.ProgType.of(c.type()), c.program());
        assertEquals(String.join("\n", want), String.join("\n", LiveRegs.of(p).table()));
    }

    @org.junit.jupiter.api.Test
    void aLegacyPacketLoadReadsEveryRegisterAndAHelperOnlyItsArguments() {
        BpfProgram p = new BpfProgram("t", BpfProgram.ProgType.SOCKET_FILTER, KernelAsm.assemble("t",
            "r6 = r1\nr0 = *(u8 *)skb[0]\nr1 = r10\nr1 += -8\nr2 = 8\ncall bpf_trace_printk#6\nexit"));
        LiveRegs l = LiveRegs.of(p);
        assertEquals("0123456789", l.mask(1));
        assertEquals(".12.......", l.mask(5), "bpf_trace_printk's prototype has two arguments");
        assertEquals("0.........", l.mask(6));
    }
}
