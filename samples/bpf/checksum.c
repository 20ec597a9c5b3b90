/* kstep sample: a socket filter that adds up the packet's 16-bit words (the Internet checksum's sum,
 * folded) and returns it; a bounded loop the verifier can prove ends. */
#include "kstep_bpf.h"

SEC("socket")
int checksum(struct __sk_buff *skb)
{
	__u16 word;
	__u32 sum = 0;
	int i;

	for (i = 0; i < 32; i++) {
		if (bpf_skb_load_bytes(skb, i * 2, &word, 2) < 0)
			break;
		sum += word;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}
