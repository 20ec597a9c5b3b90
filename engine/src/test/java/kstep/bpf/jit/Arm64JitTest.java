package kstep.bpf.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import kstep.bpf.BpfProgram;
import kstep.bpf.Insn;
import kstep.bpf.KernelAsm;
import kstep.bpf.Verifier;
import kstep.bpf.Xlated;

/**
 * The arm64 JIT: its encodings as arch/arm64/net/bpf_jit_comp.c builds them, checked by llvm's
 * disassembler (the running machine is x86-64, so there is no arm64 kernel to ask), and its branches.
 */
class Arm64JitTest {
    static X86Jit.Image jit(String asm) {
        Verifier.Result r = Verifier.verify(new BpfProgram("t", BpfProgram.ProgType.SOCKET_FILTER, KernelAsm.assemble("t", asm), List.of()), 1, false, true);
        assertTrue(r.accepted(), r.error());
        return jit(r.xlated());
    }

    static X86Jit.Image jit(Xlated x) {
        return Arm64Jit.compile(x.insns(), X86Jit.functions(x.subprogStarts(), x.stackDepths(), x.insns().size()));
    }

    static List<String> texts(X86Jit.Image img, int insn) {
        for (X86Jit.Line l : img.listing()) if (l.insn() == insn) return l.intel();
        return List.of();
    }

    @Test
    void thePrologueSavesTheFrameRecordTheTailCallCounterAndTheRegistersUsed() {
        X86Jit.Image img = jit("r6 = r1\n*(u64 *)(r10 -8) = r6\nr0 = 0\nexit");
        assertEquals(List.of("bti jc", "add x9, x30, #0", "nop", "paciasp", "stp x29, x30, [sp, #-16]!", "mov x29, sp", "stp xzr, x26, [sp, #-16]!",
            "mov x26, sp", "bti j", "stp x19, x25, [sp, #-16]!", "mov x25, sp", "sub sp, sp, #16"), texts(img, -1), "r6 and the frame pointer: x19 and x25");
        assertEquals(List.of("str x19, [sp, #8]"), texts(img, 1), "fp-8 is sp+8 below a 16-byte stack");
        assertEquals(List.of("add sp, sp, #16", "ldp x19, x25, [sp], #16", "ldp xzr, x26, [sp], #16", "ldp x29, x30, [sp], #16", "add x0, x7, #0",
            "autiasp", "ret", "ldr x10, 0x" + Integer.toHexString(img.listing().get(img.listing().size() - 1).offset() + 4 * 7 + 8), "br x10"),
            texts(img, -2), "the last exit falls through into the epilogue, then the PLT");
    }

    @Test
    void immediatesUseMovzMovnAndMovkAndLogicalImmediatesWhenTheyEncode() {
        X86Jit.Image img = jit("r0 = 5\nr1 = -1\nr2 = 74565\nr0 &= 0xff\nr0 |= 0x12345\nr0 += 4096\nr0 -= -7\nexit");
        assertEquals(List.of("mov x7, #5"), texts(img, 0));
        assertEquals(List.of("mov x0, #-1"), texts(img, 1));
        assertEquals(List.of("mov x1, #9029", "movk x1, #1, lsl #16"), texts(img, 2));
        assertEquals(List.of("and x7, x7, #0xff"), texts(img, 3), "0xff is a logical immediate");
        assertEquals(List.of("mov x10, #9029", "movk x10, #1, lsl #16", "orr x7, x7, x10"), texts(img, 4), "0x12345 is not");
        assertEquals(List.of("add x7, x7, #1, lsl #12"), texts(img, 5));
        assertEquals(List.of("add x7, x7, #7"), texts(img, 6), "subtracting -7 adds 7");
    }

    @Test
    void divisionIsOneInstructionAndModuloTwo() {
        X86Jit.Image img = jit("r0 = *(u32 *)(r1 +0)\nr2 = 7\nr3 = 100\nr3 %= r2\nr0 /= r2\nexit");
        // the verifier's guards stay: r2 is not known non-zero to them
        boolean udiv = false, msub = false;
        for (X86Jit.Line l : img.listing()) for (String t : l.intel()) {
            udiv |= t.equals("udiv x7, x7, x1");
            msub |= t.equals("msub x2, x10, x1, x2");
        }
        assertTrue(udiv && msub, "r0 /= r2 is udiv; r3 %= r2 is udiv x10 then msub");
    }

    @Test
    void everyBranchLandsOnTheFirstInstructionOfItsTarget() throws Exception {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of(Arm64JitTest.class.getResource("/bpf/jit").toURI()))) {
            s.filter(p -> p.toString().endsWith(".case")).sorted().forEach(files::add);
        }
        int branches = 0;
        for (Path f : files) {
            String text = Files.readString(f);
            List<Insn> insns = new ArrayList<>();
            for (String h : JitCorpusTest.section(text, "program")) insns.add(Insn.ofHex(h));
            BpfProgram.ProgType type = BpfProgram.ProgType.of(text.split("\n-- type ", 2)[1].split("\n", 2)[0].trim());
            Xlated x = Verifier.verify(new BpfProgram("t", type, insns, List.of()), 1, false, true).xlated();
            X86Jit.Image img = jit(x);
            Map<Integer, Integer> start = new HashMap<>();
            int epilogue = -1;
            for (X86Jit.Line l : img.listing()) {
                if (l.insn() >= 0 && !start.containsKey(l.insn())) start.put(l.insn(), l.offset());
                if (l.insn() == -2 && epilogue < 0) epilogue = l.offset();
            }
            int fnEnd = x.subprogStarts().size() > 1 ? x.subprogStarts().get(1) : x.insns().size();
            for (X86Jit.Line l : img.listing()) {
                if (l.insn() < 0 || l.insn() >= fnEnd || l.intel().isEmpty()) continue;
                Insn in = x.insns().get(l.insn());
                String last = l.intel().get(l.intel().size() - 1);
                boolean jump = (in.cls() == Insn.JMP || in.cls() == Insn.JMP32) && in.op() != Insn.CALL && in.op() != Insn.EXIT;
                if (jump) {
                    int t = l.insn() + (in.cls() == Insn.JMP32 && in.op() == Insn.JA ? in.imm() : in.off()) + 1;
                    assertTrue(last.endsWith(" 0x" + Integer.toHexString(start.get(t))), f.getFileName() + " insn " + l.insn() + ": " + last);
                    branches++;
                } else if (in.op() == Insn.EXIT && in.cls() == Insn.JMP && l.intel().size() == 1) {
                    assertEquals("b 0x" + Integer.toHexString(epilogue), last, f.getFileName() + " insn " + l.insn());
                    branches++;
                }
            }
        }
        assertTrue(branches > 1000, "branches checked: " + branches);
    }

    @Test
    void llvmDisassemblesEveryInstructionToTheListingsText() throws Exception {
        Assumptions.assumeTrue(new java.io.File("/usr/bin/llvm-mc").canExecute(), "llvm-mc is not installed");
        X86Jit.Image img = jit("r6 = r1\nr7 = *(u16 *)(r6 +16)\nr2 = 3\nr7 <<= r2\nr7 s>>= 3\nw7 = (s8)w7\nr7 = be16 r7\n*(u64 *)(r10 -16) = r7\n"
            + "lock *(u64 *)(r10 -16) += r7\nr0 = 1\nr0 = atomic64_fetch_and((u64 *)(r10 -16), r0)\nr0 = 0x123456789a\nif r7 & 0xf0 goto pc+1\nr0 = -r0\nexit");
        StringBuilder in = new StringBuilder();
        List<String> mine = new ArrayList<>();
        for (X86Jit.Line l : img.listing()) {
            for (int i = 0; i < l.intel().size(); i++) {
                byte[] b = l.bytes();
                in.append(String.format("0x%02x 0x%02x 0x%02x 0x%02x\n", b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]));
                mine.add(l.intel().get(i));
            }
        }
        Process p = new ProcessBuilder("llvm-mc", "-disassemble", "-triple=aarch64", "-mattr=+v8.5a,+lse,+pauth,+bti").redirectErrorStream(true).start();
        p.getOutputStream().write(in.toString().getBytes());
        p.getOutputStream().close();
        List<String> od = new ArrayList<>();
        for (String l : new String(p.getInputStream().readAllBytes()).split("\n")) {
            l = l.trim();
            if (!l.isEmpty() && !l.startsWith(".text")) od.add(l.replaceAll("\\s+", " "));
        }
        assertEquals(mine.size(), od.size(), od.toString());
        for (int i = 0; i < mine.size(); i++) {
            String m = mine.get(i);
            // llvm-mc prints branch targets relative to the branch; the listing prints the image offset
            if (m.startsWith("b ") || m.startsWith("b.") || m.startsWith("bl ") || m.startsWith("cbz") || m.startsWith("cbnz") || m.startsWith("ldr x10, 0x")) continue;
            assertEquals(od.get(i), m, "instruction " + i);
        }
    }
}
