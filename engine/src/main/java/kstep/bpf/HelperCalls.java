package kstep.bpf;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The helpers a program calls, with the state they share across a run: the maps (a map's address in a
 * register is {@code MAP_PTRS + index * 0x100}, a CONST_PTR_TO_MAP), the packet for legacy loads, a
 * deterministic clock for bpf_ktime_get_ns(), bpf_get_prandom_u32() from the scenario's seed, and the
 * lines bpf_trace_printk() wrote. In bpf_conformance mode helper 5 is that suite's "unwind".
 */
public final class HelperCalls {
    public static final long MAP_PTRS = 0xffff888104000000L;
    /** bpf_ktime_get_ns(): kstep's clock starts here and moves 1000 ns a call. */
    public static final long CLOCK_START = 1_000_000_000L;

    private final List<BpfMap> maps;
    private final byte[] packet;
    private final Random prandom;
    private final boolean conformance;
    private long clock = CLOCK_START;
    private final StringBuilder log = new StringBuilder();
    private boolean stopped;
    /** The whole frame a socket filter's skb holds, and where its data starts (bpf_skb_load_bytes(_relative)). */
    private byte[] skbFrame;
    private int skbNetwork;

    public HelperCalls(List<BpfMap> maps, byte[] packet, long seed, boolean conformance) {
        this.maps = new ArrayList<>(maps);
        this.packet = packet;
        this.prandom = new Random(seed);
        this.conformance = conformance;
    }

    /** For a socket filter: the frame with its Ethernet header, the network header at {@code network}. */
    HelperCalls withSkb(byte[] frame, int network) {
        this.skbFrame = frame;
        this.skbNetwork = network;
        return this;
    }

    byte[] packet() {
        return packet;
    }

    String log() {
        return log.toString();
    }

    boolean stopped() {
        return stopped;
    }

    public List<BpfMap> maps() {
        return List.copyOf(maps);
    }

    long mapPointer(Vm vm, int index) {
        if (index < 0 || index >= maps.size()) throw new Vm.Fault("the program refers to map " + index + ", which it does not have");
        return MAP_PTRS + index * 0x100L;
    }

    long mapValuePointer(Vm vm, int index, int off) {
        BpfMap m = maps.get(index);
        if (m.type != BpfMap.ARRAY) throw new Vm.Fault("a map value address needs an array map");
        return value(vm, m, 0).base() + off;
    }

    BpfMap mapAt(Vm vm, long ptr) {
        long i = (ptr - MAP_PTRS) / 0x100;
        if (ptr < MAP_PTRS || (ptr - MAP_PTRS) % 0x100 != 0 || i >= maps.size()) return null;
        return maps.get((int) i);
    }

    private Memory.Region value(Vm vm, BpfMap m, int index) {
        String key = Vm.hex(intKey(index, m.keySize));
        Memory.Region r = m.values.get(key);
        if (r == null) {
            r = vm.newMapValue(m.name + "[" + index + "]", m.valueSize);
            m.values.put(key, r);
        }
        return r;
    }

    private static byte[] intKey(int index, int size) {
        byte[] b = new byte[size];
        Memory.put(b, 0, Math.min(4, size), index);
        return b;
    }

    /** Helper {@code id} with r1-r5; the value for r0. */
    long call(Vm vm, int id, long a1, long a2, long a3, long a4, long a5) {
        if (conformance) {
            if (id == 5) {
                // the suite's unwind(): returns its argument; 0 ends the program with r0 = 0
                if (a1 == 0) stopped = true;
                return a1;
            }
            throw new Vm.Fault("bpf_conformance has no helper " + id);
        }
        return switch (id) {
            case 1 -> lookup(vm, a1, a2);
            case 2 -> update(vm, a1, a2, a3, a4);
            case 3 -> delete(vm, a1, a2);
            case 5 -> clock += 1000;
            case 6 -> tracePrintk(vm, a1, (int) a2, a3, a4, a5);
            case 7 -> prandom.nextInt() & 0xffffffffL;
            // bpf_get_smp_processor_id(): kstep's test run is on CPU 0; bpf_get_numa_node_id(): one node
            case 8, 42 -> 0;
            // bpf_get_socket_uid(): the test run's socket belongs to root
            case 47 -> 0;
            case 188 -> {
                // bpf_xdp_get_buff_len(xdp_md): the frame's length, linear part and fragments (kstep's frames are linear)
                if (packet == null) throw new Vm.Fault("bpf_xdp_get_buff_len needs an XDP frame");
                yield packet.length;
            }
            case 26 -> skbLoadBytes(vm, a2, a3, a4, skbNetwork);
            case 68 -> skbLoadBytes(vm, a2, a3, a4, a5 == 0 ? 0 : a5 == 1 ? skbNetwork : -1);
            default -> throw new Vm.Fault("helper " + Helpers.name(id) + "#" + id + " is not modelled");
        };
    }

    private BpfMap map(Vm vm, long ptr) {
        BpfMap m = mapAt(vm, ptr);
        if (m == null) throw new Vm.Fault(String.format("0x%x is not a map", ptr));
        return m;
    }

    private long lookup(Vm vm, long mapPtr, long keyPtr) {
        BpfMap m = map(vm, mapPtr);
        byte[] key = vm.readBytes(keyPtr, m.keySize);
        if (m.type == BpfMap.ARRAY) {
            long i = Memory.get(key, 0, 4);
            return i < m.maxEntries ? value(vm, m, (int) i).base() : 0;
        }
        Memory.Region r = m.values.get(Vm.hex(key));
        return r == null ? 0 : r.base();
    }

    private long update(Vm vm, long mapPtr, long keyPtr, long valuePtr, long flags) {
        BpfMap m = map(vm, mapPtr);
        byte[] key = vm.readBytes(keyPtr, m.keySize);
        byte[] val = vm.readBytes(valuePtr, m.valueSize);
        if (flags > BpfMap.BPF_EXIST) return -22;
        if (m.type == BpfMap.ARRAY) {
            long i = Memory.get(key, 0, 4);
            if (i >= m.maxEntries) return -7;
            if (flags == BpfMap.BPF_NOEXIST) return -17;
            vm.writeBytes(value(vm, m, (int) i).base(), val);
            return 0;
        }
        String k = Vm.hex(key);
        Memory.Region r = m.values.get(k);
        if (r != null && flags == BpfMap.BPF_NOEXIST) return -17;
        if (r == null && flags == BpfMap.BPF_EXIST) return -2;
        if (r == null) {
            if (m.values.size() >= m.maxEntries) return -7;
            r = vm.newMapValue(m.name + "{" + k + "}", m.valueSize);
            m.values.put(k, r);
        }
        vm.writeBytes(r.base(), val);
        return 0;
    }

    private long delete(Vm vm, long mapPtr, long keyPtr) {
        BpfMap m = map(vm, mapPtr);
        if (m.type == BpfMap.ARRAY) return -22;
        Memory.Region r = m.values.remove(Vm.hex(vm.readBytes(keyPtr, m.keySize)));
        return r == null ? -2 : 0;
    }

    /**
     * bpf_skb_load_bytes(skb, offset, to, len) from skb->data (the network header for a socket filter), and
     * bpf_skb_load_bytes_relative() from the MAC (0) or network (1) header: -EFAULT when out of range,
     * and then the buffer is zeroed.
     */
    private long skbLoadBytes(Vm vm, long off, long to, long len, int from) {
        if (skbFrame == null) throw new Vm.Fault("bpf_skb_load_bytes needs a socket buffer");
        int n = (int) len;
        if (from < 0 || n <= 0 || n > 0xffff) return -22;
        long start = from + (int) off;
        if ((int) off < 0 || start + n > skbFrame.length) {
            vm.writeBytes(to, new byte[n]);
            return -14;
        }
        vm.writeBytes(to, java.util.Arrays.copyOfRange(skbFrame, (int) start, (int) start + n));
        return 0;
    }

    /** bpf_trace_printk(fmt, fmt_size, ...): up to three arguments, %d %i %u %x %lx %llx %lld %llu %p %c %%; the line's length. */
    private long tracePrintk(Vm vm, long fmtPtr, int size, long a, long b, long c) {
        byte[] f = vm.readBytes(fmtPtr, size);
        StringBuilder out = new StringBuilder();
        long[] args = {a, b, c};
        int used = 0;
        for (int i = 0; i < f.length && f[i] != 0; i++) {
            char ch = (char) (f[i] & 0xff);
            if (ch != '%' || i + 1 >= f.length) {
                out.append(ch);
                continue;
            }
            int j = i + 1;
            int longs = 0;
            while (j < f.length && f[j] == 'l') {
                longs++;
                j++;
            }
            char conv = j < f.length ? (char) f[j] : 0;
            if (conv == '%') {
                out.append('%');
                i = j;
                continue;
            }
            if (used >= 3) return -22;
            long v = args[used++];
            switch (conv) {
                case 'd', 'i' -> out.append(longs > 0 ? v : (int) v);
                case 'u' -> out.append(longs > 0 ? Long.toUnsignedString(v) : Long.toString(v & 0xffffffffL));
                case 'x' -> out.append(Long.toHexString(longs > 0 ? v : v & 0xffffffffL));
                case 'p' -> out.append("0x").append(Long.toHexString(v));
                case 'c' -> out.append((char) (v & 0xff));
                default -> {
                    return -22;
                }
            }
            i = j;
        }
        log.append(out).append('\n');
        return out.length() + 1;
    }
}
