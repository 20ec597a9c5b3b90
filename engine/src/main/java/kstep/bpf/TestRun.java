package kstep.bpf;

import java.util.Arrays;

/**
 * BPF_PROG_TEST_RUN as net/bpf/test_run.c runs a program on a packet, so kstep's result is the kernel's:
 * a socket filter gets a {@code struct __sk_buff} built the way bpf_prog_test_run_skb() builds the skb
 * (eth_type_trans() on the loopback device: the Ethernet header pulled, protocol and pkt_type from it,
 * ifindex 1), an XDP program an {@code xdp_md} whose data, data_end and data_meta are pointers into the
 * packet. The return value is r0's low 32 bits.
 */
public final class TestRun {
    private TestRun() { }

    /** The packet kstep passes when none is given: 64 zero bytes, as `kstep bpf run` promises. */
    public static final byte[] DEFAULT_PACKET = new byte[64];
    /** XDP_PACKET_HEADROOM: room before data for bpf_xdp_adjust_head(). */
    static final int XDP_HEADROOM = 256;
    static final int ETH_HLEN = 14;
    static final int LOOPBACK_IFINDEX = 1;

    // struct __sk_buff offsets (include/uapi/linux/bpf.h)
    static final int SKB_LEN = 0, SKB_PKT_TYPE = 4, SKB_MARK = 8, SKB_QUEUE_MAPPING = 12, SKB_PROTOCOL = 16, SKB_VLAN_PRESENT = 20,
        SKB_VLAN_TCI = 24, SKB_VLAN_PROTO = 28, SKB_PRIORITY = 32, SKB_INGRESS_IFINDEX = 36, SKB_IFINDEX = 40, SKB_TC_INDEX = 44,
        SKB_CB = 48, SKB_HASH = 68, SKB_TC_CLASSID = 72, SKB_DATA = 76, SKB_DATA_END = 80, SKB_NAPI_ID = 84, SKB_DATA_META = 140,
        SKB_WIRE_LEN = 160, SKB_GSO_SEGS = 164, SKB_GSO_SIZE = 176, SKB_SIZE = 192;
    // struct xdp_md
    static final int XDP_DATA = 0, XDP_DATA_END = 4, XDP_DATA_META = 8, XDP_INGRESS_IFINDEX = 12, XDP_RX_QUEUE_INDEX = 16,
        XDP_EGRESS_IFINDEX = 20, XDP_MD_SIZE = 24;

    /** eth_type_trans()'s pkt_type on a device whose address is all zeroes (loopback). */
    static int pktType(byte[] p) {
        boolean allOnes = true, zero = true;
        for (int i = 0; i < 6; i++) {
            if ((p[i] & 0xff) != 0xff) allOnes = false;
            if (p[i] != 0) zero = false;
        }
        if (allOnes) return 1;          // PACKET_BROADCAST
        if ((p[0] & 1) != 0) return 2;  // PACKET_MULTICAST
        return zero ? 0 : 3;            // PACKET_HOST, or PACKET_OTHERHOST
    }

    /**
     * eth_type_trans()'s skb->protocol, as the __be16 the field holds: the Ethernet type, or for an 802.3
     * length field ETH_P_802_3 (a raw IPX frame, ff ff) or ETH_P_802_2.
     */
    static int protocol(byte[] p) {
        int type = ((p[12] & 0xff) << 8) | (p[13] & 0xff);
        if (type < 0x600) type = p.length >= 16 && (p[14] & 0xff) == 0xff && (p[15] & 0xff) == 0xff ? 0x0001 : 0x0004;
        return ((type & 0xff) << 8) | (type >> 8);
    }

    /** Sets a program up for a test run on {@code data} and returns the interpreter, ready to step. */
    public static Vm prepare(BpfProgram p, byte[] data, long seed) {
        if (p.type() == BpfProgram.ProgType.XDP) return xdp(p, data, seed);
        if (data.length < ETH_HLEN) throw new IllegalArgumentException("a socket filter's test run needs at least " + ETH_HLEN + " bytes of packet (an Ethernet header), not " + data.length);
        // bpf_prog_test_run_skb() checks that an IPv4 or IPv6 packet holds its header (-EINVAL otherwise)
        int proto = protocol(data);
        if (proto == 0x0008 && data.length < ETH_HLEN + 20) throw new IllegalArgumentException("an IPv4 packet needs at least 34 bytes (EINVAL), not " + data.length);
        if (proto == 0xdd86 && data.length < ETH_HLEN + 40) throw new IllegalArgumentException("an IPv6 packet needs at least 54 bytes (EINVAL), not " + data.length);
        // the filter sees the packet from the network header on (eth_type_trans() pulled the Ethernet header)
        byte[] net = Arrays.copyOfRange(data, ETH_HLEN, data.length);
        Vm vm = new Vm(p, new HelperCalls(p.maps(), net, seed, false).withSkb(data, ETH_HLEN));
        byte[] skb = new byte[SKB_SIZE];
        Memory.put(skb, SKB_LEN, 4, net.length);
        Memory.put(skb, SKB_PKT_TYPE, 4, pktType(data));
        Memory.put(skb, SKB_PROTOCOL, 4, protocol(data));
        Memory.put(skb, SKB_IFINDEX, 4, LOOPBACK_IFINDEX);
        Memory.Region ctx = vm.mem.add("__sk_buff", Vm.CTX_BASE, skb, true);
        Memory.Region pkt = vm.mem.add("packet", Vm.PACKET_BASE, net, true);
        vm.setContext(context(ctx, (off, size) -> {
            if (off == SKB_DATA && size >= 4) return pkt.base();
            if (off == SKB_DATA_END && size >= 4) return pkt.end();
            if (off == SKB_DATA_META && size >= 4) return pkt.base();
            // the verifier turns a narrow load of these into a load of the whole field (pkt_type is a bitfield)
            if (off >= SKB_PKT_TYPE && off < SKB_PKT_TYPE + 4) return Memory.get(skb, SKB_PKT_TYPE, 4);
            if (off == SKB_PROTOCOL + 2 && size == 2) return Memory.get(skb, SKB_PROTOCOL, 4);
            return Memory.get(skb, off, size);
        }));
        return vm;
    }

    private static Vm xdp(BpfProgram p, byte[] data, long seed) {
        Vm vm = new Vm(p, new HelperCalls(p.maps(), data, seed, false));
        byte[] frame = new byte[XDP_HEADROOM + data.length];
        System.arraycopy(data, 0, frame, XDP_HEADROOM, data.length);
        Memory.Region buf = vm.mem.add("xdp frame", Vm.PACKET_BASE - XDP_HEADROOM, frame, true);
        long start = buf.base() + XDP_HEADROOM;
        long end = buf.end();
        byte[] md = new byte[XDP_MD_SIZE];
        Memory.put(md, XDP_INGRESS_IFINDEX, 4, LOOPBACK_IFINDEX);
        Memory.Region ctx = vm.mem.add("xdp_md", Vm.CTX_BASE, md, false);
        // the verifier rewrites these u32 fields into loads of xdp_buff's 64-bit pointers
        vm.setContext(context(ctx, (off, size) -> switch (off) {
            case XDP_DATA, XDP_DATA_META -> start;
            case XDP_DATA_END -> end;
            default -> Memory.get(md, off, size);
        }));
        return vm;
    }

    /** How a context's fields read: offset and size to the value. */
    private interface FieldLoad {
        long load(int off, int size);
    }

    private static Vm.Context context(Memory.Region region, FieldLoad loads) {
        return new Vm.Context() {
            @Override
            public Memory.Region region() {
                return region;
            }

            @Override
            public long load(int off, int size) {
                return loads.load(off, size);
            }
        };
    }

    /** Runs to the end: the test run's retval or the error. */
    public static Vm.Result run(BpfProgram p, byte[] data, long seed) {
        return prepare(p, data, seed).run();
    }
}
