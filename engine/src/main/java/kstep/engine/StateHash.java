package kstep.engine;

import java.util.Map;

/**
 * A 128-bit fingerprint of everything a World's future depends on (heap, stacks, CPUs, globals, budgets,
 * reported findings) and nothing it does not. The explorer visits each fingerprint once.
 */
public record StateHash(long a, long b) {

    public static StateHash of(World w) {
        H h = new H();
        for (int i = 1; i < w.heap.size(); i++) {
            KObject o = w.heap.get(i);
            h.add(o.freed() ? 1 : 2);
            for (int f = 0; f < o.type().fields().size(); f++) h.value(o.get(f));
        }
        for (Value g : w.globals) h.value(g);
        for (Cpu c : w.cpus) {
            h.add(c.current);
            h.add(c.preemptCount);
            h.add(c.irqsDisabled ? 1 : 0);
            h.add(c.pendingSoftirqs);
            h.add(c.pendingIrqs.size());
            for (int irq : c.pendingIrqs) h.add(irq);
            h.add(c.runqueue.size());
            for (int t : c.runqueue) h.add(t);
        }
        for (Task t : w.tasks) {
            h.add(t.savedPreemptCount);
            h.add(t.savedIrqsDisabled ? 1 : 0);
            h.add(t.atomicDepth);
            h.add(t.stack.size());
            for (Frame f : t.stack) {
                h.add(f.fn.name().hashCode());
                h.add(f.pc);
                h.add(f.kind.ordinal() * 2 + (f.waiting ? 1 : 0));
                h.add(f.returnTo == null ? 0 : f.returnTo.pos().line() * 4096L + f.returnTo.pos().col());
                for (Value v : f.locals) h.value(v);
            }
        }
        for (Map.Entry<String, Integer> e : w.budgets.entrySet()) {
            h.add(e.getKey().hashCode());
            h.add(e.getValue());
        }
        for (String r : w.reported) h.add(r.hashCode());
        for (java.util.Map.Entry<String, Extension> e : w.ext.entrySet()) {
            h.add(e.getKey().hashCode());
            e.getValue().hashInto(h);
        }
        return new StateHash(h.a, h.b);
    }

    /** What extensions feed their state to. */
    public interface Sink {
        void add(long v);

        void value(Value v);

        default void add(String s) {
            add(s.hashCode());
        }
    }

    /** Two independent 64-bit mixes (splitmix64 finalisers with different seeds). */
    private static final class H implements Sink {
        long a = 0x9E3779B97F4A7C15L;
        long b = 0xC2B2AE3D27D4EB4FL;

        @Override
        public void add(long v) {
            a = mix(a ^ v) + 0x632BE59BD9B4E019L;
            b = mix(b + v * 0xFF51AFD7ED558CCDL) ^ 0x5851F42D4C957F2DL;
        }

        @Override
        public void value(Value v) {
            if (v instanceof Value.Int i) {
                add(1);
                add(i.v());
            } else if (v instanceof Value.Ref r) {
                add(2);
                add(r.id());
                add(r.index());
            } else if (v instanceof Value.Fn f) {
                add(3);
                add(f.name().hashCode());
            } else if (v instanceof Value.Str s) {
                add(4);
                add(s.s().hashCode());
            } else if (v instanceof Value.Seq q) {
                add(6);
                add(q.items().size());
                for (Value e : q.items()) value(e);
            } else {
                add(5);
            }
        }

        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }
}
