// Step 2 of 5: the key is now the packet's length, read from the context into r2. But it is stored at
// fp+4, above the frame pointer: the stack is the 512 bytes below r10, so the verifier refuses the write
// ("invalid write to stack R10 off=4 size=4").
// map hash:4:8:16
r6 = r1
r2 = *(u32 *)(r6 +0)
*(u32 *)(r10 +4) = r2
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r1 = *(u64 *)(r0 +0)
r1 += 1
*(u64 *)(r0 +0) = r1
r0 = 0
exit
