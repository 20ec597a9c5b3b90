/* kstep sample: an XDP program that parses Ethernet and IPv4 with the bounds checks the verifier asks
 * for, drops UDP to port 9 (discard) and passes the rest; the parsing is a subprogram. */
#include "kstep_bpf.h"

static __attribute__((noinline)) int udp_dport(void *data, void *data_end)
{
	unsigned char *p = data;

	if (p + 14 + 20 + 8 > (unsigned char *) data_end)
		return -1;
	if (p[12] != 0x08 || p[13] != 0x00)	/* not IPv4 */
		return -1;
	if ((p[14] & 0x0f) != 5 || p[23] != 17)	/* options, or not UDP */
		return -1;
	return (p[36] << 8) | p[37];
}

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	void *data = (void *) (long) ctx->data;
	void *data_end = (void *) (long) ctx->data_end;

	if (udp_dport(data, data_end) == 9)
		return XDP_DROP;
	return XDP_PASS;
}
