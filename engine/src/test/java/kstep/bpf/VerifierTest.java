package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** What a teacher shows with the verifier, one behaviour a test; the kernel answered each the same way. */
class VerifierTest {
    static Verifier.Result verify(String asm, BpfMap... maps) {
        return Verifier.verify(new BpfProgram("t", BpfProgram.ProgType.SOCKET_FILTER, KernelAsm.assemble("t", asm), List.of(maps)), 2);
    }

    static final String LOOKUP = "*(u32 *)(r10 -4) = 0\nr2 = r10\nr2 += -4\nr1 = map[id:0]\ncall bpf_map_lookup_elem#1\n";

    @Test
    void aLookupMustBeNullCheckedBeforeTheValueIsRead() {
        BpfMap hash = new BpfMap("", BpfMap.HASH, 4, 8, 16);
        Verifier.Result bad = verify(LOOKUP + "r0 = *(u64 *)(r0 +0)\nexit", hash);
        assertEquals("R0 invalid mem access 'map_value_or_null'", bad.error());
        Verifier.Result good = verify(LOOKUP + "if r0 == 0x0 goto pc+1\nr0 = *(u64 *)(r0 +0)\nr0 = 0\nexit", hash);
        assertTrue(good.accepted(), good.error());
        assertTrue(good.log().contains("from 6 to 8: safe"), "the NULL side reaches the checkpoint at 8 and is pruned: " + good.log());
    }

    @Test
    void anArrayLookupWithAConstantKeyInRangeNeedsNoNullCheck() {
        BpfMap array = new BpfMap("", BpfMap.ARRAY, 4, 8, 16);
        Verifier.Result r = verify("r1 = 3\n*(u32 *)(r10 -8) = r1\nr2 = r10\nr2 += -8\nr1 = map[id:0]\ncall bpf_map_lookup_elem#1\nr0 = *(u64 *)(r0 +0)\nexit", array);
        assertTrue(r.accepted(), r.error());
        assertTrue(r.log().contains("R0=map_value(ks=4,vs=8)"), r.log());
        assertFalse(r.log().contains("map_value_or_null"), r.log());
    }

    @Test
    void aBranchTheRegistersDecideIsNotExploredAndItsConditionBecomesPrecise() {
        Verifier.Result r = verify("r1 = 5\nif r1 > 0x3 goto pc+1\nr0 = r7\nr0 = 0\nexit");
        assertTrue(r.accepted(), "the fall-through that reads r7 is dead code: " + r.error());
        assertTrue(r.log().contains("mark_precise: frame0: regs=r1 stack= before 0: (b7) r1 = 5"), r.log());
        assertEquals(4, r.processed());
    }

    @Test
    void aSecondPathIsPrunedAtACheckpointThatCoversIt() {
        BpfMap hash = new BpfMap("", BpfMap.HASH, 4, 8, 16);
        Verifier.Result r = verify(LOOKUP + "if r0 == 0x0 goto pc+1\nr0 = *(u64 *)(r0 +0)\nr0 = 0\nexit", hash);
        assertTrue(r.steps().stream().anyMatch(s -> s instanceof VerifierStep.Pruned p && p.insn() == 8), "the trace has the pruning at insn 8");
        assertEquals("processed 10 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0", r.stats());
    }

    @Test
    void theSameProgramGivesTheSameLogAndStepsGoBackToTheSameState() {
        String p = LOOKUP + "if r0 == 0x0 goto pc+2\nr1 = *(u64 *)(r0 +0)\n*(u64 *)(r0 +0) = r1\nr0 = 0\nexit";
        BpfMap hash = new BpfMap("", BpfMap.HASH, 4, 8, 16);
        Verifier.Result a = verify(p, hash), b = verify(p, hash);
        assertEquals(a.log(), b.log());
        List<String> before = new ArrayList<>(), after = new ArrayList<>();
        for (VerifierStep s : a.steps()) if (s instanceof VerifierStep.Simulated x) before.add(x.insn() + " " + x.after().register(0, 0));
        for (VerifierStep s : b.steps()) if (s instanceof VerifierStep.Simulated x) after.add(x.insn() + " " + x.after().register(0, 0));
        assertEquals(before, after);
        VerifierStep.Simulated first = (VerifierStep.Simulated) a.steps().get(0);
        assertEquals("ctx()", first.before().register(0, 1), "a recorded state does not change after the step");
        assertFalse(first.after().stack(0).isEmpty(), "the key's store is in the state after insn 0");
    }

    @Test
    void aLoopThatCannotEndIsRefusedEitherAsInfiniteOrAsTooLarge() {
        assertEquals("infinite loop detected at insn 1", firstLine(verify("r0 = 0\nr1 = 1\nif r1 != 0x0 goto pc-2\nexit").log(), "infinite"));
        Verifier.Result big = Verifier.verify(new BpfProgram("t", BpfProgram.ProgType.SOCKET_FILTER,
            KernelAsm.assemble("t", "call bpf_get_prandom_u32#7\nr2 = r0\nr1 = 0\nr1 += 1\nif r2 > 0x5 goto pc-2\nr0 = 0\nexit")), 0, false);
        assertEquals("BPF program is too large. Processed 1000001 insn", big.error());
    }

    private static String firstLine(String log, String start) {
        for (String l : log.split("\n")) if (l.startsWith(start)) return l;
        return "";
    }

    @Test
    void aSocketFiltersSkIsASocketOrNullAndOnlySomeOfItsFieldsAreReadable() {
        String head = "r1 = *(u64 *)(r1 +168)\n";
        assertEquals("R1 invalid mem access 'sock_common_or_null'", verify(head + "r0 = *(u32 *)(r1 +4)\nexit").error());
        Verifier.Result ok = verify(head + "if r1 == 0x0 goto pc+2\nr0 = *(u32 *)(r1 +4)\nexit\nr0 = 0\nexit");
        assertTrue(ok.accepted(), ok.error());
        assertTrue(ok.log().contains("; R1=sock_common_or_null(id=1)"), ok.log());
        assertEquals("R1 invalid sock_common access off=16 size=4", verify(head + "if r1 == 0x0 goto pc+2\nr0 = *(u32 *)(r1 +16)\nexit\nr0 = 0\nexit").error(),
            "mark and priority are not the socket's to show");
    }
}
