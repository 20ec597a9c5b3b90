package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * kstep's verifier against Linux 6.18.44's answers for 1,200 programs of tools/bpfverify.py (one case a
 * file under bpf/verifier): the verdict, the error line, the live-regs table, the processed line and the
 * whole log at level 2, with map addresses (which the kernel chooses) blanked on both sides; and for 400
 * more (bpf/verifier-unprivileged) the same loaded by an unprivileged user, whose rules differ (no pointer
 * leaks, no uninitialised stack, all scalars precise, Spectre v1 paths simulated).
 */
class VerifierCorpusTest {
    /** A case: the program and the kernel's answer. */
    record Case(String name, BpfProgram program, boolean accepted, String error, String processed, String log) {
        static Case read(Path f) throws Exception {
            String text = Files.readString(f);
            BpfProgram.ProgType type = BpfProgram.ProgType.of(text.split("\n-- type ", 2)[1].split("\n", 2)[0].trim());
            List<BpfMap> maps = new ArrayList<>();
            if (text.contains("\n-- maps\n")) {
                for (String l : CaseFiles.lines(text, "maps")) {
                    String[] w = l.trim().split(" ");
                    maps.add(new BpfMap("", Integer.parseInt(w[0]), Integer.parseInt(w[1]), Integer.parseInt(w[2]), Integer.parseInt(w[3])));
                }
            }
            List<Insn> insns = new ArrayList<>();
            for (String h : CaseFiles.lines(text, "program")) insns.add(Insn.ofHex(h.trim()));
            boolean accepted = text.split("\n-- accepted ", 2)[1].startsWith("1");
            String error = text.split("\n-- error ?", 2)[1].split("\n", 2)[0].trim();
            String processed = text.split("\n-- processed ?", 2)[1].split("\n", 2)[0].trim();
            String log = text.split("\n-- log\n", 2)[1];
            return new Case(f.getFileName().toString(), new BpfProgram(f.getFileName().toString(), type, insns, maps), accepted, error,
                processed.isEmpty() ? "" : "processed " + processed, log);

        }
    }

    static String normalise(String log) {
        return log.replaceAll("0xffff88[0-9a-f]{10}", "MAP");
    }

    @TestFactory
    Stream<DynamicTest> verifierAnswersAsLinux() throws Exception {
        return answers("/bpf/verifier", true);
    }

    /** 360 programs of tools/bpfsubprog.py: bpf-to-bpf calls, frames, pointers into callers' stacks, stack liveness per call chain. */
    @TestFactory
    Stream<DynamicTest> verifierAnswersAsLinuxForSubprograms() throws Exception {
        return answers("/bpf/subprog", true);
    }

    @TestFactory
    Stream<DynamicTest> verifierAnswersAsLinuxForAnUnprivilegedLoader() throws Exception {
        return answers("/bpf/verifier-unprivileged", false);
    }

    private static Stream<DynamicTest> answers(String dir, boolean privileged) throws Exception {
        return CaseFiles.in(dir).map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Case c = Case.read(f);
            Verifier.Result r = Verifier.verify(c.program(), 2, true, privileged);
            assertEquals(c.accepted(), r.accepted(), "verdict");
            assertEquals(c.error(), r.error(), "error line");
            assertEquals(c.processed(), r.stats(), "processed");
            assertEquals(normalise(c.log()), normalise(r.log()), "log");
        }));
    }

    /**
     * The stack-args kernel on 6.18's programs (none uses R11): its static liveness and poisoning must not
     * change a verdict, and the error only where its own behaviour shows (an infinite loop's "old state" line
     * prints the poisoned slots; its liveness analysis names a call chain too deep for it).
     */
    @TestFactory
    Stream<DynamicTest> theStackArgsKernelGivesTheVerdictsOf618() throws Exception {
        return Stream.concat(CaseFiles.in("/bpf/verifier"), CaseFiles.in("/bpf/subprog")).map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Case c = Case.read(f);
            Verifier.Result r = Verifier.verify(c.program(), 1, false, true, KernelVariant.STACK_ARGS, true);
            assertEquals(c.accepted(), r.accepted(), "verdict");
            if (!c.error().startsWith("old state:") && !c.error().startsWith("the call stack of")) assertEquals(c.error(), r.error(), "error line");
        }));
    }
}
