package kstep.bpf;

import java.util.Map;
import java.util.TreeMap;

/**
 * The interpreter's address space: named regions (stack frames, the context, the packet, map values, a
 * test's memory) at fixed kernel-looking addresses, so pointers are plain 64-bit values and a program's
 * arithmetic on them works as in the kernel. An access outside every region is an error, not a crash.
 */
public final class Memory {
    /** A region: [base, base + bytes.length). */
    public record Region(String name, long base, byte[] bytes, boolean writable) {
        public long end() {
            return base + bytes.length;
        }
    }

    private final TreeMap<Long, Region> regions = new TreeMap<>();

    public Region add(String name, long base, byte[] bytes, boolean writable) {
        Region r = new Region(name, base, bytes, writable);
        Map.Entry<Long, Region> below = regions.floorEntry(base + Math.max(0, bytes.length - 1));
        if (below != null && below.getValue().end() > base && bytes.length > 0) throw new IllegalStateException("regions overlap at 0x" + Long.toHexString(base));
        regions.put(base, r);
        return r;
    }

    public void remove(long base) {
        regions.remove(base);
    }

    /** The region holding [addr, addr + n), or null. */
    public Region find(long addr, int n) {
        Map.Entry<Long, Region> e = regions.floorEntry(addr);
        if (e == null) return null;
        Region r = e.getValue();
        return Long.compareUnsigned(addr + n, r.end()) <= 0 && Long.compareUnsigned(addr, r.base) >= 0 ? r : null;
    }

    public Iterable<Region> regions() {
        return regions.values();
    }

    /** Little-endian load of n bytes, zero-extended. */
    public static long get(byte[] b, int at, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[at + i] & 0xff);
        return v;
    }

    public static void put(byte[] b, int at, int n, long v) {
        for (int i = 0; i < n; i++) b[at + i] = (byte) (v >>> (8 * i));
    }
}
