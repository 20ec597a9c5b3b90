package kstep.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import kstep.mm.AddressSpace;
import kstep.mm.MmSyscalls;
import kstep.mm.Pgdat;

/**
 * Faults and reclaim on an address space of 1 GiB (262,144 pages): demand-zero write faults over the whole
 * mapping (each one a frame, a PTE, the rmap and the LRU list), a pass of reads that take no fault (the
 * CPU's path, setting accessed bits), and one shrink_node() pass at priority 0 over the 262,144 folios
 * (isolation in batches of 32, the reverse-map walk that clears each accessed bit, the second-chance
 * decision, putback). Each is a single shot over all the pages: 262,144 divided by the time is the rate.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(1)
public class PagingBench {
    static final int PAGES = 262_144;
    static final long BASE = 0x7e0000000000L;
    static final long P = 4096;

    /** A node with room for the gigabyte and its page tables; the mapping made, nothing faulted. */
    @State(Scope.Thread)
    public static class Empty {
        Pgdat node;
        AddressSpace mm;

        @Setup(Level.Iteration)
        public void setUp() {
            node = Pgdat.create(PAGES + 4096, PAGES, 4096, 10);
            mm = new AddressSpace(node);
            long r = MmSyscalls.mmap(mm, BASE, PAGES * P, MmSyscalls.PROT_READ | MmSyscalls.PROT_WRITE,
                MmSyscalls.MAP_PRIVATE | MmSyscalls.MAP_ANONYMOUS | MmSyscalls.MAP_FIXED, null, 0);
            if (r != BASE) throw new IllegalStateException("mmap: " + r);
        }

        void writeAll() {
            for (int i = 0; i < PAGES; i++) {
                long r = MmSyscalls.touch(mm, BASE + i * P, true);
                if (r != 0) throw new IllegalStateException("fault " + i + ": " + r);
            }
        }
    }

    /** The same with every page written (present, young, dirty). */
    @State(Scope.Thread)
    public static class Faulted extends Empty {
        @Override
        @Setup(Level.Iteration)
        public void setUp() {
            super.setUp();
            writeAll();
        }
    }

    @Benchmark
    public Pgdat writeFaultEveryPage(Empty s) {
        s.writeAll();
        return s.node;
    }

    @Benchmark
    public Pgdat readEveryPageWithoutAFault(Faulted s) {
        for (int i = 0; i < PAGES; i++) MmSyscalls.touch(s.mm, BASE + i * P, false);
        return s.node;
    }

    @Benchmark
    public long scanEveryFolioOnce(Faulted s) {
        long before = s.node.vmstat("pgscan");
        s.node.shrinkNode(0);
        long scanned = s.node.vmstat("pgscan") - before;
        if (scanned != PAGES) throw new IllegalStateException("scanned " + scanned);
        return scanned;
    }
}
