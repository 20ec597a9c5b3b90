package kstep.bpf.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import kstep.bpf.BpfProgram;
import kstep.bpf.KernelAsm;
import kstep.bpf.Verifier;
import kstep.bpf.Xlated;

/** The x86-64 JIT's encodings, instruction form by instruction form, as the running kernel emitted them (kbpf). */
class X86JitTest {
    static X86Jit.Image jit(String asm) {
        Verifier.Result r = Verifier.verify(new BpfProgram("t", BpfProgram.ProgType.SOCKET_FILTER, KernelAsm.assemble("t", asm), List.of()), 1, false, true);
        assertTrue(r.accepted(), r.error());
        Xlated x = r.xlated();
        return X86Jit.compile(x.insns(), X86Jit.functions(x.subprogStarts(), x.stackDepths(), x.insns().size()));
    }

    /** The bytes of BPF instruction {@code insn}. */
    static String bytesOf(X86Jit.Image img, int insn) {
        for (X86Jit.Line l : img.listing()) {
            if (l.insn() != insn) continue;
            StringBuilder b = new StringBuilder();
            for (byte x : l.bytes()) b.append(String.format("%02x", x & 0xff));
            return b.toString();
        }
        return "";
    }

    static List<String> intel(X86Jit.Image img, int insn) {
        for (X86Jit.Line l : img.listing()) if (l.insn() == insn) return l.intel();
        return List.of();
    }

    @Test
    void thePrologueIsTwoNopsAFramePointerAndOnlyTheCalleeSavedRegistersUsed() {
        X86Jit.Image img = jit("r6 = 1\nr0 = r6\nexit");
        assertEquals("0f1f4400000f1f00554889e553", bytesOf(img, -1), "nop5 nop3 push rbp; mov rbp,rsp; push rbx for r6");
        assertEquals(List.of("pop rbx", "leave", "jmp __x86_return_thunk"), intel(img, 2));
        X86Jit.Image stack = jit("*(u64 *)(r10 -8) = 1\nr0 = *(u64 *)(r10 -8)\nexit");
        assertEquals("0f1f4400000f1f00554889e54881ec08000000", bytesOf(stack, -1), "sub rsp,8 for an 8-byte stack");
        assertEquals("48c745f801000000", bytesOf(stack, 0));
    }

    @Test
    void immediatesTakeTheShortestForm() {
        X86Jit.Image img = jit("r0 = 0\nr1 = -1\nr2 = 7\nw3 = -1\nr0 += 1\nr0 += 1000\nr4 = 2\nr4 += 1000\nexit");
        assertEquals("31c0", bytesOf(img, 0), "xor eax,eax for zero");
        assertEquals("48c7c7ffffffff", bytesOf(img, 1), "a negative 64-bit move sign-extends imm32");
        assertEquals("be07000000", bytesOf(img, 2), "mov esi,7 zero-extends");
        assertEquals("baffffffff", bytesOf(img, 3), "a 32-bit move of -1 is mov edx,0xffffffff");
        assertEquals("4883c001", bytesOf(img, 4), "imm8 form");
        assertEquals("4805e8030000", bytesOf(img, 5), "rax has the short imm32 form");
        assertEquals("4881c1e8030000", bytesOf(img, 7));
    }

    @Test
    void shiftsByARegisterUseBmi2AndDivisionSavesRaxAndRdx() {
        X86Jit.Image img = jit("r0 = 1\nr2 = 3\nr0 <<= r2\nr0 = 9\nr2 = *(u32 *)(r1 +0)\nr0 /= r2\nr1 = 5\nr1 %= r2\nexit");
        assertEquals("c4e2c9f7c0", bytesOf(img, 2), "shlx rax,rax,rsi");
        assertEquals(List.of("shlx rax,rax,rsi"), intel(img, 2));
        // the verifier guards the divisor: if r2 != 0 goto +2; w0 ^= w0; goto +1; r0 /= r2
        assertEquals("4885f67504", bytesOf(img, 5), "test rsi,rsi; jne over the zeroing");
        assertEquals("5231d248f7f65a", bytesOf(img, 8), "push rdx; xor edx,edx; div rsi; pop rdx (dst is rax)");
        assertEquals(List.of("push rax", "push rdx", "mov rax,rdi", "xor edx,edx", "div rsi", "mov rdi,rdx", "pop rdx", "pop rax"), intel(img, 11));
    }

    @Test
    void aJumpFurtherThan123BytesTakesTheLongFormAndASecondExitJumpsToTheFirst() {
        StringBuilder b = new StringBuilder("r0 = *(u32 *)(r1 +0)\nif r0 == 0x1 goto pc+40\n");
        for (int i = 0; i < 40; i++) b.append("r0 += 1000\n");
        b.append("exit\n");
        X86Jit.Image far = jit(b + "");
        assertTrue(bytesOf(far, 1).startsWith("4883f8010f84"), "cmp rax,1; je rel32: " + bytesOf(far, 1));
        X86Jit.Image near = jit("r0 = *(u32 *)(r1 +0)\nif r0 == 0x1 goto pc+2\nr0 = 2\nexit\nr0 = 3\nexit");
        assertTrue(bytesOf(near, 1).matches("4883f80174.."), "je rel8: " + bytesOf(near, 1));
        assertTrue(bytesOf(near, 5).startsWith("eb"), "the second exit jumps back to the first's epilogue: " + bytesOf(near, 5));
    }

    @Test
    void atomicsAndByteSwaps() {
        X86Jit.Image img = jit("r1 = 1\n*(u64 *)(r10 -8) = r1\nlock *(u64 *)(r10 -8) += r1\nr2 = 7\nr2 = be16 r2\nr3 = 5\nr3 = be64 r3\nr0 = 0\nexit");
        assertEquals("f048017df8", bytesOf(img, 2), "lock add QWORD PTR [rbp-0x8],rdi");
        assertEquals(List.of("ror si,0x8", "movzx esi,si"), intel(img, 4));
        assertEquals(List.of("bswap rdx"), intel(img, 6));
    }

    @Test
    void theListingIsWhatObjdumpPrints() throws IOException, InterruptedException {
        Assumptions.assumeTrue(new java.io.File("/usr/bin/objdump").canExecute(), "objdump is not installed");
        X86Jit.Image img = jit("r6 = r1\nr2 = 3\nr0 = r2\nr0 <<= r2\nr0 s>>= 7\nw0 = (s8)w0\n*(u32 *)(r10 -4) = r0\nr1 = *(u16 *)(r10 -4)\nif r1 > r0 goto pc+1\nr0 = -r0\nexit");
        Path f = Files.createTempFile("kstep-jit", ".bin");
        Files.write(f, img.bytes());
        for (boolean isIntel : new boolean[] {true, false}) {
            List<String> cmd = new ArrayList<>(List.of("objdump", "-D", "-b", "binary", "-m", "i386:x86-64"));
            if (isIntel) cmd.addAll(List.of("-M", "intel"));
            cmd.add(f.toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            List<String> od = new ArrayList<>();
            for (String l : new String(p.getInputStream().readAllBytes()).split("\n")) {
                String[] w = l.split("\t");
                if (w.length >= 3 && w[0].trim().endsWith(":")) od.add(w[2].trim().replaceAll("\\s+", " ").replaceAll(" <.*>", ""));
            }
            p.waitFor();
            List<String> mine = new ArrayList<>();
            for (X86Jit.Line l : img.listing()) mine.addAll(isIntel ? l.intel() : l.att());
            assertEquals(od.size(), mine.size());
            for (int i = 0; i < od.size(); i++) {
                if (mine.get(i).contains("__x86_return_thunk")) continue;
                assertEquals(od.get(i), mine.get(i), (isIntel ? "Intel" : "AT&T") + " instruction " + i);
            }
        }
        Files.delete(f);
    }

    @Test
    void theStackArgsKernelsArgumentsTravelInR9AndInSlotsAboveTheReturnAddress() {
        String asm = "*(u64 *)(r11 -8) = 5\n*(u64 *)(r11 -16) = 6\nr1 = 1\n*(u64 *)(r11 -24) = r1\ncall pc+2\nr0 = 0\nexit\n"
            + "r0 = *(u64 *)(r11 +16)\nr1 = *(u64 *)(r11 +24)\nr0 += r1\nr1 = *(u64 *)(r11 +8)\nr0 += r1\nexit";
        Verifier.Result r = Verifier.verify(new BpfProgram("t", BpfProgram.ProgType.SOCKET_FILTER, KernelAsm.assemble("t", asm), List.of()), 1, false, true,
            kstep.bpf.KernelVariant.STACK_ARGS, true);
        assertTrue(r.accepted(), r.error());
        Xlated x = r.xlated();
        X86Jit.Image img = X86Jit.compile(x.insns(), X86Jit.functions(x.subprogStarts(), x.stackDepths(), x.insns().size()));
        assertEquals(List.of("nop DWORD PTR [rax+rax*1+0x0]", "nop DWORD PTR [rax]", "push rbp", "mov rbp,rsp", "sub rsp,0x10"), intel(img, -1),
            "the caller keeps room for its arguments 7 and 8 at the bottom of its frame");
        assertEquals(List.of("mov r9d,0x5"), intel(img, 0), "argument 6 in r9, as the series does");
        assertEquals(List.of("mov QWORD PTR [rsp+0x0],0x6"), intel(img, 1));
        assertEquals(List.of("mov QWORD PTR [rsp+0x8],rdi"), intel(img, 3));
        assertEquals(List.of("mov rax,QWORD PTR [rbp+0x10]"), intel(img, 7), "the callee finds argument 7 above its return address");
        assertEquals(List.of("mov rdi,r9"), intel(img, 10));
        assertTrue(intel(img, 6).contains("add rsp,0x10"));
    }
}
