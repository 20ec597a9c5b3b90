package kstep.engine;

import java.util.List;

/**
 * A use-after-free of a model object in the shape KASAN prints it (mm/kasan/report.c): the bad access and
 * the task, the stack, where the object was allocated and freed, and which cache and offset. The kernels of
 * some scenarios predate KASAN (4.0); the report is what a KASAN kernel with the same bug prints. kstep adds
 * one line naming the steps, so the freeing step can be found on the timeline.
 */
final class KasanReport {
    static final String RULE = "==================================================================";

    private KasanReport() { }

    static String of(Exec x, KObject o, String field, boolean write) {
        KernelConfig c = x.config();
        KObject ts = x.currentTaskStruct();
        int index = field == null ? -1 : o.type().indexOf(field);
        // a word a field: 4 bytes on i386, 8 elsewhere; addresses in the architecture's kernel heap
        boolean i386 = c.arch().equals("i386");
        int word = i386 ? 4 : 8;
        int offset = Math.max(0, index) * word;
        int size = Math.max(1, o.type().fields().size()) * word;
        long base = i386 ? 0xc1000000L + o.id() * 0x40L : c.x86() ? 0xffff888003000000L + o.id() * 0x40L
            : Long.parseUnsignedLong(KernelText.px(x.w, o), 16);
        String fmt = i386 ? "%08x" : "%016x";
        String where = x.frame == null ? "?" : KernelText.pS(x.frame, x.frame.pc);
        StringBuilder b = new StringBuilder(RULE).append('\n');
        b.append("BUG: KASAN: ").append(c.atLeast(6, 2) || c.major() < 4 ? "slab-use-after-free" : "use-after-free").append(" in ").append(where).append('\n');
        b.append(write ? "Write" : "Read").append(" of size ").append(word).append(" at addr ").append(String.format(fmt, base + offset)).append(" by task ")
            .append(ts == null ? "?" : ts.text("comm")).append('/').append(ts == null ? 0 : ts.getLong("pid")).append("\n\n");
        if (ts != null) b.append(KernelText.dumpStack(x));
        b.append('\n');
        KObject.History a = o.allocatedBy();
        if (a != null) history(b, "Allocated", a);
        KObject.History f = o.freedBy();
        if (f != null) history(b, "Freed", f);
        b.append("The buggy address belongs to the object at ").append(String.format(fmt, base)).append('\n');
        b.append(" which belongs to the cache ").append(o.type().name()).append(" of size ").append(size).append('\n');
        b.append("The buggy address is located ").append(offset).append(" bytes inside of\n");
        b.append(" freed ").append(size).append("-byte region [").append(String.format(fmt + ", " + fmt, base, base + size)).append(")\n");
        b.append(RULE).append('\n');
        if (f != null) {
            b.append("kstep: ").append(o.name()).append(field == null ? "" : "->" + field).append(" was freed at step ").append(f.step())
                .append(" by ").append(f.comm()).append(" (pid ").append(f.pid()).append(")").append(freer(f.trace()))
                .append(" and used at step ").append(x.w.stepNo).append(" by ").append(ts == null ? "?" : ts.text("comm")).append('\n');
        }
        return b.toString();
    }

    private static void history(StringBuilder b, String what, KObject.History h) {
        b.append(what).append(" by task ").append(h.pid()).append(":\n");
        List<String> t = h.trace();
        for (String s : t) b.append(' ').append(s).append('\n');
        b.append('\n');
    }

    /** " in merge_segments()": the first frame that is not the freeing function itself. */
    private static String freer(List<String> trace) {
        for (String t : trace) {
            String f = fn(t);
            if (!f.matches("(kfree|vfree|kvfree|kmem_cache_free[a-z_]*)\\(\\)")) return " in " + f;
        }
        return "";
    }

    private static String fn(String pS) {
        int plus = pS.indexOf('+');
        return plus < 0 ? pS : pS.substring(0, plus) + "()";
    }
}
