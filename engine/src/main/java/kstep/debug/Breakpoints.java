package kstep.debug;

import java.util.Locale;

import kstep.engine.Event;
import kstep.engine.World;

/** Reads a breakpoint as it is written (see {@link Breakpoint}); a DebugError gives the column of the mistake. */
public final class Breakpoints {
    private Breakpoints() { }

    /** {@code spec} as a breakpoint, its names checked against {@code initial} (the first step's world). */
    public static Breakpoint parse(String spec, World initial) {
        String s = spec.strip();
        int lead = spec.indexOf(s.isEmpty() ? " " : s.substring(0, 1));
        Condition guard = null;
        int ifAt = s.indexOf(" if ");
        String head = s;
        if (ifAt >= 0 && !s.startsWith("when ")) {
            String g = s.substring(ifAt + 4);
            try {
                guard = Condition.parse(g);
                guard.check(initial);
            } catch (DebugError e) {
                throw new DebugError(lead + ifAt + 4 + e.col(), e.getMessage());
            }
            head = s.substring(0, ifAt).strip();
        }
        String[] w = head.split("\\s+");
        String verb = w[0].toLowerCase(Locale.ROOT);
        int argCol = lead + w[0].length() + 2;
        switch (verb) {
            case "line": {
                if (w.length < 2 || w.length > 3 || !w[1].matches(".+:[0-9]+")) throw new DebugError(argCol, "line takes FILE:LINE and an optional cpuN");
                int c = w[1].lastIndexOf(':');
                int cpu = -1;
                if (w.length == 3) {
                    if (!w[2].matches("cpu[0-9]+")) throw new DebugError(lead + head.indexOf(w[2]) + 1, "'" + w[2] + "' is not cpuN");
                    cpu = Integer.parseInt(w[2].substring(3));
                    if (cpu >= initial.cpuCount()) throw new DebugError(lead + head.indexOf(w[2]) + 1, "there is no " + w[2]);
                }
                return new Breakpoint.AtLine(s, w[1].substring(0, c), Integer.parseInt(w[1].substring(c + 1)), cpu, guard);
            }
            case "watch": {
                if (w.length != 2) throw new DebugError(argCol, "watch takes one OBJECT or OBJECT.FIELD");
                String target = w[1];
                kstep.mm.MmState mm = initial.ext(kstep.mm.MmState.KEY, kstep.mm.MmState.class);
                if (target.matches("frame[0-9]+")) {
                    int pfn = Integer.parseInt(target.substring(5));
                    if (MmWatch.frame(initial, pfn) == null) throw new DebugError(argCol, mm == null
                        ? "this scenario has no physical memory to watch" : "there is no " + target + " (frames 0 to " + (mm.node().frames() - 1) + ")");
                    return new Breakpoint.WatchFrame(s, pfn, guard);
                }
                if (target.startsWith("pte@") || target.startsWith("vma@")) {
                    String what = target.substring(0, 3);
                    if (!target.matches("(pte|vma)@0x[0-9a-fA-F]{1,16}")) throw new DebugError(argCol + 4, what + "@ takes a hex address, e.g. " + what + "@0x10001000");
                    if (mm == null)
                        throw new DebugError(argCol, "this scenario has no " + (what.equals("pte") ? "page tables" : "address space") + " to watch");
                    long addr = Long.parseUnsignedLong(target.substring(6), 16);
                    // the PTE covers the whole page: watch it by the page's first byte
                    return what.equals("pte") ? new Breakpoint.WatchPte(s, addr & ~0xfffL, guard) : new Breakpoint.WatchVma(s, addr, guard);
                }
                String first = target.contains(".") ? target.substring(0, target.indexOf('.')) : target;
                if (!initial.names().containsKey(first) && !first.matches("cpu[0-9]+") && !first.equals("global"))
                    throw new DebugError(argCol, "no object named '" + first + "' here (a name the views show, e.g. vcpu0 or mutex_a)");
                return new Breakpoint.Watch(s, target, guard);
            }
            case "event": {
                if (w.length < 2 || w.length > 3) throw new DebugError(argCol, "event takes a KIND and an optional subject");
                Event.Kind kind;
                try {
                    kind = Event.Kind.valueOf(w[1].toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new DebugError(argCol, "'" + w[1] + "' is not an event kind (" + kinds() + ")");
                }
                return new Breakpoint.OnEvent(s, kind, w.length == 3 ? w[2] : null, guard);
            }
            case "text": {
                String t = head.strip().substring(4).strip();
                if (t.isEmpty()) throw new DebugError(argCol, "text takes the words to look for in a step's line, task or events");
                return new Breakpoint.Text(s, t, guard);
            }
            case "finding":
                if (w.length > 2) throw new DebugError(argCol, "finding takes an optional KIND (lost-wakeup, lockdep-circular, ...)");
                return new Breakpoint.OnFinding(s, w.length == 2 ? w[1] : null, guard);
            case "when": {
                String expr = s.substring(4);
                Condition c;
                try {
                    c = Condition.parse(expr);
                    c.check(initial);
                } catch (DebugError e) {
                    throw new DebugError(lead + 4 + e.col(), e.getMessage());
                }
                return new Breakpoint.When(s, c, null);
            }
            default: {
                KernelEvent k = KernelEvent.of(verb);
                if (k == null) throw new DebugError(lead + 1, "a breakpoint starts with line, watch, event, finding, when, text or a kernel happening ("
                    + happenings() + "), not '" + w[0] + "'");
                if (w.length > 2) throw new DebugError(argCol, verb + " takes an optional name (a lock, a vPE, a process)");
                return new Breakpoint.OnKernel(s, k, w.length == 2 ? w[1] : null, guard);
            }
        }
    }

    /**
     * A search of the trace (the window's Find, Ctrl+F): a breakpoint as written when it starts with one's word
     * (a mistake in it is reported), any other words as plain text ({@code text WORDS}).
     */
    public static Breakpoint query(String q, World initial) {
        String first = q.strip().split("\\s+")[0].toLowerCase(Locale.ROOT);
        boolean spec = java.util.Set.of("line", "watch", "event", "finding", "when", "text").contains(first) || KernelEvent.of(first) != null;
        return spec ? parse(q, initial) : new Breakpoint.Text("text " + q.strip(), q.strip(), null);
    }

    private static String happenings() {
        StringBuilder b = new StringBuilder();
        for (KernelEvent k : KernelEvent.values()) b.append(b.length() > 0 ? ", " : "").append(k.label());
        return b.toString();
    }

    private static String kinds() {
        StringBuilder b = new StringBuilder();
        for (Event.Kind k : Event.Kind.values()) b.append(b.length() > 0 ? ", " : "").append(k.label());
        return b.toString();
    }
}
