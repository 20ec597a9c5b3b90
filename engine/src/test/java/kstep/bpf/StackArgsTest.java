package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The stack-args kernel variants: R11 stack arguments, the static stack liveness with its arg tracking, and
 * the poisoning of dead slots, built from what the series' patches describe (the running 6.18 has none of it).
 */
class StackArgsTest {
    /** Main passes &fp-8 as the 6th argument; the callee reads through it (the sample's program). */
    static final String SIXTH_ARG = String.join("\n",
        "r2 = 42", "*(u64 *)(r10 -8) = r2", "r1 = r10", "r1 += -8", "*(u64 *)(r11 -8) = r1",
        "r1 = 1", "r2 = 2", "r3 = 3", "r4 = 4", "r5 = 5", "if r5 != 0x5 goto pc+3", "call pc+4", "r0 += 1", "exit", "r0 = 0", "exit",
        "r6 = *(u64 *)(r11 +8)", "r0 = *(u64 *)(r6 +0)", "exit");

    static Verifier.Result verify(String asm, KernelVariant k) {
        return verify(asm, k, true);
    }

    static Verifier.Result verify(String asm, KernelVariant k, boolean jited) {
        return Verifier.verify(new BpfProgram("t", BpfProgram.ProgType.SOCKET_FILTER, KernelAsm.assemble("t", asm), List.of()), 2, true, true, k, jited);
    }

    private static String useDef(Verifier.Result r, int insn) {
        for (String l : r.stackLive()) if (l.startsWith(String.format("%3d: ", insn))) return l;
        return "";
    }

    @Test
    void linux618HasNoR11ForPrograms() {
        Verifier.Result r = verify(SIXTH_ARG, KernelVariant.LINUX_6_18);
        assertEquals("R11 is invalid", r.error());
    }

    @Test
    void aPointerPassedAsTheSixthArgumentKeepsTheCallersSlotLive() {
        Verifier.Result r = verify(SIXTH_ARG, KernelVariant.STACK_ARGS);
        assertTrue(r.accepted(), r.error());
        assertTrue(r.log().contains("17: (79) r0 = *(u64 *)(r6 +0)         ; frame1: R0=42 R6=fp[0]-8"), r.log());
        assertTrue(useDef(r, 11).endsWith("; use: fp0-8"), "the callee's read is pulled back onto the call: " + r.stackLive());
        assertTrue(r.stackLive().contains("stack use/def subprog#1 (d1,cs11):"), "the callee is analysed with main's frame: " + r.stackLive());
        assertTrue(r.log().contains("10: (85) call pc+2 // sa0=fp0-8") || r.log().contains(" 11: (85) call pc+4 // sa0=fp0-8"), r.log());
        assertFalse(r.log().contains("poison frame0 fp-8 at insn 16"), r.log());
    }

    @Test
    void withoutPatch04TheSlotIsPoisonedAtTheCalleesCheckpointAndTheReadRefused() {
        Verifier.Result r = verify(SIXTH_ARG, KernelVariant.STACK_ARGS_UNPATCHED);
        assertEquals("invalid read from poisoned stack frame0 off -8+0 size 8: the liveness analysis found fp-8 dead", r.error());
        assertEquals(" 11: (85) call pc+4", useDef(r, 11), "no use of fp0-8 on the call");
        assertTrue(r.stackLive().contains("stack use/def subprog#1 (d0,cs16):"), "the callee is only analysed on its own: " + r.stackLive());
        assertTrue(r.log().contains("poison frame0 fp-8 at insn 16: no read of it follows"), r.log());
    }

    @Test
    void aCalleeForwardsItsSeventhArgumentAsTheSixthOfTheNextCall() {
        // the series' example: bar reads two stack arguments and passes one on to foo1 through its own r11-8
        String asm = String.join("\n",
            "r2 = 7", "*(u64 *)(r10 -16) = r2", "r1 = r10", "r1 += -16", "*(u64 *)(r11 -16) = r1", "*(u64 *)(r11 -8) = 3",
            "r1 = 0", "r2 = 0", "r3 = 0", "r4 = 0", "r5 = 0", "call pc+1", "exit",
            // bar (12)
            "r6 = *(u64 *)(r11 +8)", "r7 = *(u64 *)(r11 +16)", "*(u64 *)(r11 -8) = r7", "call pc+2", "r0 += r6", "exit",
            // foo1 (19)
            "r1 = *(u64 *)(r11 +8)", "r0 = *(u64 *)(r1 +0)", "exit");
        Verifier.Result r = verify(asm, KernelVariant.STACK_ARGS);
        assertTrue(r.accepted(), r.error());
        assertTrue(r.stackLive().contains("stack use/def subprog#2 (d2,cs16):"), "foo1 is analysed at depth 2 from bar's call: " + r.stackLive());
        assertTrue(useDef(r, 11).endsWith("; use: fp0-16"), "main's call carries foo1's read of main's fp-16: " + r.stackLive());
        assertTrue(useDef(r, 16).endsWith("; use: fp0-16"), "so does bar's call: " + r.stackLive());
        assertTrue(r.log().contains(" 16: (85) call pc+2 // r7=fp0-16 sa0=fp0-16"), "bar's outgoing slot holds main's pointer: " + r.log());
        assertEquals("accepted", r.accepted() ? "accepted" : r.error());
        assertTrue(r.log().contains("17: (0f) r0 += r6                     ; frame1: R0=10 R6=3"), "7 + 3: " + r.log());
    }

    @Test
    void aPointerSpilledInTheCallersStackIsFollowedThroughTheCallSitesSpillState() {
        // callsite_at_stack: the callee loads main's spilled pointer through a pointer to the spill slot
        String asm = String.join("\n",
            "*(u64 *)(r10 -16) = 5", "r2 = r10", "r2 += -16", "*(u64 *)(r10 -8) = r2", "r1 = r10", "r1 += -8", "call pc+1", "exit",
            "r2 = *(u64 *)(r1 +0)", "r0 = *(u64 *)(r2 +0)", "exit");
        Verifier.Result r = verify(asm, KernelVariant.STACK_ARGS);
        assertTrue(r.accepted(), r.error());
        assertTrue(useDef(r, 6).endsWith("; use: fp0-8 fp0-16"), r.stackLive().toString());
        assertTrue(r.log().contains("  9: (79) r0 = *(u64 *)(r2 +0) // r1=fp0-8 r2=fp0-16"), r.log());
    }

    @Test
    void aConstantPassedOnTheStackIsMadePreciseBackInTheCallersStore() {
        String asm = String.join("\n", "r2 = 8", "*(u64 *)(r11 -8) = r2", "call pc+1", "exit",
            "r3 = *(u64 *)(r11 +8)", "r0 = 0", "if r3 > 0xa goto pc+1", "r0 = 1", "exit");
        Verifier.Result r = verify(asm, KernelVariant.STACK_ARGS);
        assertTrue(r.accepted(), r.error());
        assertTrue(r.log().contains("mark_precise: frame1: regs=r3 stack= before 4: (79) r3 = *(u64 *)(r11 +8)"), r.log());
        assertTrue(r.log().contains("mark_precise: frame0: regs= stack= args=r11-8 before 1: (7b) *(u64 *)(r11 -8) = r2"), r.log());
        assertTrue(r.log().contains("mark_precise: frame0: regs=r2 stack= before 0: (b7) r2 = 8"), r.log());
    }

    @Test
    void stackArgumentsHaveTheirOwnChecks() {
        assertEquals("stack argument access of size 4: stack arguments are 8 bytes", verify("r1 = 1\n*(u32 *)(r11 -8) = r1\nexit", KernelVariant.STACK_ARGS).error());
        assertEquals("invalid outgoing stack argument off -64 (r11 -8 to r11 -56, a multiple of 8)",
            verify("r1 = 1\n*(u64 *)(r11 -64) = r1\nr0 = 0\nexit", KernelVariant.STACK_ARGS).error());
        assertEquals("the main program has no incoming stack arguments (r11 +8)", verify("r0 = *(u64 *)(r11 +8)\nexit", KernelVariant.STACK_ARGS).error());
        assertEquals("stack argument 7 (r11 +16) was not passed by the caller",
            verify("*(u64 *)(r11 -8) = 1\ncall pc+2\nr0 = 0\nexit\nr0 = *(u64 *)(r11 +16)\nexit", KernelVariant.STACK_ARGS).error());
        assertEquals("stack argument 6 (r11 +8) was not passed by the caller",
            verify("*(u64 *)(r11 -8) = 1\ncall pc+3\ncall pc+2\nr0 = 0\nexit\nr0 = *(u64 *)(r11 +8)\nexit", KernelVariant.STACK_ARGS).error(),
            "the first call spent the argument");
    }

    @Test
    void stackArgumentsNeedTheJitAndNoTailCall() {
        String pass = "*(u64 *)(r11 -8) = 1\ncall pc+2\nr0 = 0\nexit\nr0 = *(u64 *)(r11 +8)\nexit";
        assertTrue(verify(pass, KernelVariant.STACK_ARGS).accepted());
        assertEquals("stack arguments are only supported by the JIT (bpf_jit_enable is 0)", verify(pass, KernelVariant.STACK_ARGS, false).error());
        String tail = "r6 = r1\n*(u64 *)(r11 -8) = 1\ncall pc+6\nr1 = r6\nr2 = 0\nr3 = 0\ncall bpf_tail_call#12\nr0 = 0\nexit\nr0 = *(u64 *)(r11 +8)\nexit";
        assertEquals("tail calls are not allowed in programs with stack arguments", verify(tail, KernelVariant.STACK_ARGS).error());
    }

    @Test
    void withoutStackArgumentsTheVariantsAcceptWhat618Accepts() {
        String asm = "r1 = 7\n*(u64 *)(r10 -8) = r1\nr1 = r10\nr1 += -16\ncall pc+4\nr0 = *(u64 *)(r10 -16)\nr2 = *(u64 *)(r10 -8)\nr0 += r2\nexit\n"
            + "r2 = 5\n*(u64 *)(r1 +0) = r2\nr0 = 0\nexit";
        for (KernelVariant k : KernelVariant.values()) assertTrue(verify(asm, k).accepted(), k + ": " + verify(asm, k).error());
        Verifier.Result r = verify(asm, KernelVariant.STACK_ARGS);
        assertTrue(useDef(r, 10).endsWith("; def: fp0-16"), "the callee's store through r1 writes main's fp-16: " + r.stackLive());
        // the series pulls only the callee's reads back onto the call, never its writes: fp-16 stays live across it
        assertEquals("  4: (85) call pc+4", useDef(r, 4), r.stackLive().toString());
    }
}
