package kstep.bench;

import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import kstep.mm.AddressSpace;
import kstep.mm.MmSyscalls;
import kstep.mm.Vma;

/**
 * One VMA operation on an address space at sysctl_max_map_count (65,530 VMAs), at a random VMA each time:
 * find_vma; mmap into a hole (merging both neighbours); munmap of a VMA's middle page (a split); mprotect of
 * a middle page (a split in three) and back (a merge of three). What an operation changes is undone outside
 * the timing (per-invocation tear-down), so every call sees 65,530 VMAs. Sample time: p0.50 is the median.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class VmaOpsBench {
    static final long P = BigAddressSpace.P;
    static final int RW = MmSyscalls.PROT_READ | MmSyscalls.PROT_WRITE;
    static final int ANON_FIXED = MmSyscalls.MAP_PRIVATE | MmSyscalls.MAP_ANONYMOUS | MmSyscalls.MAP_FIXED;

    /** The full address space and a random VMA index for each call. */
    @State(Scope.Thread)
    public static class Full {
        AddressSpace mm;
        final SplittableRandom random = new SplittableRandom(42);
        /** The start of the VMA this call works on. */
        long vma;

        @Setup(Level.Trial)
        public void build() {
            mm = BigAddressSpace.build();
            // a split in three passes the limit by two for a moment; the limit itself is benchmarked by the tests
            mm.setMaxMapCount(BigAddressSpace.VMAS + 2);
        }

        @Setup(Level.Invocation)
        public void pick() {
            vma = BigAddressSpace.start(random.nextInt(BigAddressSpace.VMAS - 1));
        }
    }

    /** mmap into the hole after the VMA; the tear-down unmaps it again. */
    public static class HoleMapped extends Full {
        @TearDown(Level.Invocation)
        public void undo() {
            MmSyscalls.munmap(mm, vma + 3 * P, P);
        }
    }

    /** munmap of the VMA's middle page; the tear-down maps it back. */
    public static class MiddleUnmapped extends Full {
        @TearDown(Level.Invocation)
        public void undo() {
            MmSyscalls.mmap(mm, vma + P, P, RW, ANON_FIXED, null, 0);
        }
    }

    /** mprotect of the VMA's middle page to read-only; the tear-down makes it read-write again. */
    public static class MiddleProtected extends Full {
        @TearDown(Level.Invocation)
        public void undo() {
            MmSyscalls.mprotect(mm, vma + P, P, RW);
        }
    }

    /** The middle page made read-only before the call, which makes it read-write again. */
    public static class MiddleReadOnly extends Full {
        @Setup(Level.Invocation)
        public void split() {
            MmSyscalls.mprotect(mm, vma + P, P, MmSyscalls.PROT_READ);
        }
    }

    @Benchmark
    public Vma findVma(Full s) {
        return s.mm.findVma(s.vma + 3 * P);
    }

    @Benchmark
    public long mmapMergingBothNeighbours(HoleMapped s) {
        return MmSyscalls.mmap(s.mm, s.vma + 3 * P, P, RW, ANON_FIXED, null, 0);
    }

    @Benchmark
    public long munmapSplittingAVma(MiddleUnmapped s) {
        return MmSyscalls.munmap(s.mm, s.vma + P, P);
    }

    @Benchmark
    public long mprotectSplittingInThree(MiddleProtected s) {
        return MmSyscalls.mprotect(s.mm, s.vma + P, P, MmSyscalls.PROT_READ);
    }

    @Benchmark
    public long mprotectMergingThree(MiddleReadOnly s) {
        return MmSyscalls.mprotect(s.mm, s.vma + P, P, RW);
    }
}
