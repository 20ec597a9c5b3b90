// Loops, 3 of 3 (tick "unprivileged loader"): r1 is 5, so "if r1 > 3" always jumps and root's verifier
// never looks at insn 2. For an unprivileged loader it must, because a mispredicting CPU may run it
// (Spectre v1): "from 1 to 2 (speculative execution)", with r1 unknown. The read of r7 fails there, and
// the path ends under a speculation barrier; the program is still accepted.
r1 = 5
if r1 > 0x3 goto pc+1
r0 = r7
r0 = 0
exit
