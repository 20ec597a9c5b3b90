package kstep.mm.linux23;

import kstep.engine.Exec;
import kstep.engine.FieldHook;
import kstep.engine.KObject;
import kstep.engine.KernelText;
import kstep.engine.Value;

/**
 * What kstep checks while the Linux 2.3 models touch vmas and mms. A read of a field of a vma another task
 * has marked half-updated (its range, offset, flags or link; vm_mm never changes) is an inconsistent read. From 2.3.22 on (when Documentation/vm/locking wrote them down)
 * Kanoj Sarcar's rules: changing the vma list, or vm_start, vm_end, vm_flags or vm_next of a vma on it,
 * needs mmap_sem (rule 1) and the vmlist modify lock (rule 2); walking the list needs mmap_sem, or for the
 * page stealer the vmlist access lock (rule 3). Rule 4, never sleep with the modify lock held, is the lock
 * subsystem's sleeping-in-atomic check, since the lock is a spinlock.
 */
final class OldMmRules implements FieldHook {
    private final String stealer;

    OldMmRules(String stealer) {
        this.stealer = stealer;
    }

    @Override
    public void access(Exec x, KObject o, int field, boolean write) {
        if (x.task() == null || x.task().isIdle()) return;
        String name = o.type().fields().get(field).name();
        boolean vma = o.type().name().equals("vm_area_struct");
        // vm_mm never changes: only the fields a fixup rewrites can be read half-updated
        if (vma && !write && !name.equals("vm_mm")) inconsistentRead(x, o, name);
        if (!x.config().atLeast(2, 3, 22)) return;
        KObject mm = vma ? mmOf(x, o) : o;
        if (mm == null) return;
        if (write) {
            boolean listChange = vma ? onList(x, mm, o) && (name.equals("vm_start") || name.equals("vm_end") || name.equals("vm_flags")
                || name.equals("vm_next")) : name.equals("mmap");
            if (!listChange) return;
            if (!holdsSem(x, mm)) report(x, 1, mm, o, name, "without mm->mmap_sem");
            else if (!holdsSpin(x, mm)) report(x, 2, mm, o, name, "without vmlist_modify_lock(" + mm.name() + ")");
        } else if (vma ? name.equals("vm_next") && onList(x, mm, o) : name.equals("mmap")) {
            boolean isStealer = stealer != null && stealer.equals(x.currentTaskStruct().text("comm"));
            if (holdsSem(x, mm) || (isStealer && holdsSpin(x, mm))) return;
            report(x, 3, mm, o, name, isStealer ? "without vmlist_access_lock(" + mm.name() + ")" : "without mm->mmap_sem");
        }
    }

    private static void inconsistentRead(Exec x, KObject vma, String field) {
        OldMemory m = x.ext(OldMemory.KEY, OldMemory.class);
        Integer writer = m == null ? null : m.changing.get(vma.id());
        KObject me = x.currentTaskStruct();
        if (writer == null || writer == me.id()) return;
        KObject w = x.world().object(writer);
        kstep.engine.Task wt = x.world().taskOfObject(writer);
        String where = wt == null || wt.stack().isEmpty() ? "" : " in " + wt.top().function().name() + "() at " + wt.top().nextPosText();
        String msg = "kstep: inconsistent read: " + me.text("comm") + " (pid " + me.getLong("pid") + ") read " + vma.name() + "->" + field
            + " at " + x.pos().fileLine() + (x.frame() == null ? "" : " in " + x.frame().function().name() + "()") + "\n"
            + "  while " + w.text("comm") + " (pid " + w.getLong("pid") + ") is changing it" + where + ":\n"
            + "  the vma is on the list with some of its fields updated and the others not yet\n";
        x.findingOnce("inconsistent-read:" + vma.id() + ":" + me.id(), "inconsistent-read", msg);
    }

    private static void report(Exec x, int rule, KObject mm, KObject o, String field, String without) {
        KObject me = x.currentTaskStruct();
        String what = rule == 3 ? "walks " + mm.name() + "'s vma list (" + o.name() + "->" + field + ")"
            : "changes " + mm.name() + "'s vma list (" + o.name() + "->" + field + ")";
        String msg = "kstep: Documentation/vm/locking rule " + rule + " broken: " + me.text("comm") + " (pid " + me.getLong("pid") + ") " + what
            + " at " + x.pos().fileLine() + (x.frame() == null ? "" : " in " + x.frame().function().name() + "()") + " " + without + "\n"
            + KernelText.dumpStack(x);
        x.findingOnce("vmlist-rule:" + rule + ":" + x.pos().fileLine(), "vmlist-rule", msg);
    }

    /** The mm a vma belongs to (vm_mm, read without the hooks). */
    private static KObject mmOf(Exec x, KObject vma) {
        Value v = vma.get("vm_mm");
        return v instanceof Value.Ref r ? x.world().object(r.id()) : null;
    }

    /** Whether the vma is reachable from mm->mmap. */
    static boolean onList(Exec x, KObject mm, KObject vma) {
        Value v = mm.get("mmap");
        for (int guard = 0; v instanceof Value.Ref r && guard < 100_000; guard++) {
            if (r.id() == vma.id()) return true;
            KObject n = x.world().object(r.id());
            if (n.freed()) return false;
            v = n.get("vm_next");
        }
        return false;
    }

    private static boolean holdsSem(Exec x, KObject mm) {
        KObject sem = x.world().object(((Value.Ref) mm.get("mmap_sem")).id());
        return sem.get("holders") instanceof Value.Seq s && s.items().contains(new Value.Ref(x.currentTaskStruct().id()));
    }

    private static boolean holdsSpin(Exec x, KObject mm) {
        KObject lock = x.world().object(((Value.Ref) mm.get("page_table_lock")).id());
        return lock.get("owner").equals(new Value.Ref(x.currentTaskStruct().id()));
    }
}
