// Loops, 2 of 3: a loop that never changes anything. The verifier reaches insn 1 again in a state equal,
// bit for bit, to one it is still exploring from, and stops: "infinite loop detected at insn 1", with
// both states printed.
r0 = 0
r1 = 1
if r1 != 0x0 goto pc-2
exit
