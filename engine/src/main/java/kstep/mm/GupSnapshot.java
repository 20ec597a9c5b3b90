package kstep.mm;

import java.util.ArrayList;
import java.util.List;

import kstep.engine.Frame;
import kstep.engine.KObject;
import kstep.engine.Task;
import kstep.engine.Value;
import kstep.engine.World;

/**
 * The GUP panel's read model: for every task inside mm/gup.kc, the call chain from the caller in, the
 * innermost frame's gup flags decoded, the pages array as far as it is filled (each page's frame,
 * refcount and pins), whether the caller holds the mmap lock ({@code *locked}) and who holds the lock.
 */
public record GupSnapshot(List<Call> calls) {
    /** One page in the array: its struct page, frame, refcount, and the pins folio_maybe_dma_pinned() sees. */
    public record PageRef(int index, long page, int pfn, int refcount, int pins) { }

    /** A task's GUP call at this step. */
    public record Call(String task, List<String> chain, long flags, List<GupFlags.Bit> bits, List<PageRef> pages, int pagesLength,
                       String locked, String mmapLock, String process) { }

    static final String MODEL = "mm/gup.kc";

    public static GupSnapshot of(World w) {
        List<Call> calls = new ArrayList<>();
        MmState st = w.ext(MmState.KEY, MmState.class);
        if (st == null) return new GupSnapshot(calls);
        for (Task t : w.tasks()) {
            List<Frame> stack = t.stack();
            int first = -1;
            for (int i = 0; i < stack.size(); i++) {
                if (stack.get(i).function().file() != null && stack.get(i).function().file().name().equals(MODEL)) {
                    first = Math.max(0, i - 1);
                    break;
                }
            }
            if (first < 0) continue;
            List<String> chain = new ArrayList<>();
            for (int i = first; i < stack.size(); i++) chain.add(stack.get(i).function().name());
            long flags = -1;
            Value pages = null;
            Value locked = null;
            Value mm = null;
            for (int i = stack.size() - 1; i >= first; i--) {
                Frame f = stack.get(i);
                for (int s = 0; s < f.localCount(); s++) {
                    String n = f.function().localName(s);
                    Value v = f.value(w, s);
                    if (flags < 0 && (n.equals("gup_flags") || n.equals("flags")) && v instanceof Value.Int iv) flags = iv.v();
                    if (pages == null && (n.equals("pages") || n.equals("page")) && f.local(s) instanceof Value.Ref r && isArray(w, r)) pages = f.local(s);
                    if (locked == null && n.equals("locked")) locked = f.local(s);
                    if (mm == null && n.equals("mm") && v instanceof Value.Ref) mm = v;
                }
            }
            List<PageRef> refs = new ArrayList<>();
            int length = 0;
            if (pages instanceof Value.Ref r) {
                KObject arr = w.object(r.id());
                length = arr.type().fields().size();
                for (int i = 0; i < length; i++) {
                    Value e = arr.get(i);
                    if (!(e instanceof Value.Int iv) || iv.v() == 0) continue;
                    int pfn = GupBuiltins.pfnOf(iv.v(), st.node.map.frames);
                    if (pfn < 0) continue;
                    int rc = st.node.map.refcount[pfn];
                    refs.add(new PageRef(i, iv.v(), pfn, rc, rc / GupBuiltins.GUP_PIN_COUNTING_BIAS));
                }
            }
            String lockedText = locked == null || locked == Value.Nil.NULL ? "NULL"
                : locked instanceof Value.Ref lr ? "*locked = " + w.object(lr.id()).get(lr.index()) : locked.toString();
            String lock = "";
            String proc = "";
            if (mm instanceof Value.Ref mr) {
                KObject m = w.object(mr.id());
                proc = st.mmObjects.getOrDefault(m.id(), "");
                KObject sem = w.object(((Value.Ref) m.get("mmap_lock")).id());
                long readers = sem.getLong("count");
                Value owner = sem.get("owner");
                lock = m.name() + ".mmap_lock: " + (owner instanceof Value.Ref o ? "held for writing by " + w.object(o.id()).text("comm")
                    : readers > 0 ? "held for reading (" + readers + (readers == 1 ? " reader)" : " readers)") : "free");
            }
            calls.add(new Call(w.taskStruct(t).text("comm"), chain, Math.max(flags, 0), GupFlags.decode(Math.max(flags, 0)), refs, length,
                lockedText, lock, proc));
        }
        return new GupSnapshot(calls);
    }

    private static boolean isArray(World w, Value.Ref r) {
        KObject o = w.object(r.id());
        return o != null && o.type().isArray();
    }
}
