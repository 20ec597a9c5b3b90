// Step 3 of 3 (kernel stack-args-unpatched): the series without patch 04/18. Its arg-tracking does not follow
// pointers through stack-argument slots: r11-8 holds "not a pointer", the callee is never analysed with
// main's frame (instance (d0,cs16) instead of (d1,cs11)), nothing reads fp-8 after insn 1, so the liveness table
// shows it dead at the call. The checkpoint at the callee's entry poisons it, and the callee's read through
// its 6th argument is refused (insn 17). With the patch (step 2) the same read is fine.
// kernel stack-args-unpatched
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
