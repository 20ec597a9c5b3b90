package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random programs (tools/bpfgen.py) test-run on Linux 6.18 with kbpf: kstep's interpreter must return the
 * kernel's retval for each, on the same packet. One case a file, so a failure can be replayed alone with
 * {@code kstep bpf run --hex --type T --data D}.
 */
class KernelRunsTest {
    record Case(Path file, String type, byte[] data, List<Insn> program, long retval) { }

    static Stream<Path> cases() throws Exception {
        return CaseFiles.in("/bpf/kernel-runs");
    }

    static Case read(Path f) throws IOException {
        String type = null;
        String data = null;
        long ret = -1;
        StringBuilder prog = new StringBuilder();
        boolean inProg = false;
        for (String l : Files.readAllLines(f)) {
            if (l.startsWith("-- type ")) type = l.substring(8).strip();
            else if (l.startsWith("-- data ")) data = l.substring(8).strip();
            else if (l.startsWith("-- retval ")) ret = Long.parseLong(l.substring(10).strip());
            else if (l.startsWith("-- program")) inProg = true;
            else if (l.startsWith("--")) inProg = false;
            else if (inProg) prog.append(l).append('\n');
        }
        byte[] d = new byte[data.length() / 2];
        for (int i = 0; i < d.length; i++) d[i] = (byte) Integer.parseInt(data.substring(2 * i, 2 * i + 2), 16);
        return new Case(f, type, d, ProgramFile.hex(f.toString(), prog.toString()), ret);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theInterpreterReturnsWhatTheKernelReturned(Path f) throws IOException {
        Case c = read(f);
        Vm.Result r = TestRun.run(new BpfProgram(f.getFileName().toString(), BpfProgram.ProgType.of(c.type()), c.program()), c.data(), 1);
        assertTrue(r.ok(), () -> "error at insn " + r.errorPc() + ": " + r.error());
        assertEquals(c.retval(), r.retval());
    }

    /** The same programs through kstep's verifier: accepted, with the kernel's "processed ..." statistics line. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theVerifierAcceptsThemWithTheKernelsStatistics(Path f) throws IOException {
        Case c = read(f);
        String processed = null;
        for (String l : Files.readAllLines(f)) if (l.startsWith("-- processed ")) processed = l.substring(3).strip();
        Verifier.Result r = Verifier.verify(new BpfProgram(f.getFileName().toString(), BpfProgram.ProgType.of(c.type()), c.program()), 1, false);
        assertTrue(r.accepted(), r.error());
        assertEquals(processed, r.stats());
    }

    @org.junit.jupiter.api.Test
    void theCorpusCoversBothTypesAndEveryInstructionClass() throws Exception {
        List<Case> all = new ArrayList<>();
        for (Path p : cases().toList()) all.add(read(p));
        assertTrue(all.size() >= 500, "at least 500 kernel-recorded programs, not " + all.size());
        assertTrue(all.stream().anyMatch(c -> c.type().equals("xdp")));
        boolean[] classes = new boolean[8];
        for (Case c : all) for (Insn in : c.program()) classes[in.cls()] = true;
        for (int i = 0; i < 8; i++) assertTrue(classes[i], "class " + i);
    }
}
