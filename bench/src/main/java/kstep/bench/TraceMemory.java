package kstep.bench;

import java.lang.management.ManagementFactory;

import kstep.engine.Trace;

/**
 * How much heap a long trace takes (run with -Xmx2g to check that a 1,000,000-step trace fits in 2 GB):
 * {@code java -Xmx2g -cp bench/target/benchmarks.jar kstep.bench.TraceMemory [steps]}.
 */
public final class TraceMemory {
    private TraceMemory() { }

    private static long used() {
        for (int i = 0; i < 4; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long before = used();
        long t0 = System.nanoTime();
        Trace t = BenchScenarios.longTrace(steps, 7);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long after = used();
        long events = 0;
        for (var s : t.steps()) events += s.events().size();
        System.out.printf("steps %d, events %d, recorded in %d ms (%.0f steps/s)%n", t.length(), events, ms, t.length() * 1000.0 / ms);
        System.out.printf("heap for the trace: %.1f MB (%.0f bytes a step); max heap %.0f MB%n", (after - before) / 1e6,
            (double) (after - before) / t.length(), Runtime.getRuntime().maxMemory() / 1e6);
        long j0 = System.nanoTime();
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        int jumps = 200;
        long worst = 0;
        for (int i = 0; i < jumps; i++) {
            long s = System.nanoTime();
            t.worldAt(r.nextInt(t.length() + 1));
            worst = Math.max(worst, System.nanoTime() - s);
        }
        System.out.printf("%d random jumps: mean %.2f ms, worst %.2f ms%n", jumps, (System.nanoTime() - j0) / 1e6 / jumps, worst / 1e6);
    }
}
