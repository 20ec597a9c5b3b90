// A caller passes a pointer to its own stack (fp-16) to a subprogram that writes through it. Open the
// liveness tab: fp-8 is written at insn 1 and live from there to its read at insn 6; fp-16 is written by
// the call (the callee's store, "(4,9) frame 0 insn 10 +written -16", moved onto the call at insn 4) and
// live only before insn 5, which reads it.
r1 = 7
*(u64 *)(r10 -8) = r1
r1 = r10
r1 += -16
call pc+4
r0 = *(u64 *)(r10 -16)
r2 = *(u64 *)(r10 -8)
r0 += r2
exit
r2 = 5
*(u64 *)(r1 +0) = r2
r0 = 0
exit
