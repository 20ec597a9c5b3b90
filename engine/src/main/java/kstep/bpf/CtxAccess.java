package kstep.bpf;

/**
 * Which context fields a program may read or write, and what a read gives (the verifier ops'
 * is_valid_access(): sk_filter_is_valid_access() over bpf_skb_is_valid_access() for struct __sk_buff,
 * xdp_is_valid_access() for struct xdp_md). Offsets are the uapi layouts.
 */
final class CtxAccess {
    private CtxAccess() { }

    /** The register type a valid access yields (SCALAR, or a packet pointer), or null when the access is refused. */
    static RegType check(BpfProgram.ProgType t, int off, int size, boolean write) {
        return t == BpfProgram.ProgType.XDP ? xdp(off, size, write) : skFilter(off, size, write);
    }

    private static boolean in(int off, int from, int to) {
        return off >= from && off <= to;
    }

    // struct __sk_buff: len 0, pkt_type 4, mark 8, queue_mapping 12, protocol 16, vlan_present 20, vlan_tci 24,
    // vlan_proto 28, priority 32, ingress_ifindex 36, ifindex 40, tc_index 44, cb[5] 48..67, hash 68, tc_classid 72,
    // data 76, data_end 80, napi_id 84, family 88, remote_ip4 92, local_ip4 96, remote_ip6 100..115, local_ip6
    // 116..131, remote_port 132, local_port 136, data_meta 140, flow_keys 144, tstamp 152, wire_len 160, gso_segs
    // 164, sk 168, gso_size 176, tstamp_type 180, hwtstamp 184; 192 bytes.
    private static RegType skFilter(int off, int size, boolean write) {
        if (in(off, 72, 75) || in(off, 76, 79) || in(off, 140, 143) || in(off, 80, 83) || in(off, 88, 139) || in(off, 152, 159)
            || in(off, 160, 163) || in(off, 184, 191)) return null;
        if (write && !in(off, 48, 67)) return null;
        if (off < 0 || off >= 192) return null;
        if (off % size != 0) return null;
        if (in(off, 48, 67)) return off + size > 68 ? null : RegType.SCALAR;
        if (in(off, 144, 151)) return null;
        if (off == 168) return write || size != 8 ? null : RegType.SOCK_COMMON; // sk: a struct bpf_sock_common pointer, or NULL
        if (off == 180 || in(off, 181, 183)) return null;
        if (write) return size == 4 ? RegType.SCALAR : null;
        // narrow reads of a 4-byte field: 1, 2 or 4 bytes
        return size <= 4 && (size & (size - 1)) == 0 ? RegType.SCALAR : null;
    }

    // struct bpf_sock: bound_dev_if 0, family 4, type 8, protocol 12, mark 16, priority 20, src_ip4 24, src_ip6 28..43,
    // src_port 44, dst_port 48 (16 bits, then padding), dst_ip4 52, dst_ip6 56..71, state 72, rx_queue_mapping 76; 80 bytes.
    /** bpf_sock_common_is_valid_access(): what a program may read through the socket a socket filter's skb->sk gives. */
    static boolean sockCommon(int off, int size, boolean write) {
        if (write) return false;
        if (in(off, 8, 23)) return false;
        if (off < 0 || off >= 80 || off % size != 0) return false;
        boolean narrow = size <= 4 && (size & (size - 1)) == 0;
        if (off == 72 || off == 4 || off == 12 || off == 44 || off == 76 || in(off, 24, 27) || in(off, 28, 43) || in(off, 52, 55) || in(off, 56, 71)) return narrow;
        if (in(off, 48, 49)) return size == 4 || (size <= 2 && (size & (size - 1)) == 0);
        if (in(off, 50, 51)) return false;
        return size == 4;
    }

    // struct xdp_md: data 0, data_end 4, data_meta 8, ingress_ifindex 12, rx_queue_index 16, egress_ifindex 20; 24 bytes
    private static RegType xdp(int off, int size, boolean write) {
        if (off == 20) return null;
        if (write) return null;
        RegType r = switch (off) {
            case 0 -> RegType.PACKET;
            case 8 -> RegType.PACKET_META;
            case 4 -> RegType.PACKET_END;
            default -> RegType.SCALAR;
        };
        if (off < 0 || off >= 24) return null;
        if (off % size != 0) return null;
        return size == 4 ? r : null;
    }
}
