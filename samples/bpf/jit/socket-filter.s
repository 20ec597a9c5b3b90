// A socket filter for the JIT view: the packet's length from the context (rewritten to the kernel's
// sk_buff field at +112), a branch, a shift by a register (BMI2's shlx), a division by a register (the
// verifier's guard against zero, then the JIT's push rdx / div / pop rdx), a stack slot updated
// atomically (lock add), and a helper call. Open it with `./kstep bpf jit --show samples/bpf/jit/socket-filter.s`
// (add --compare to see the running kernel's bytes beside kstep's).
r6 = r1
r7 = *(u32 *)(r6 +0)
if r7 > 0x5dc goto pc+12
r2 = 3
r0 = r7
r0 <<= r2
*(u64 *)(r10 -8) = r0
r1 = 1000
r1 /= r7
lock *(u64 *)(r10 -8) += r1
call bpf_get_prandom_u32#7
r0 &= 0xff
r1 = *(u64 *)(r10 -8)
r0 += r1
exit
r0 = 0
exit
