package kstep.lock;

import java.util.List;

import kstep.engine.Exec;
import kstep.engine.KObject;
import kstep.engine.KernelConfig;
import kstep.engine.KernelText;
import kstep.engine.PreemptCount;
import kstep.engine.World;

/** lockdep's reports, in the kernel's text (kernel/locking/lockdep.c print_*_bug and friends). */
final class LockdepReport {
    private LockdepReport() { }

    /** get_usage_chars(): for HARDIRQ and SOFTIRQ, the write then the read character. */
    static String usageChars(LockdepState s, int cls) {
        int u = s.usage(cls);
        StringBuilder b = new StringBuilder();
        for (int bit : new int[] {Lockdep.USED_IN_HARDIRQ, Lockdep.USED_IN_HARDIRQ + Lockdep.READ,
            Lockdep.USED_IN_SOFTIRQ, Lockdep.USED_IN_SOFTIRQ + Lockdep.READ}) {
            char c = '.';
            if ((u & (1 << (bit + Lockdep.DIR))) != 0) {
                c = '+';
                if ((u & (1 << bit)) != 0) c = '?';
            } else if ((u & (1 << bit)) != 0) {
                c = '-';
            }
            b.append(c);
        }
        return b.toString();
    }

    /** print_lock_name(): " (name){usage}-{outer:inner}". */
    static String lockName(KernelConfig k, LockdepState s, int cls) {
        LockClass c = s.classes.get(cls);
        return " (" + c.name() + "){" + usageChars(s, cls) + "}-" + c.waitTypes(k);
    }

    /** print_lock(): "address (name){usage}-{x:y}, at: function+off/size". */
    static String printLock(KernelConfig k, World w, LockdepState s, Held h) {
        return KernelText.px(w, w.object(h.lock())) + lockName(k, s, h.cls()) + ", at: " + h.ip();
    }

    /** lockdep_print_held_locks(). */
    static String heldLocks(KernelConfig k, World w, LockdepState s, KObject task) {
        List<Held> held = s.held(task.id());
        String who = task.text("comm") + "/" + task.getLong("pid");
        StringBuilder b = new StringBuilder();
        if (held.isEmpty()) {
            b.append("no locks held by ").append(who).append(".\n");
            return b.toString();
        }
        b.append(held.size()).append(" lock").append(held.size() > 1 ? "s" : "").append(" held by ").append(who).append(":\n");
        for (int i = 0; i < held.size(); i++) b.append(" #").append(i).append(": ").append(printLock(k, w, s, held.get(i))).append('\n');
        return b.toString();
    }

    private static String trace(List<String> stack, int indent) {
        StringBuilder b = new StringBuilder();
        for (String f : stack) b.append(" ".repeat(indent)).append(f).append('\n');
        return b.toString();
    }

    private static String who(Exec x) {
        KObject t = x.currentTaskStruct();
        return t.text("comm") + "/" + t.getLong("pid");
    }

    /** A report's banner: a rule as long as the kernel's, the title, print_kernel_ident(), a dashed rule. */
    private static StringBuilder banner(Exec x, int rule, String title) {
        return new StringBuilder().append("=".repeat(rule)).append('\n').append(title).append('\n')
            .append(KernelText.ident(x.config(), x.world())).append('\n').append("-".repeat(rule)).append('\n');
    }

    /** "TASK/PID is trying to acquire lock:", the lock, and the one already held. */
    private static void tryingToAcquire(StringBuilder b, Exec x, LockdepState s, Held next, Held prev) {
        b.append(who(x)).append(" is trying to acquire lock:\n");
        b.append(printLock(x.config(), x.world(), s, next)).append('\n');
        b.append("\nbut task is already holding lock:\n");
        b.append(printLock(x.config(), x.world(), s, prev)).append('\n');
    }

    /** The end of every report: the task's held locks (unless already printed), then dump_stack(). */
    private static void heldAndBacktrace(StringBuilder b, Exec x, LockdepState s, boolean held) {
        if (held) b.append(heldLocks(x.config(), x.world(), s, x.currentTaskStruct()));
        b.append("\nstack backtrace:\n");
        b.append(KernelText.dumpStack(x));
    }

    private static void report(Exec x, LockdepState s, String kind, String text) {
        Lockdep.off(s);
        x.finding(kind, text);
    }

    private static String cls(LockdepState s, int c) {
        return s.classes.get(c).name();
    }

    /** print_circular_bug(): the new lock depends, through the graph, on a lock the task holds. */
    static void circular(Exec x, LockdepState s, Held prev, Held next, List<Integer> path) {
        s.reportedCycle.clear();
        s.reportedCycle.addAll(path);
        StringBuilder b = banner(x, 54, "WARNING: possible circular locking dependency detected");
        tryingToAcquire(b, x, s, next, prev);
        b.append("\nwhich lock already depends on the new lock.\n\n");
        b.append("\nthe existing dependency chain (in reverse order) is:\n");
        // path runs next -> ... -> prev; lockdep prints it from prev back to next, deepest first
        for (int i = path.size() - 1; i >= 0; i--) {
            b.append("\n-> #").append(i).append(lockName(x.config(), s, path.get(i))).append(":\n");
            List<String> stack = i == 0 ? next.stack() : s.deps.get(((long) path.get(i - 1) << 32) | path.get(i)).next().stack();
            b.append(trace(stack, 7));
        }
        b.append("\nother info that might help us debug this:\n\n");
        int source = next.cls();
        int target = prev.cls();
        int parent = path.size() > 1 ? path.get(path.size() - 2) : source;
        if (parent != source) chainExists(b, s, source, parent, target);
        scenarioHeader(b, "Possible unsafe locking scenario");
        b.append("  lock(").append(cls(s, target)).append(");\n");
        b.append("                               lock(").append(cls(s, parent)).append(");\n");
        b.append("                               lock(").append(cls(s, target)).append(");\n");
        b.append("  lock(").append(cls(s, source)).append(");\n");
        b.append("\n *** DEADLOCK ***\n\n");
        heldAndBacktrace(b, x, s, true);
        report(x, s, "lockdep-circular", b.toString());
    }

    /** print_usage_bug(): a class used both in an interrupt and with that interrupt enabled. */
    static void inconsistent(Exec x, LockdepState s, Held h, int prevBit, int newBit) {
        World w = x.world();
        int pc = x.cpu().preemptCount();
        StringBuilder b = banner(x, 32, "WARNING: inconsistent lock state");
        b.append("inconsistent {").append(Lockdep.USAGE_STR[prevBit]).append("} -> {").append(Lockdep.USAGE_STR[newBit]).append("} usage.\n");
        b.append(who(x)).append(' ').append(irqState(x)).append(" takes:\n");
        b.append(printLock(x.config(), w, s, h)).append('\n');
        b.append('{').append(Lockdep.USAGE_STR[prevBit]).append("} state was registered at:\n");
        String at = s.usageAt.get(h.cls())[prevBit];
        if (at != null) b.append(trace(List.of(at.split("\n")), 2));
        b.append(IrqTraceText.events(x, s));
        b.append("\nother info that might help us debug this:\n");
        b.append(" Possible unsafe locking scenario:\n\n");
        b.append("       CPU0\n");
        b.append("       ----\n");
        b.append("  lock(").append(cls(s, h.cls())).append(");\n");
        b.append("  <Interrupt>\n");
        b.append("    lock(").append(cls(s, h.cls())).append(");\n");
        b.append("\n *** DEADLOCK ***\n\n");
        heldAndBacktrace(b, x, s, true);
        report(x, s, "lockdep-inconsistent", b.toString());
    }

    /** print_deadlock_bug(): the task takes a class it already holds. */
    static void recursive(Exec x, LockdepState s, Held prev, Held next) {
        StringBuilder b = banner(x, 44, "WARNING: possible recursive locking detected");
        tryingToAcquire(b, x, s, next, prev);
        b.append("\nother info that might help us debug this:\n");
        b.append(" Possible unsafe locking scenario:\n\n");
        b.append("       CPU0\n");
        b.append("       ----\n");
        b.append("  lock(").append(cls(s, prev.cls())).append(");\n");
        b.append("  lock(").append(cls(s, next.cls())).append(");\n");
        b.append("\n *** DEADLOCK ***\n\n");
        b.append(" May be due to missing lock nesting notation\n\n");
        heldAndBacktrace(b, x, s, true);
        report(x, s, "lockdep-recursive", b.toString());
    }

    /** The "[HC0[0]:SC0[0]:HE1:SE1]" of print_usage_bug() and print_bad_irq_dependency(): the irq state now. */
    private static String irqState(Exec x) {
        int pc = x.cpu().preemptCount();
        boolean hardirq = (pc & PreemptCount.HARDIRQ_MASK) != 0;
        boolean softirq = (pc & PreemptCount.SOFTIRQ_OFFSET) != 0;
        return "[HC" + (hardirq ? 1 : 0) + '[' + ((pc & PreemptCount.HARDIRQ_MASK) >>> 16) + "]:SC" + (softirq ? 1 : 0) + '['
            + ((pc & PreemptCount.SOFTIRQ_MASK) >>> 8) + "]:HE" + (x.cpu().irqsDisabled() ? 0 : 1) + ":SE"
            + ((pc & PreemptCount.SOFTIRQ_MASK) == 0 ? 1 : 0) + "]";
    }

    /** print_lock_class_header(): the class, every usage it has with where it was first seen, and its key. */
    private static String classHeader(Exec x, LockdepState s, int cls, int depth) {
        String pad = " ".repeat(depth);
        StringBuilder b = new StringBuilder(pad).append("->").append(lockName(x.config(), s, cls)).append(" {\n");
        for (int bit = 0; bit < Lockdep.USAGE_STR.length; bit++) {
            if ((s.usage(cls) & (1 << bit)) == 0) continue;
            String head = pad + "   " + Lockdep.USAGE_STR[bit];
            b.append(head).append(" at:\n");
            // the kernel indents the trace by what it has printed on the line so far: depth, the usage, " at:"
            String at = s.usageAt.get(cls)[bit];
            if (at != null) b.append(trace(List.of(at.split("\n")), depth + head.length() + 4 + 1));
        }
        b.append(pad).append(" }\n");
        b.append(pad).append(" ... key      at: ").append(classKey(x, s, cls)).append('\n');
        return b.toString();
    }

    /** "[<%px>] %pS" of a class's key: the lock itself for a static lock, else the static key of its init site. */
    private static String classKey(Exec x, LockdepState s, int cls) {
        LockClass c = s.classes.get(cls);
        if (c.key().startsWith("static:")) {
            KObject l = x.world().named(c.key().substring("static:".length()));
            if (l != null) return "[<" + KernelText.px(x.world(), l) + ">] " + SpinDebug.lockSymbol(x, l);
        }
        return String.format("[<%016x>] __key.%d+0x0/0x10", 0xffff800083000000L + cls * 0x10L, cls);
    }

    /** The trace a dependency from -> to was first recorded with. */
    private static List<String> depTrace(LockdepState s, int from, int to) {
        return s.deps.get(((long) from << 32) | to).next().stack();
    }

    /**
     * print_bad_irq_dependency(): the new dependency prev -> next connects an irq-safe lock ({@code back}: from
     * the safe class to prev) to an irq-unsafe one ({@code fwd}: from the unsafe class back to next). Both
     * lists run leaf first, as the kernel prints them.
     */
    static void badIrqDependency(Exec x, LockdepState s, Held prev, Held next, int state, List<Integer> back, List<Integer> fwd) {
        World w = x.world();
        String irq = state == Lockdep.USED_IN_HARDIRQ ? "HARDIRQ" : "SOFTIRQ";
        int safe = back.get(0);
        int unsafe = fwd.get(0);
        int safeBit = (s.usage(safe) & (1 << state)) != 0 ? state : state + Lockdep.READ;
        int unsafeBit = (s.usage(unsafe) & (1 << (state + Lockdep.DIR))) != 0 ? state + Lockdep.DIR : state + Lockdep.DIR + Lockdep.READ;
        StringBuilder b = banner(x, 53, "WARNING: " + irq + "-safe -> " + irq + "-unsafe lock order detected");
        b.append(who(x)).append(' ').append(irqState(x)).append(" is trying to acquire:\n");
        b.append(printLock(x.config(), w, s, next)).append('\n');
        b.append("\nand this task is already holding:\n");
        b.append(printLock(x.config(), w, s, prev)).append('\n');
        b.append("which would create a new lock dependency:\n");
        b.append(lockName(x.config(), s, prev.cls())).append(" ->").append(lockName(x.config(), s, next.cls())).append('\n');
        b.append("\nbut this new dependency connects a ").append(irq).append("-irq-safe lock:\n");
        b.append(lockName(x.config(), s, safe)).append('\n');
        b.append("\n... which became ").append(irq).append("-irq-safe at:\n");
        String at = s.usageAt.get(safe)[safeBit];
        if (at != null) b.append(trace(List.of(at.split("\n")), 2));
        b.append("\nto a ").append(irq).append("-irq-unsafe lock:\n");
        b.append(lockName(x.config(), s, unsafe)).append('\n');
        b.append("\n... which became ").append(irq).append("-irq-unsafe at:\n...\n");
        String un = s.usageAt.get(unsafe)[unsafeBit];
        if (un != null) b.append(trace(List.of(un.split("\n")), 2));
        b.append("\nother info that might help us debug this:\n\n");
        // print_irq_lock_scenario(): the middle lock is prev, or next when prev is the safe lock itself
        int middle = prev.cls() == safe ? next.cls() : prev.cls();
        if (middle != unsafe) chainExists(b, s, safe, middle, unsafe);
        scenarioHeader(b, "Possible interrupt unsafe locking scenario");
        b.append("  lock(").append(cls(s, unsafe)).append(");\n");
        b.append("                               local_irq_disable();\n");
        b.append("                               lock(").append(cls(s, safe)).append(");\n");
        b.append("                               lock(").append(cls(s, middle)).append(");\n");
        b.append("  <Interrupt>\n");
        b.append("    lock(").append(cls(s, safe)).append(");\n");
        b.append("\n *** DEADLOCK ***\n\n");
        b.append(heldLocks(x.config(), w, s, x.currentTaskStruct()));
        // print_shortest_lock_dependencies_backwards(): each class, then where the next one was taken under it
        b.append("\nthe dependencies between ").append(irq).append("-irq-safe lock and the holding lock:\n");
        for (int i = 0; i < back.size(); i++) {
            int depth = back.size() - 1 - i;
            b.append(classHeader(x, s, back.get(i), depth));
            if (i > 0) {
                b.append(" ".repeat(depth)).append(" ... acquired at:\n");
                b.append(trace(depTrace(s, back.get(i - 1), back.get(i)), 3)).append('\n');
            }
        }
        // print_shortest_lock_dependencies(): each class and where it was taken; next was taken just now
        b.append("\nthe dependencies between the lock to be acquired and ").append(irq).append("-irq-unsafe lock:\n");
        for (int i = 0; i < fwd.size(); i++) {
            int depth = fwd.size() - 1 - i;
            b.append(classHeader(x, s, fwd.get(i), depth));
            b.append(" ".repeat(depth)).append(" ... acquired at:\n");
            List<String> t = i + 1 < fwd.size() ? depTrace(s, fwd.get(i + 1), fwd.get(i)) : KernelText.callTrace(x.task());
            b.append(trace(t, 3)).append('\n');
        }
        heldAndBacktrace(b, x, s, false);
        report(x, s, "lockdep-irq-order", b.toString());
    }

    /** print_unlock_imbalance_bug(): releasing a lock the task does not hold. */
    static void unlockImbalance(Exec x, LockdepState s, KObject l) {
        int cls = Lockdep.classOf(x, l);
        StringBuilder b = banner(x, 37, "WARNING: bad unlock balance detected!");
        b.append(who(x)).append(" is trying to release lock (").append(cls(s, cls)).append(") at:\n");
        b.append(KernelText.ipSym(x.frame(), x.frame().pc())).append('\n');
        b.append("but there are no more locks to release!\n");
        b.append("\nother info that might help us debug this:\n");
        heldAndBacktrace(b, x, s, true);
        report(x, s, "lockdep-unlock-imbalance", b.toString());
    }

    /** "Chain exists of:" when the cycle or the irq path goes through a third lock. */
    private static void chainExists(StringBuilder b, LockdepState s, int first, int middle, int last) {
        b.append("Chain exists of:\n  ").append(cls(s, first)).append(" --> ").append(cls(s, middle)).append(" --> ")
            .append(cls(s, last)).append("\n\n");
    }

    /** The title and the two CPU columns of print_circular_lock_scenario() and print_irq_lock_scenario(). */
    private static void scenarioHeader(StringBuilder b, String title) {
        b.append(' ').append(title).append(":\n\n");
        b.append("       CPU0                    CPU1\n");
        b.append("       ----                    ----\n");
    }
}
