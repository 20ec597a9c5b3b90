/* kstep sample: a socket filter that counts packets by IP protocol in an array map and keeps the
 * length of the last packet of each protocol in a hash map; it accepts every packet whole. */
#include "kstep_bpf.h"

struct bpf_map_def SEC("maps") counts = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 256,
};

struct bpf_map_def SEC("maps") last_len = {
	.type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 4, .max_entries = 16,
};

SEC("socket")
int count_protocols(struct __sk_buff *skb)
{
	__u8 proto = 0;
	__u32 key, len = skb->len;
	__u64 *count;

	/* the IPv4 header's protocol byte (the filter sees the packet from the network header on) */
	if (bpf_skb_load_bytes(skb, 9, &proto, 1) < 0)
		return 0;
	key = proto;
	count = bpf_map_lookup_elem(&counts, &key);
	if (count)
		__sync_fetch_and_add(count, 1);
	/* a helper takes pointers to the stack or a map value, not into the context: copy the length first */
	bpf_map_update_elem(&last_len, &key, &len, BPF_ANY);
	return len;
}
