/* kstep sample: a socket filter with a BTF-defined hash map (the way libbpf programs declare maps), counting
 * UDP and TCP packets by destination port; it accepts every packet whole. */
#include "kstep_bpf.h"

struct port_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);
	__type(value, struct port_stats);
} ports SEC(".maps");

SEC("socket")
int port_counts(struct __sk_buff *skb)
{
	__u8 proto = 0;
	__u16 port = 0;
	__u32 len = skb->len;
	struct port_stats zero = {0, 0}, *st;

	if (bpf_skb_load_bytes(skb, 9, &proto, 1) < 0 || (proto != 6 && proto != 17))
		return len;
	if (bpf_skb_load_bytes(skb, 22, &port, 2) < 0)
		return len;
	st = bpf_map_lookup_elem(&ports, &port);
	if (!st) {
		bpf_map_update_elem(&ports, &port, &zero, BPF_ANY);
		st = bpf_map_lookup_elem(&ports, &port);
		if (!st)
			return len;
	}
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, len);
	return len;
}
