package kstep.bench;

import kstep.mm.AddressSpace;
import kstep.mm.MmSyscalls;

/**
 * An address space at sysctl_max_map_count: 65,530 anonymous read-write VMAs of three pages, each followed
 * by a one-page hole so nothing merges. VMA i starts at {@link #start(int)}.
 */
final class BigAddressSpace {
    static final int VMAS = AddressSpace.DEFAULT_MAX_MAP_COUNT;
    static final long BASE = 0x7e0000000000L;
    static final long P = AddressSpace.PAGE_SIZE;

    private BigAddressSpace() { }

    static long start(int i) {
        return BASE + i * 4 * P;
    }

    static AddressSpace build() {
        AddressSpace mm = new AddressSpace();
        for (int i = 0; i < VMAS; i++) {
            long r = MmSyscalls.mmap(mm, start(i), 3 * P, MmSyscalls.PROT_READ | MmSyscalls.PROT_WRITE,
                MmSyscalls.MAP_PRIVATE | MmSyscalls.MAP_ANONYMOUS | MmSyscalls.MAP_FIXED, null, 0);
            if (r != start(i)) throw new IllegalStateException("mmap " + i + " returned " + r);
        }
        if (mm.mapCount() != VMAS) throw new IllegalStateException(mm.mapCount() + " VMAs");
        return mm;
    }
}
