// Step 1 of 5: count packets by their first byte in a hash map. The verifier rejects the first draft at
// once: r2 is read before anything was written to it ("R2 !read_ok"). Every register but r1 (the
// context) and r10 (the frame pointer) starts uninitialised.
// map hash:4:8:16
r6 = r1
r0 = *(u32 *)(r6 +0)
*(u32 *)(r10 -4) = r2
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r1 = *(u64 *)(r0 +0)
r1 += 1
*(u64 *)(r0 +0) = r1
r0 = 0
exit
