// Loops, 1 of 3: a bounded loop. Root may loop (since Linux 5.3): the verifier simply walks every
// iteration, r1 = 0, 1, 2, 3, each a new state, because r1 is precise (the exit test depends on it).
// "SCC enter (1)" and "SCC exit (1)" in the log mark the loop's strongly connected component. Tick
// "unprivileged loader": without CAP_BPF any loop is refused before simulation ("back-edge from insn 4 to 2").
r0 = 0
r1 = 0
r0 += r1
r1 += 1
if r1 < 0x4 goto pc-3
exit
