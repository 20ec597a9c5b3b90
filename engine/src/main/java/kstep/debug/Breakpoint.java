package kstep.debug;

import kstep.engine.Event;
import kstep.engine.Finding;
import kstep.engine.StepRecord;

/**
 * Where a run stops: at a model line, when an object (or one field) changes, at an event, at a finding, or when
 * a condition becomes true. Any of them may carry an {@code if} condition that must hold after the step.
 * Written as the Breakpoints tab and {@code kstep debug --break} take them:
 * {@code line vgic/arm.kc:14 cpu0}, {@code watch vcpu0.its_vpe.resident}, {@code event irq cpu1},
 * {@code finding lost-wakeup}, {@code when mutex_a.owner != NULL}, or a kernel happening: {@code lock-taken mutex_a},
 * {@code lock-released}, {@code vpe-resident}, {@code vpe-nonresident}, {@code doorbell-armed}, {@code doorbell-disarmed},
 * {@code pte-changed}, {@code vma-split}, {@code vma-merged}, {@code page-reclaimed}; memory without a named object
 * ({@code watch frame6}, {@code watch pte@0x10001000}, {@code watch vma@0x10000000}); or plain text ({@code text swap slot}). Each optionally
 * followed by {@code if EXPR}.
 */
public sealed interface Breakpoint {
    /** The text it was written as (what the tab lists). */
    String spec();

    /** The extra condition, or null. */
    Condition guard();

    /** Why step {@code c} stops here, its guard aside, or null. */
    String matches(StepContext c);

    /** Why step {@code c} stops here, guard included, or null. */
    default String hit(StepContext c) {
        String why = matches(c);
        if (why == null) return null;
        if (guard() != null && !guard().test(c.after())) return null;
        return why;
    }

    /** At line {@code file:line}, on {@code cpu} (-1: any). */
    record AtLine(String spec, String file, int line, int cpu, Condition guard) implements Breakpoint {
        public String matches(StepContext c) {
            StepRecord r = c.record();
            if (r.where() == null || r.where().line() != line || !r.where().file().equals(file)) return null;
            if (cpu >= 0 && r.cpu() != cpu) return null;
            return "cpu" + r.cpu() + " ran " + file + ":" + line;
        }
    }

    /**
     * When {@code target} changes: an object, a CPU or a task ({@code vcpu0}, {@code cpu1}), which includes its
     * fields and embedded objects, or one field of it ({@code vcpu0.its_vpe.resident}).
     */
    record Watch(String spec, String target, Condition guard) implements Breakpoint {
        public String matches(StepContext c) {
            for (Event e : c.record().events()) {
                if (e.field() == null || e.subject() == null) continue;
                String path = e.subject() + "." + e.field();
                if (path.equals(target) || path.startsWith(target + ".")) return e.text();
            }
            return null;
        }
    }

    /** When frame {@code pfn}'s struct page changes: what it holds, its flags, counts, LRU list, swap slot, who maps it. */
    record WatchFrame(String spec, int pfn, Condition guard) implements Breakpoint {
        public String matches(StepContext c) {
            return MmWatch.frameChange(c, pfn);
        }
    }

    /** When the PTE that maps {@code addr} changes in any process (a fault installs it, reclaim swaps it out, a fork write-protects it). */
    record WatchPte(String spec, long addr, Condition guard) implements Breakpoint {
        public String matches(StepContext c) {
            return MmWatch.pteChange(c, addr);
        }
    }

    /** When the VMA that holds {@code addr} changes in any process: split, merged, grown, its flags changed, unmapped. */
    record WatchVma(String spec, long addr, Condition guard) implements Breakpoint {
        public String matches(StepContext c) {
            return MmWatch.vmaChange(c, addr);
        }
    }

    /** At a step whose line, task or events contain {@code text} (case ignored): the trace's plain search. */
    record Text(String spec, String text, Condition guard) implements Breakpoint {
        public String matches(StepContext c) {
            StepRecord r = c.record();
            String needle = text.toLowerCase(java.util.Locale.ROOT);
            if (r.where() != null && r.where().fileLine().toLowerCase(java.util.Locale.ROOT).contains(needle)) return "cpu" + r.cpu() + " ran " + r.where().fileLine();
            if (r.taskName() != null && r.taskName().toLowerCase(java.util.Locale.ROOT).contains(needle)) return r.taskName() + " ran on cpu" + r.cpu();
            for (Event e : r.events()) if (e.text().toLowerCase(java.util.Locale.ROOT).contains(needle)) return e.text();
            return null;
        }
    }

    /** At an event of {@code kind} (irq, switch, preempt, device, ...), about {@code subject} when given. */
    record OnEvent(String spec, Event.Kind kind, String subject, Condition guard) implements Breakpoint {
        public String matches(StepContext c) {
            for (Event e : c.record().events()) {
                if (e.kind() != kind) continue;
                if (subject != null && (e.subject() == null || !(e.subject().equals(subject) || e.subject().startsWith(subject + ".")))) continue;
                return e.text();
            }
            return null;
        }
    }

    /** At a kernel happening ({@link KernelEvent}), about {@code name} (a lock, a vPE, a process) when given. */
    record OnKernel(String spec, KernelEvent event, String name, Condition guard) implements Breakpoint {
        public String matches(StepContext c) {
            return event.find(c, name);
        }
    }

    /** At a finding (of {@code kind}, or any). */
    record OnFinding(String spec, String kind, Condition guard) implements Breakpoint {
        public String matches(StepContext c) {
            for (Finding f : c.findings()) if (f.step() == c.record().n() && (kind == null || kind.equals(f.kind()))) return f.kind() + ": " + f.headline();
            return null;
        }
    }

    /** When {@code condition} becomes true: false before the step, true after it. */
    record When(String spec, Condition condition, Condition guard) implements Breakpoint {
        public String matches(StepContext c) {
            return !condition.test(c.before()) && condition.test(c.after()) ? condition + " became true" : null;
        }
    }
}
