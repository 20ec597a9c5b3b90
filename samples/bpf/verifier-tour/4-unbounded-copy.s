// Step 4 of 5: with "if r0 == 0x0 goto" the verifier explores both sides: r0 is the scalar 0 on one
// and map_value on the other (see the exploration tree). The filter now also copies the packet's first
// bytes to the stack with bpf_skb_load_bytes(), one more than the packet's mark says: the mark is any
// 32-bit number, so the verifier cannot bound that length ("R4 unbounded memory access").
// map hash:4:8:16
r6 = r1
r2 = *(u32 *)(r6 +0)
*(u32 *)(r10 -4) = r2
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+3
r1 = *(u64 *)(r0 +0)
r1 += 1
*(u64 *)(r0 +0) = r1
r4 = *(u32 *)(r6 +8)
r4 += 1
r1 = r6
r2 = 0
r3 = r10
r3 += -24
call bpf_skb_load_bytes#26
r0 = 0
exit
