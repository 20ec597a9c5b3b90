package kstep.debug;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kstep.engine.Cpu;
import kstep.engine.KObject;
import kstep.engine.StructType;
import kstep.engine.World;
import kstep.scenario.Session;

/**
 * What differs between two moments: every named object's fields (by name, so the buggy and the fixed kernel,
 * whose heaps differ, compare object for object), the CPUs' context, and objects only one side has.
 */
public final class WorldDiff {
    /** {@code what} reads {@code before} on one side and {@code after} on the other. */
    public record Change(String what, String before, String after) {
        @Override
        public String toString() {
            return what + ": " + before + " -> " + after;
        }
    }

    private WorldDiff() { }

    /** The differences from {@code a} to {@code b}, in {@code a}'s object order, then the objects only {@code b} has. */
    public static List<Change> between(World a, World b) {
        List<Change> out = new ArrayList<>();
        for (int c = 0; c < Math.min(a.cpuCount(), b.cpuCount()); c++) {
            Cpu x = a.cpu(c);
            Cpu y = b.cpu(c);
            add(out, "cpu" + c + ".task", task(a, c), task(b, c));
            add(out, "cpu" + c + ".preempt_count", "0x" + Integer.toHexString(x.preemptCount()), "0x" + Integer.toHexString(y.preemptCount()));
            add(out, "cpu" + c + ".irqs", x.irqsDisabled() ? "off" : "on", y.irqsDisabled() ? "off" : "on");
            add(out, "cpu" + c + ".pending_irqs", x.pendingIrqs().toString(), y.pendingIrqs().toString());
        }
        Map<String, KObject> left = byName(a);
        Map<String, KObject> right = byName(b);
        for (Map.Entry<String, KObject> e : left.entrySet()) {
            KObject o = e.getValue();
            KObject p = right.get(e.getKey());
            if (p == null || !p.type().name().equals(o.type().name())) {
                out.add(new Change(e.getKey(), o.freed() ? "freed" : "exists", "absent"));
                continue;
            }
            if (o.freed() != p.freed()) add(out, e.getKey(), o.freed() ? "freed" : "live", p.freed() ? "freed" : "live");
            for (StructType.Field f : o.type().fields()) {
                if (f.shape() == StructType.Shape.EMBEDDED) continue; // compared as objects of their own
                add(out, e.getKey() + "." + f.name(), a.showField(o, f.name()), b.showField(p, f.name()));
            }
        }
        for (Map.Entry<String, KObject> e : right.entrySet())
            if (!left.containsKey(e.getKey())) out.add(new Change(e.getKey(), "absent", e.getValue().freed() ? "freed" : "exists"));
        return out;
    }

    /** Step {@code n} of {@code s} against the same step of {@code variant}, run on the same schedule. */
    public static List<Change> againstVariant(Session s, int n, String variant) {
        Session other = s.copy();
        other.switchVariant(variant);
        return between(s.worldAt(n), other.worldAt(Math.min(n, other.length())));
    }

    private static String task(World w, int cpu) {
        return w.current(cpu) == null ? "-" : w.taskStruct(w.current(cpu)).text("comm");
    }

    private static void add(List<Change> out, String what, String x, String y) {
        if (!x.equals(y)) out.add(new Change(what, x, y));
    }

    private static Map<String, KObject> byName(World w) {
        Map<String, KObject> m = new LinkedHashMap<>();
        for (int id = 1; id <= w.objectCount(); id++) {
            KObject o = w.object(id);
            if (o != null && !o.type().isArray()) m.putIfAbsent(o.name(), o);
        }
        return m;
    }
}
