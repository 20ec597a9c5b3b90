package kstep.lock;

import java.util.List;

import kstep.engine.Exec;
import kstep.engine.KObject;
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
    static String lockName(LockdepState s, int cls) {
        LockClass c = s.classes.get(cls);
        return " (" + c.name() + "){" + usageChars(s, cls) + "}-{" + c.waitOuter() + ":" + c.waitInner() + "}";
    }

    /** print_lock(): "address (name){usage}-{x:y}, at: function+off/size". */
    static String printLock(World w, LockdepState s, Held h) {
        return KernelText.px(w, w.object(h.lock())) + lockName(s, h.cls()) + ", at: " + h.ip();
    }

    /** lockdep_print_held_locks(). */
    static String heldLocks(World w, LockdepState s, KObject task) {
        List<Held> held = s.held(task.id());
        String who = task.text("comm") + "/" + task.getLong("pid");
        StringBuilder b = new StringBuilder();
        if (held.isEmpty()) {
            b.append("no locks held by ").append(who).append(".\n");
            return b.toString();
        }
        b.append(held.size()).append(" lock").append(held.size() > 1 ? "s" : "").append(" held by ").append(who).append(":\n");
        for (int i = 0; i < held.size(); i++) b.append(" #").append(i).append(": ").append(printLock(w, s, held.get(i))).append('\n');
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

    private static void report(Exec x, LockdepState s, String kind, String text) {
        Lockdep.off(s);
        x.finding(kind, text);
    }

    private static String cls(LockdepState s, int c) {
        return s.classes.get(c).name();
    }

    /** print_circular_bug(): the new lock depends, through the graph, on a lock the task holds. */
    static void circular(Exec x, LockdepState s, Held prev, Held next, List<Integer> path) {
        World w = x.world();
        s.reportedCycle.clear();
        s.reportedCycle.addAll(path);
        StringBuilder b = new StringBuilder();
        b.append("======================================================\n");
        b.append("WARNING: possible circular locking dependency detected\n");
        b.append(KernelText.ident(x.config(), w)).append('\n');
        b.append("------------------------------------------------------\n");
        b.append(who(x)).append(" is trying to acquire lock:\n");
        b.append(printLock(w, s, next)).append('\n');
        b.append("\nbut task is already holding lock:\n");
        b.append(printLock(w, s, prev)).append('\n');
        b.append("\nwhich lock already depends on the new lock.\n\n");
        b.append("\nthe existing dependency chain (in reverse order) is:\n");
        // path runs next -> ... -> prev; lockdep prints it from prev back to next, deepest first
        for (int i = path.size() - 1; i >= 0; i--) {
            b.append("\n-> #").append(i).append(lockName(s, path.get(i))).append(":\n");
            List<String> stack = i == 0 ? next.stack() : s.deps.get(((long) path.get(i - 1) << 32) | path.get(i)).next().stack();
            b.append(trace(stack, 7));
        }
        b.append("\nother info that might help us debug this:\n\n");
        int source = next.cls();
        int target = prev.cls();
        int parent = path.size() > 1 ? path.get(path.size() - 2) : source;
        if (parent != source) {
            b.append("Chain exists of:\n  ").append(cls(s, source)).append(" --> ").append(cls(s, parent)).append(" --> ")
                .append(cls(s, target)).append("\n\n");
        }
        b.append(" Possible unsafe locking scenario:\n\n");
        b.append("       CPU0                    CPU1\n");
        b.append("       ----                    ----\n");
        b.append("  lock(").append(cls(s, target)).append(");\n");
        b.append("                               lock(").append(cls(s, parent)).append(");\n");
        b.append("                               lock(").append(cls(s, target)).append(");\n");
        b.append("  lock(").append(cls(s, source)).append(");\n");
        b.append("\n *** DEADLOCK ***\n\n");
        b.append(heldLocks(w, s, x.currentTaskStruct()));
        b.append("\nstack backtrace:\n");
        b.append(KernelText.dumpStack(x));
        report(x, s, "lockdep-circular", b.toString());
    }

    /** print_usage_bug(): a class used both in an interrupt and with that interrupt enabled. */
    static void inconsistent(Exec x, LockdepState s, Held h, int prevBit, int newBit) {
        World w = x.world();
        int pc = x.cpu().preemptCount();
        StringBuilder b = new StringBuilder();
        b.append("================================\n");
        b.append("WARNING: inconsistent lock state\n");
        b.append(KernelText.ident(x.config(), w)).append('\n');
        b.append("--------------------------------\n");
        b.append("inconsistent {").append(Lockdep.USAGE_STR[prevBit]).append("} -> {").append(Lockdep.USAGE_STR[newBit]).append("} usage.\n");
        boolean hardirq = (pc & PreemptCount.HARDIRQ_MASK) != 0;
        boolean softirq = (pc & PreemptCount.SOFTIRQ_OFFSET) != 0;
        b.append(who(x)).append(" [HC").append(hardirq ? 1 : 0).append('[').append((pc & PreemptCount.HARDIRQ_MASK) >>> 16)
            .append("]:SC").append(softirq ? 1 : 0).append('[').append((pc & PreemptCount.SOFTIRQ_MASK) >>> 8)
            .append("]:HE").append(x.cpu().irqsDisabled() ? 0 : 1).append(":SE").append((pc & PreemptCount.SOFTIRQ_MASK) == 0 ? 1 : 0)
            .append("] takes:\n");
        b.append(printLock(w, s, h)).append('\n');
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
        b.append(heldLocks(w, s, x.currentTaskStruct()));
        b.append("\nstack backtrace:\n");
        b.append(KernelText.dumpStack(x));
        report(x, s, "lockdep-inconsistent", b.toString());
    }

    /** print_deadlock_bug(): the task takes a class it already holds. */
    static void recursive(Exec x, LockdepState s, Held prev, Held next) {
        World w = x.world();
        StringBuilder b = new StringBuilder();
        b.append("============================================\n");
        b.append("WARNING: possible recursive locking detected\n");
        b.append(KernelText.ident(x.config(), w)).append('\n');
        b.append("--------------------------------------------\n");
        b.append(who(x)).append(" is trying to acquire lock:\n");
        b.append(printLock(w, s, next)).append('\n');
        b.append("\nbut task is already holding lock:\n");
        b.append(printLock(w, s, prev)).append('\n');
        b.append("\nother info that might help us debug this:\n");
        b.append(" Possible unsafe locking scenario:\n\n");
        b.append("       CPU0\n");
        b.append("       ----\n");
        b.append("  lock(").append(cls(s, prev.cls())).append(");\n");
        b.append("  lock(").append(cls(s, next.cls())).append(");\n");
        b.append("\n *** DEADLOCK ***\n\n");
        b.append(" May be due to missing lock nesting notation\n\n");
        b.append(heldLocks(w, s, x.currentTaskStruct()));
        b.append("\nstack backtrace:\n");
        b.append(KernelText.dumpStack(x));
        report(x, s, "lockdep-recursive", b.toString());
    }

    /** print_bad_irq_dependency(): an irq-safe lock would wait for an irq-unsafe one. */
    static void badIrqDependency(Exec x, LockdepState s, Held prev, Held next, int state, int safe, int unsafe) {
        World w = x.world();
        String irq = state == Lockdep.USED_IN_HARDIRQ ? "HARDIRQ" : "SOFTIRQ";
        StringBuilder b = new StringBuilder();
        b.append("=====================================================\n");
        b.append("WARNING: ").append(irq).append("-safe -> ").append(irq).append("-unsafe lock order detected\n");
        b.append(KernelText.ident(x.config(), w)).append('\n');
        b.append("-----------------------------------------------------\n");
        b.append(who(x)).append(" is trying to acquire:\n");
        b.append(printLock(w, s, next)).append('\n');
        b.append("\nand this task is already holding:\n");
        b.append(printLock(w, s, prev)).append('\n');
        b.append("which would create a new lock dependency:\n");
        b.append(" (").append(cls(s, prev.cls())).append("){").append(usageChars(s, prev.cls())).append("} -> (")
            .append(cls(s, next.cls())).append("){").append(usageChars(s, next.cls())).append("}\n");
        b.append("\nbut this new dependency connects a ").append(irq).append("-irq-safe lock:\n");
        b.append(lockName(s, safe).substring(1)).append('\n');
        b.append("\n... which became ").append(irq).append("-irq-safe at:\n");
        String at = s.usageAt.get(safe)[state];
        if (at != null) b.append(trace(List.of(at.split("\n")), 2));
        b.append("\nto a ").append(irq).append("-irq-unsafe lock:\n");
        b.append(lockName(s, unsafe).substring(1)).append('\n');
        b.append("\n... which became ").append(irq).append("-irq-unsafe at:\n");
        String un = s.usageAt.get(unsafe)[state + Lockdep.DIR];
        if (un != null) b.append(trace(List.of(un.split("\n")), 2));
        b.append("\nother info that might help us debug this:\n\n");
        b.append(" Possible interrupt unsafe locking scenario:\n\n");
        b.append("       CPU0                    CPU1\n");
        b.append("       ----                    ----\n");
        b.append("  lock(").append(cls(s, unsafe)).append(");\n");
        b.append("                               local_irq_disable();\n");
        b.append("                               lock(").append(cls(s, safe)).append(");\n");
        b.append("                               lock(").append(cls(s, unsafe)).append(");\n");
        b.append("  <Interrupt>\n");
        b.append("    lock(").append(cls(s, safe)).append(");\n");
        b.append("\n *** DEADLOCK ***\n\n");
        b.append(heldLocks(w, s, x.currentTaskStruct()));
        b.append("\nstack backtrace:\n");
        b.append(KernelText.dumpStack(x));
        report(x, s, "lockdep-irq-order", b.toString());
    }

    /** print_unlock_imbalance_bug(): releasing a lock the task does not hold. */
    static void unlockImbalance(Exec x, LockdepState s, KObject l) {
        World w = x.world();
        int cls = Lockdep.classOf(x, l);
        StringBuilder b = new StringBuilder();
        b.append("=====================================\n");
        b.append("WARNING: bad unlock balance detected!\n");
        b.append(KernelText.ident(x.config(), w)).append('\n');
        b.append("-------------------------------------\n");
        b.append(who(x)).append(" is trying to release lock (").append(cls(s, cls)).append(") at:\n");
        b.append(KernelText.callTrace(x.task()).get(0)).append('\n');
        b.append("but there are no more locks to release!\n");
        b.append("\nother info that might help us debug this:\n");
        b.append(heldLocks(w, s, x.currentTaskStruct()));
        b.append("\nstack backtrace:\n");
        b.append(KernelText.dumpStack(x));
        report(x, s, "lockdep-unlock-imbalance", b.toString());
    }
}
