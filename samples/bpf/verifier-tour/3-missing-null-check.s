// Step 3 of 5: the key goes to fp-4, inside the frame. Now the lookup's result is used straight away:
// bpf_map_lookup_elem() returns NULL when the key is not in the map, so r0 is map_value_or_null and
// loading through it is refused ("R0 invalid mem access 'map_value_or_null'"). Watch the table: r0
// becomes map_value_or_null at the call.
// map hash:4:8:16
r6 = r1
r2 = *(u32 *)(r6 +0)
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
