package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The interpreter, an instruction class at a time, with the kernel's edge cases. */
class VmTest {
    /** r0 after running the verifier-log-syntax program (no context). */
    private static long r0(String asm) {
        Vm.Result r = Conformance.execute(KernelAsm.assemble("t", asm), new byte[0]);
        assertTrue(r.ok(), r.error());
        return r.r0();
    }

    @Test
    void aluDivisionByZeroGivesZeroAndModuloKeepsTheDividend() {
        assertEquals(0, r0("r0 = 7\nr1 = 0\nr0 /= r1\nexit"));
        assertEquals(7, r0("r0 = 7\nr1 = 0\nr0 %= r1\nexit"));
        assertEquals(0, r0("r0 = 7\nr1 = 0\nr0 s/= r1\nexit"));
        assertEquals(0x00000000fffffff6L, r0("r0 = -10\nw1 = 0\nw0 s%= w1\nexit"), "32-bit modulo by zero keeps the low half, zero-extended");
    }

    @Test
    void signedDivisionByMinusOneNegatesAndModuloGivesZero() {
        assertEquals(Long.MIN_VALUE, r0("r0 = 0x8000000000000000\nr1 = -1\nr0 s/= r1\nexit"));
        assertEquals(0, r0("r0 = -13\nr1 = -1\nr0 s%= r1\nexit"));
        assertEquals(-1, r0("r0 = -13\nr1 = 3\nr0 s%= r1\nexit"), "the remainder takes the dividend's sign");
    }

    @Test
    void thirtyTwoBitOperationsZeroTheUpperHalf() {
        assertEquals(0xffffffffL, r0("r0 = -1\nw0 += 0\nexit"));
        assertEquals(0x2, r0("r0 = 0x100000001\nw0 *= 2\nexit"));
        assertEquals(0xffff8000L, r0("w0 = -2147483648\nw0 s>>= 16\nexit"));
    }

    @Test
    void shiftAmountsAreMasked() {
        assertEquals(6, r0("r0 = 3\nr1 = 65\nr0 <<= r1\nexit"));
        assertEquals(6, r0("w0 = 3\nw1 = 33\nw0 <<= w1\nexit"));
    }

    @Test
    void movsxSignExtendsAndBswapAndEndiannessWork() {
        assertEquals(0xffffffffffffffefL, r0("r1 = 0xef\nr0 = (s8)r1\nexit"));
        assertEquals(0xffffffefL, r0("w1 = 239\nw0 = (s8)w1\nexit"));
        assertEquals(0x2211, r0("r0 = 0x8877665544331122\nr0 = be16 r0\nexit"));
        assertEquals(0x1122, r0("r0 = 0x8877665544331122\nr0 = le16 r0\nexit"));
        assertEquals(0x2211334455667788L, r0("r0 = 0x8877665544331122\nr0 = bswap64 r0\nexit"));
    }

    @Test
    void jmp32ComparesTheLowHalvesOnly() {
        assertEquals(1, r0("r0 = 0\nr1 = 0x100000000\nif w1 == 0x0 goto pc+1\nexit\nr0 = 1\nexit"));
        assertEquals(1, r0("r0 = 0\nr1 = -1\nif r1 s< 0x0 goto pc+1\nexit\nr0 = 1\nexit"));
    }

    @Test
    void loadsZeroExtendAndSignExtendingLoadsDoNot() {
        assertEquals(0xff, r0("r1 = -1\n*(u64 *)(r10 -8) = r1\nr0 = *(u8 *)(r10 -8)\nexit"));
        assertEquals(-1, r0("r1 = -1\n*(u64 *)(r10 -8) = r1\nr0 = *(s8 *)(r10 -8)\nexit"));
    }

    @Test
    void atomicsFetchTheOldValueAndCmpxchgComparesR0() {
        assertEquals(5 * 100 + 3, r0("r1 = 3\n*(u64 *)(r10 -8) = r1\nr2 = 2\nr2 = atomic64_fetch_add((u64 *)(r10 -8), r2)\nr0 = *(u64 *)(r10 -8)\nr0 *= 100\nr0 += r2\nexit"));
        assertEquals(9, r0("r1 = 3\n*(u64 *)(r10 -8) = r1\nr0 = 3\nr2 = 9\nr0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r2)\nr0 = *(u64 *)(r10 -8)\nexit"));
        assertEquals(3, r0("r1 = 3\n*(u64 *)(r10 -8) = r1\nr0 = 4\nr2 = 9\nr0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r2)\nr0 = *(u64 *)(r10 -8)\nexit"), "no match: memory unchanged");
    }

    @Test
    void aBpfToBpfCallGetsItsOwnStackAndKeepsR6ToR9() {
        String asm = "r6 = 6\nr1 = 1\n*(u64 *)(r10 -8) = r1\ncall pc+4\nr0 += r6\nr1 = *(u64 *)(r10 -8)\nr0 += r1\nexit\n"
            + "r6 = 100\nr1 = 50\n*(u64 *)(r10 -8) = r1\nr0 = 10\nexit";
        assertEquals(10 + 6 + 1, r0(asm));
    }

    @Test
    void writingTheFramePointerIsAnErrorNotACrash() {
        Vm.Result r = Conformance.execute(List.of(new Insn(0xb7, 10, 0, 0, 0), new Insn(0x95, 0, 0, 0, 0)), new byte[0]);
        assertFalse(r.ok());
        assertEquals("frame pointer is read only", r.error());
        Vm.Result oob = Conformance.execute(KernelAsm.assemble("t", "r0 = *(u64 *)(r10 +8)\nexit"), new byte[0]);
        assertTrue(oob.error().startsWith("invalid read of 8 bytes at 0xffffc90000000208"), oob.error());
    }

    @Test
    void anEndlessLoopStopsAtTheGuard() {
        Vm.Result r = Conformance.execute(KernelAsm.assemble("t", "goto pc-1"), new byte[0]);
        assertTrue(r.error().contains("does not end"), r.error());
    }

    private static BpfProgram withMaps(String asm, BpfMap... maps) {
        return new BpfProgram("t", BpfProgram.ProgType.SOCKET_FILTER, KernelAsm.assemble("t", asm), List.of(maps));
    }

    @Test
    void arrayAndHashMapsLookUpUpdateAndDelete() {
        BpfMap hash = new BpfMap("h", BpfMap.HASH, 4, 8, 2);
        String asm = String.join("\n",
            "r1 = 7", "*(u32 *)(r10 -4) = r1", "r1 = 42", "*(u64 *)(r10 -16) = r1",
            "r1 = map[id:0]", "r2 = r10", "r2 += -4", "r3 = r10", "r3 += -16", "r4 = 0", "call bpf_map_update_elem#2",
            "r1 = map[id:0]", "r2 = r10", "r2 += -4", "call bpf_map_lookup_elem#1",
            "if r0 == 0x0 goto pc+2", "r0 = *(u64 *)(r0 +0)", "exit", "r0 = 99", "exit");
        Vm.Result r = TestRun.run(withMaps(asm, hash), TestRun.DEFAULT_PACKET, 1);
        assertEquals(42, r.r0());
        assertEquals("{07000000=2a00000000000000}", hash.dump().toString());
        BpfMap array = new BpfMap("a", BpfMap.ARRAY, 4, 8, 4);
        String del = String.join("\n", "r1 = 9", "*(u32 *)(r10 -4) = r1", "r1 = map[id:0]", "r2 = r10", "r2 += -4", "call bpf_map_lookup_elem#1", "exit");
        assertEquals(0, TestRun.run(withMaps(del, array), TestRun.DEFAULT_PACKET, 1).r0(), "index 9 of 4: NULL");
    }

    @Test
    void aTailCallJumpsToTheProgramInTheArrayAtMost33Times() {
        BpfMap progs = new BpfMap("jmp", BpfMap.PROG_ARRAY, 4, 4, 1);
        BpfProgram self = withMaps("r0 = 1\nr1 = map[id:0]\nr2 = r1\nr1 = r6\nr3 = 0\ncall bpf_tail_call#12\nr0 = 7\nexit", progs);
        // a program that tail-calls itself: the 34th call falls through
        BpfProgram counting = withMaps("r6 = r1\nr1 = map[id:0]\nr2 = r1\nr1 = r6\nr3 = 0\ncall bpf_tail_call#12\nr0 = 5\nexit", progs);
        progs.setProgram(0, counting);
        Vm vm = TestRun.prepare(counting, TestRun.DEFAULT_PACKET, 1);
        Vm.Result r = vm.run();
        assertEquals(5, r.r0());
        assertEquals(34 * 6 + 2, r.steps(), "33 tail calls, then the fall-through");
        assertTrue(self.insns().size() > 0);
    }

    @Test
    void ktimeIsADeterministicClockAndPrandomFollowsTheSeed() {
        String asm = "call bpf_ktime_get_ns#5\nr6 = r0\ncall bpf_ktime_get_ns#5\nr0 -= r6\nexit";
        assertEquals(1000, TestRun.run(withMaps(asm), TestRun.DEFAULT_PACKET, 1).r0());
        String rnd = "call bpf_get_prandom_u32#7\nexit";
        assertEquals(TestRun.run(withMaps(rnd), TestRun.DEFAULT_PACKET, 5).r0(), TestRun.run(withMaps(rnd), TestRun.DEFAULT_PACKET, 5).r0());
        assertTrue(TestRun.run(withMaps(rnd), TestRun.DEFAULT_PACKET, 5).r0() != TestRun.run(withMaps(rnd), TestRun.DEFAULT_PACKET, 6).r0());
    }

    @Test
    void tracePrintkFormatsIntoTheLog() {
        String asm = String.join("\n", "r1 = 0x000a6425203d2078", "*(u64 *)(r10 -8) = r1", "r1 = r10", "r1 += -8", "r2 = 8", "r3 = -5",
            "call bpf_trace_printk#6", "exit");
        Vm.Result r = TestRun.run(withMaps(asm), TestRun.DEFAULT_PACKET, 1);
        assertEquals("x = -5\n\n", r.log());
    }

    @Test
    void theSocketFilterContextIsTheTestRunsSkb() {
        byte[] pkt = new byte[60];
        pkt[0] = (byte) 0xff;
        pkt[12] = 0x08;
        Vm.Result len = TestRun.run(withMaps("r0 = *(u32 *)(r1 +0)\nexit"), pkt, 1);
        assertEquals(46, len.r0(), "len: the Ethernet header is pulled");
        assertEquals(8, TestRun.run(withMaps("r0 = *(u32 *)(r1 +16)\nexit"), pkt, 1).r0(), "protocol: ETH_P_IP as __be16");
        assertEquals(2, TestRun.run(withMaps("r0 = *(u32 *)(r1 +4)\nexit"), pkt, 1).r0(), "pkt_type: multicast");
        assertEquals(1, TestRun.run(withMaps("r0 = *(u32 *)(r1 +40)\nexit"), pkt, 1).r0(), "ifindex: loopback");
    }

    @Test
    void anXdpProgramReadsThePacketBetweenDataAndDataEnd() {
        byte[] pkt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
        String asm = "r2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\nr0 = r3\nr0 -= r2\nr4 = *(u8 *)(r2 +13)\nr0 *= 100\nr0 += r4\nexit";
        Vm.Result r = TestRun.run(new BpfProgram("x", BpfProgram.ProgType.XDP, KernelAsm.assemble("t", asm)), pkt, 1);
        assertEquals(14 * 100 + 14, r.r0());
    }
}
