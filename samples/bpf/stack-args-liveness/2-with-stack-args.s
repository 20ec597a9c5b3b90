// Step 2 of 3 (kernel stack-args): the same program on 6.18 plus the series. The callee loads its 6th
// argument from r11+8 (insn 16, the arrow in the liveness tab) and reads fp-8 of main through it. The
// arg-tracking column shows sa0=fp0-8 at the call, so the callee's read becomes "use: fp0-8" on the call
// (insn 11): fp-8 stays live from its store (insn 1) to the call, the checkpoint at the callee's entry
// keeps it, and the program is accepted with R0=42.
// kernel stack-args
r2 = 42
*(u64 *)(r10 -8) = r2
r1 = r10
r1 += -8
*(u64 *)(r11 -8) = r1
r1 = 1
r2 = 2
r3 = 3
r4 = 4
r5 = 5
if r5 != 0x5 goto pc+3
call pc+4
r0 += 1
exit
r0 = 0
exit
r6 = *(u64 *)(r11 +8)
r0 = *(u64 *)(r6 +0)
exit
