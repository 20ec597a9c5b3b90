package kstep.bpf.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import kstep.bpf.BpfProgram;
import kstep.bpf.Insn;
import kstep.bpf.Verifier;
import kstep.bpf.Xlated;

/**
 * kstep's verifier rewrites and x86-64 JIT against Linux 6.18.44's (tools/bpfjit.py: 800 programs of the
 * verifier corpora loaded again with kbpf, one case a file under bpf/jit): the xlated image byte for byte,
 * and the JIT image byte for byte but for the rel32 of calls and of the jump to the return thunk, which
 * point where the kernel put its helpers and its image.
 */
class JitCorpusTest {
    static List<String> section(String text, String name) {
        String body = text.split("\n-- " + name + "\n", 2)[1].split("\n-- ", 2)[0];
        List<String> out = new ArrayList<>();
        for (String l : body.split("\n")) if (!l.isBlank()) out.add(l.trim());
        return out;
    }

    /** The image with every external rel32 blanked, as hex. */
    static String normalised(String hex, List<Integer> external) {
        char[] c = hex.toCharArray();
        for (int off : external) for (int i = off * 2; i < off * 2 + 8 && i < c.length; i++) c[i] = '.';
        return new String(c);
    }

    @TestFactory
    Stream<DynamicTest> xlatedAndJitedImagesAreTheKernels() throws Exception {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of(JitCorpusTest.class.getResource("/bpf/jit").toURI()))) {
            s.filter(p -> p.toString().endsWith(".case")).sorted().forEach(files::add);
        }
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            String text = Files.readString(f);
            BpfProgram.ProgType type = BpfProgram.ProgType.of(text.split("\n-- type ", 2)[1].split("\n", 2)[0].trim());
            List<Insn> insns = new ArrayList<>();
            for (String h : section(text, "program")) insns.add(Insn.ofHex(h));
            Verifier.Result r = Verifier.verify(new BpfProgram(f.getFileName().toString(), type, insns, List.of()), 1, false, true);
            Xlated x = r.xlated();
            assertEquals(String.join("", section(text, "xlated")), x.hex(), "xlated");
            X86Jit.Image img = X86Jit.compile(x.insns(), X86Jit.functions(x.subprogStarts(), x.stackDepths(), x.insns().size()));
            String kernel = String.join("", section(text, "jited"));
            assertEquals(normalised(kernel, img.externalRel32()), normalised(img.hex(), img.externalRel32()), "jited");
        }));
    }
}
