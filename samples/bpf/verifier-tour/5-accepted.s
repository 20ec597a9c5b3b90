// Step 5 of 5: "r4 &= 15" bounds the length to 0..15 and "r4 += 1" makes it at least 1, so the copy fits
// the 16 bytes at fp-24..fp-9; the verifier marks r4 precise (P) because the access depended on its
// value. Every path ends at exit: accepted.
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
r4 &= 15
r4 += 1
r1 = r6
r2 = 0
r3 = r10
r3 += -24
call bpf_skb_load_bytes#26
r0 = 0
exit
