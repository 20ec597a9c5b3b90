// Step 1 of 3 (kernel 6.18, this machine's): main passes a pointer to its fp-8 as the 6th argument of a
// subprogram, storing it at r11-8 as the stack-arguments series does (insn 4). 6.18 has five argument
// registers and no R11 for programs: check_reg_arg() refuses "R11 is invalid" before anything else.
// --compare shows the running kernel says the same.
// kernel 6.18
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
