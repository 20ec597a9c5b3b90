package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verifier's checks before simulation against Linux 6.18's log for broken programs (tools/bpfstruct.py):
 * the whole log when the program fails them, and through the live-regs table when it passes.
 */
class StructureTest {
    static Stream<Path> cases() throws Exception {
        return CaseFiles.in("/bpf/structure");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theLogIsTheKernels(Path f) throws Exception {
        String t = Files.readString(f);
        List<String> want = CaseFiles.lines(t, "log");
        BpfProgram p = new BpfProgram("t", BpfProgram.ProgType.SOCKET_FILTER, ProgramFile.hex(f.toString(), CaseFiles.section(t, "program")));
        Structure.Result r = Structure.check(p, 2);
        assertEquals(String.join("\n", want), String.join("\n", r.log()));
    }
}
