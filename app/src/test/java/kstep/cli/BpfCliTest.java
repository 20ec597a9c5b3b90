package kstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kstep bpf: asm, disasm, run, conformance and compare as a user types them. */
class BpfCliTest {
    static CliTest.Out kstep(String... args) {
        return CliTest.kstep(args);
    }

    @Test
    void asmWritesKbpfsHexAndDisasmReadsItBack(@TempDir Path dir) throws Exception {
        Path s = dir.resolve("p.s");
        Files.writeString(s, "r0 = 2\nif r0 == 0x2 goto pc+1\nr0 = 0\nexit\n");
        CliTest.Out a = kstep("bpf", "asm", s.toString());
        assertEquals(0, a.code(), a.err());
        assertEquals("b700000002000000\n1500010002000000\nb700000000000000\n9500000000000000\n", a.out());
        Path h = dir.resolve("p.hex");
        Files.writeString(h, a.out());
        CliTest.Out d = kstep("bpf", "disasm", "--hex", h.toString());
        assertEquals("0: (b7) r0 = 2\n1: (15) if r0 == 0x2 goto pc+1\n2: (b7) r0 = 0\n3: (95) exit\n", d.out());
    }

    @Test
    void runPrintsOneJsonLineAProgramWithTheRetvalOrTheError(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("ok.hex");
        Files.writeString(ok, "61100000000000009500000000000000".replaceAll("(.{16})", "$1\n"));
        Path bad = dir.resolve("bad.hex");
        Files.writeString(bad, "b70a000000000000\n9500000000000000\n");
        Path garbage = dir.resolve("garbage.hex");
        Files.writeString(garbage, "b700000002000000\nnot hex at all!!\n");
        CliTest.Out r = kstep("bpf", "run", "--hex", "--json", ok.toString(), bad.toString(), garbage.toString());
        String[] lines = r.out().split("\n");
        assertEquals("{\"file\":\"" + ok + "\",\"retval\":50}", lines[0], "len of 64 bytes less the Ethernet header");
        assertEquals("{\"file\":\"" + bad + "\",\"error\":\"frame pointer is read only (insn 0)\"}", lines[1]);
        assertEquals("{\"file\":\"" + garbage + "\",\"error\":\"" + garbage + ":2:1: error: expected 16 hex digits (the 8 bytes of a struct bpf_insn), not 'not hex at all!!'\"}", lines[2]);
        assertEquals(Cli.BAD_INPUT, r.code());
    }

    @Test
    void runTakesAPacketATypeAndAnElfObjectAndCanTrace() throws Exception {
        CliTest.Out r = kstep("bpf", "run", "--json", "--data", "00000000000000000000000008004500001c000000004011000000000000000000000000000900080000",
            "../samples/bpf/xdp_filter.o");
        assertEquals("{\"file\":\"../samples/bpf/xdp_filter.o\",\"retval\":1}", r.out().strip());
        CliTest.Out t = kstep("bpf", "run", "--trace", "../samples/bpf/xdp_filter.o");
        assertTrue(t.out().startsWith("0: (61) r2 = *(u32 *)(r1 +4)"), t.out());
        assertTrue(t.out().contains("\n  10: (18) r0 = 0xffffffff"), "the subprogram's steps are indented a level");
    }

    @Test
    void conformanceEndsWithTheCounts(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.data"), "-- asm\nmov %r0, 3\nexit\n-- result\n0x3\n");
        Files.writeString(dir.resolve("b.data"), "-- asm\nmov %r0, 2\nexit\n-- result\n0x3\n");
        CliTest.Out r = kstep("bpf", "conformance", dir.toString());
        assertEquals("FAIL " + dir.resolve("b.data") + ": expected 0x3, got r0 = 0x2\n1 passed, 1 failed\n", r.out());
        assertEquals(Cli.FOUND, r.code());
    }

    @Test
    void compareShowsTheKernelsAnswerBesideKsteps() throws Exception {
        boolean linuxRoot = System.getProperty("os.name").equals("Linux") && "root".equals(System.getProperty("user.name"));
        Assumptions.assumeTrue(linuxRoot && Files.isExecutable(Path.of("/usr/bin/cc")), "needs Linux, root and cc");
        CliTest.Out r = kstep("bpf", "compare", "--json", "../samples/bpf/count_protocols.o", "../samples/bpf/xdp_filter.o", "../samples/bpf/checksum.o");
        assertEquals(0, r.code(), r.out() + r.err());
        for (String l : r.out().split("\n")) assertTrue(l.contains("\"kernel_accepted\":true") && l.endsWith("\"same\":true}"), l);
    }

    @Test
    void verifyPrintsTheKernelsLogAndExitsThreeOnARejection(@TempDir Path dir) throws Exception {
        Path s = dir.resolve("p.s");
        Files.writeString(s, "r0 = r3\nexit\n");
        CliTest.Out r = kstep("bpf", "verify", s.toString());
        assertEquals(Cli.FOUND, r.code(), r.err());
        assertEquals("func#0 @0\nLive regs before insn:\n      0: ...3...... (bf) r0 = r3\n      1: 0......... (95) exit\n0: R1=ctx() R10=fp0\n"
            + "0: (bf) r0 = r3\nR3 !read_ok\nprocessed 1 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n", r.out());
    }

    @Test
    void verifyJsonIsOneLineAProgramWithVerdictErrorTableAndCount(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("ok.hex");
        Files.writeString(ok, "b700000000000000\n9500000000000000\n");
        Path bad = dir.resolve("bad.hex");
        Files.writeString(bad, "bfa0000000000000\n0700000008000000\n7a00000000000000\nb700000000000000\n9500000000000000\n");
        Path garbage = dir.resolve("garbage.hex");
        Files.writeString(garbage, "b700000002000000\nnot hex at all!!\n");
        CliTest.Out r = kstep("bpf", "verify", "--json", "--hex", "--log-level", "1", ok.toString(), bad.toString(), garbage.toString());
        String[] lines = r.out().split("\n");
        assertEquals(3, lines.length, r.out());
        assertEquals("{\"file\":\"" + ok + "\",\"accepted\":true,\"error\":\"\",\"log\":\"processed 2 insns (limit 1000000) max_states_per_insn 0"
            + " total_states 0 peak_states 0 mark_read 0\\n\",\"live_regs\":{\"0\":\"..........\",\"1\":\"0.........\"},\"processed\":2,\"stack_live\":[],\"xlated\":\"b7000000000000009500000000000000\"}", lines[0]);
        assertTrue(lines[1].contains("\"accepted\":false,\"error\":\"invalid write to stack R0 off=8 size=8\""), lines[1]);
        assertTrue(lines[1].endsWith("\"processed\":3,\"stack_live\":[],\"xlated\":\"\"}"), lines[1]);
        assertTrue(lines[2].startsWith("{\"file\":\"" + garbage + "\",\"input_error\":\"" + garbage + ":2:1:"), lines[2]);
        assertEquals(Cli.BAD_INPUT, r.code());
    }

    @Test
    void verifyJsonListsTheStackLivenessLinesInTheKernelsOrder(@TempDir Path dir) throws Exception {
        Path s = dir.resolve("p.s");
        Files.writeString(s, "r0 = 0\nr2 = r10\nr2 += -8\n*(u64 *)(r2 +0) = r0\nr3 = *(u32 *)(r1 +0)\nif r3 > 0x5 goto pc+2\nr0 = 1\nexit\nr0 = r3\nexit\n");
        String line = kstep("bpf", "verify", "--json", "--log-level", "1", s.toString()).out();
        assertTrue(line.contains("\"stack_live\":[\"(0) frame 0 insn 3 +written -8 \",\"(0) frame 0 insn 0 +written -8 \"],\"xlated\":"), line);
    }

    @Test
    void verifyKernelStackArgsRunsTheSeriesAndAFilesKernelLineChoosesWhenNoneIsGiven(@TempDir Path dir) throws Exception {
        String sample = "../samples/bpf/stack-args-liveness/2-with-stack-args.s";
        String json = kstep("bpf", "verify", "--json", sample).out();
        assertTrue(json.contains("\"kernel\":\"stack-args\",\"accepted\":true"), json);
        assertTrue(json.contains("call pc+4                   ; use: fp0-8"), "stack_live holds the stack use/def lines: " + json);
        String forced = kstep("bpf", "verify", "--json", "--kernel", "6.18", sample).out();
        assertTrue(forced.contains("\"accepted\":false,\"error\":\"R11 is invalid\"") && !forced.contains("\"kernel\""), "6.18's line is as before: " + forced);
        String unpatched = kstep("bpf", "verify", "--log-level", "1", "--kernel", "stack-args-unpatched", sample).out();
        assertTrue(unpatched.contains("invalid read from poisoned stack frame0 off -8+0 size 8"), unpatched);
        String interp = kstep("bpf", "verify", "--log-level", "1", "--no-jit", sample).out();
        assertTrue(interp.contains("stack arguments are only supported by the JIT"), interp);
        Path bad = dir.resolve("bad.s");
        Files.writeString(bad, "// kernel 7.0\nr0 = 0\nexit\n");
        CliTest.Out err = kstep("bpf", "verify", bad.toString());
        assertEquals(Cli.BAD_INPUT, err.code());
        assertTrue(err.err().contains(bad + ":1:11: error: unknown kernel variant '7.0' (known: 6.18, stack-args, stack-args-unpatched)"), err.err());
    }

    @Test
    void jitPrintsEachInstructionWithItsMachineCodeAndJsonHasTheImages(@TempDir Path dir) throws Exception {
        Path s = dir.resolve("p.s");
        Files.writeString(s, "r6 = r1\nr0 = *(u32 *)(r6 +0)\nif r0 > 0x40 goto pc+2\nr0 <<= 2\nexit\ncall bpf_get_prandom_u32#7\nr0 &= 0xff\nexit\n");
        CliTest.Out r = kstep("bpf", "jit", s.toString());
        assertEquals(Cli.OK, r.code(), r.err());
        assertTrue(r.out().contains("   1: (61) r0 = *(u32 *)(r6 +112)\n          10:  8b 43 70                       mov eax,DWORD PTR [rbx+0x70]\n"),
            "skb->len is the kernel's sk_buff len at +112: " + r.out());
        assertTrue(r.out().contains("   5: (85) call bpf_get_prandom_u32#7\n"), r.out());
        assertTrue(r.out().contains("2f:  eb ec                          jmp 0x1d"), "the second exit jumps to the first one's epilogue: " + r.out());
        String att = kstep("bpf", "jit", "--att", s.toString()).out();
        assertTrue(att.contains("mov 0x70(%rbx),%eax"), att);
        String json = kstep("bpf", "jit", "--json", s.toString()).out();
        assertTrue(json.startsWith("{\"file\":\"" + s + "\",\"xlated\":\"bf16000000000000616070000000000025000200400000006700000002000000"), json);
        assertTrue(json.contains("\"jited\":\"0f1f4400000f1f00554889e5534889fb8b4370"), json);
        assertTrue(json.contains("{\"insn\":3,\"offset\":25,\"bytes\":\"48c1e002\",\"asm\":[\"shl rax,0x2\"],\"att\":[\"shl $0x2,%rax\"]}"), json);
        CliTest.Out arm = kstep("bpf", "jit", "--arch", "arm64", s.toString());
        assertTrue(arm.out().contains("   1: (61) r0 = *(u32 *)(r6 +112)\n          2c:  b9407267                       ldr w7, [x19, #112]\n"), arm.out());
        assertTrue(arm.out().contains("bl <helper>") && arm.out().contains("epilogue\n"), arm.out());
        assertTrue(kstep("bpf", "jit", "--arch", "arm64", "--compare", s.toString()).err().contains("--compare asks the running kernel, whose JIT is x86-64's"));
        Path bad = dir.resolve("bad.s");
        Files.writeString(bad, "r0 = r5\nexit\n");
        CliTest.Out rej = kstep("bpf", "jit", bad.toString());
        assertEquals(Cli.FOUND, rej.code());
        assertTrue(rej.err().contains("the verifier rejects it: R5 !read_ok"), rej.err());
    }

    @Test
    void jitCompareAgreesWithTheRunningKernelsImages(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && new java.io.File("/proc/sys/net/core/bpf_jit_enable").exists(), "needs root on Linux");
        Path s = dir.resolve("p.s");
        Files.writeString(s, "r6 = r1\nr2 = *(u32 *)(r6 +0)\nr0 = 100\nr0 /= r2\nr3 = r0\nr3 s>>= r2\n*(u64 *)(r10 -16) = r3\nlock *(u64 *)(r10 -16) += r0\nr0 = *(u64 *)(r10 -16)\nexit\n");
        CliTest.Out r = kstep("bpf", "jit", "--compare", s.toString());
        assertTrue(r.out().contains("kernel: the same xlated and jited images"), r.out() + r.err());
        assertEquals(Cli.OK, r.code());
    }

    @Test
    void verifyTakesMapsByIndex(@TempDir Path dir) throws Exception {
        Path s = dir.resolve("lookup.s");
        Files.writeString(s, "*(u32 *)(r10 -4) = 0\nr2 = r10\nr2 += -4\nr1 = map[id:0]\ncall bpf_map_lookup_elem#1\nr0 = *(u64 *)(r0 +0)\nr0 = 0\nexit\n");
        CliTest.Out noMap = kstep("bpf", "verify", "--log-level", "0", s.toString());
        assertEquals("rejected: fd 0 is not pointing to valid bpf_map\n", noMap.out());
        CliTest.Out hash = kstep("bpf", "verify", "--log-level", "0", "--map", "hash:4:8:16", s.toString());
        assertEquals("rejected: R0 invalid mem access 'map_value_or_null'\n", hash.out());
        CliTest.Out bad = kstep("bpf", "verify", "--map", "ring:4:8:16", s.toString());
        assertEquals(Cli.BAD_INPUT, bad.code());
        assertTrue(bad.err().contains("--map type is array or hash"), bad.err());
    }

    @Test
    void verifyCompareAgreesWithTheRunningKernel() throws Exception {
        boolean linuxRoot = System.getProperty("os.name").equals("Linux") && "root".equals(System.getProperty("user.name"));
        Assumptions.assumeTrue(linuxRoot && Files.isExecutable(Path.of("/usr/bin/cc")), "needs Linux, root and cc");
        CliTest.Out r = kstep("bpf", "verify", "--json", "--compare", "../samples/bpf/count_protocols.o", "../samples/bpf/xdp_filter.o");
        assertEquals(0, r.code(), r.out() + r.err());
        for (String l : r.out().split("\n")) assertTrue(l.endsWith("\"same\":true,\"differences\":[]}"), l);
    }

    @Test
    void verifyUnprivilegedAppliesTheRulesOfALoaderWithoutCapabilities(@TempDir Path dir) throws Exception {
        Path s = dir.resolve("leak.s");
        Files.writeString(s, "r0 = r10\nexit\n");
        assertEquals("accepted\n", kstep("bpf", "verify", "--log-level", "0", s.toString()).out());
        CliTest.Out u = kstep("bpf", "verify", "--log-level", "0", "--unprivileged", s.toString());
        assertEquals("rejected: R0 leaks addr as return value\n", u.out());
        Path spec = dir.resolve("spec.s");
        Files.writeString(spec, "r1 = 5\nif r1 > 0x3 goto pc+1\nr0 = r7\nr0 = 0\nexit\n");
        CliTest.Out v = kstep("bpf", "verify", "--unprivileged", spec.toString());
        assertEquals(Cli.OK, v.code(), "an error on a speculative path only ends that path: " + v.out());
        assertTrue(v.out().contains("from 1 to 2 (speculative execution): R1=Pscalar() R10=fp0\n"), v.out());
        Path xdp = dir.resolve("x.s");
        Files.writeString(xdp, "// type xdp\nr0 = 2\nexit\n");
        assertEquals("{\"file\":\"" + xdp + "\",\"accepted\":false,\"error\":\"\",\"log\":\"\",\"live_regs\":{},\"processed\":0,\"stack_live\":[],\"xlated\":\"\"}\n",
            kstep("bpf", "verify", "--json", "--unprivileged", xdp.toString()).out(), "bpf_prog_load() refuses XDP for !root before any log");
    }
}
