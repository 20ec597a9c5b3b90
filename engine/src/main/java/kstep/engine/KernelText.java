package kstep.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The pieces of kernel output that reports share: the kernel identification line, "%pS" symbols and "%px"
 * addresses, and dump_stack()'s header and call trace. kstep has no real addresses or code offsets, so it
 * derives them from the model: a statement's offset is four bytes per op into its function (which is as
 * many ops long), and an object's address follows from its heap id. They keep the kernel's shape and are
 * the same on every run.
 */
public final class KernelText {
    /** Where kstep's kernel text starts (an arm64 kernel image address). */
    static final long TEXT_BASE = 0xffff800080010000L;
    /** print_ip_sym() of a NULL ip: what the kernel prints before an event ever happened. */
    public static final String NO_IP = "[<0000000000000000>] 0x0";

    private KernelText() { }

    /** init_utsname()->release: "6.4.0" for a variant whose kernel is "6.4". */
    public static String release(KernelConfig c) {
        String v = c.version();
        return v.chars().filter(ch -> ch == '.').count() == 1 ? v + ".0" : v;
    }

    /** print_kernel_ident(): "6.4.0 #1 Not tainted" (or "Tainted: G        W" after a WARN). */
    public static String ident(KernelConfig c, World w) {
        return release(c) + " #1 " + tainted(w);
    }

    /** print_tainted(): kstep tracks the W (warning) taint only. */
    public static String tainted(World w) {
        return w.wasReported("taint:W") ? "Tainted: G        W         " : "Not tainted";
    }

    /** "%pS" of frame {@code f} at op {@code pc}: function+offset/size. */
    public static String pS(Frame f, int pc) {
        return f.fn.name() + "+0x" + Integer.toHexString(pc * 4) + "/0x" + Integer.toHexString(f.fn.size() * 4);
    }

    /** print_ip_sym() of frame {@code f} at op {@code pc}: "[<%px>] %pS". */
    public static String ipSym(Frame f, int pc) {
        return String.format("[<%016x>] %s", f.fn.address() + pc * 4L, pS(f, pc));
    }

    /** "%px" of an object: a kernel heap address for dynamic objects, a kernel image address for statics. */
    public static String px(World w, KObject o) {
        boolean isStatic = false;
        for (Program.Static s : w.program.statics()) if (s.name().equals(o.name())) isStatic = true;
        long base = isStatic ? 0xffff800082000000L : 0xffff0000c0000000L;
        return String.format("%016x", base + o.id() * 0x40L);
    }

    /** The call trace of a task, innermost first, one "%pS" a line. */
    public static List<String> callTrace(Task t) {
        List<String> out = new ArrayList<>();
        for (int i = t.stack.size() - 1; i >= 0; i--) {
            Frame f = t.stack.get(i);
            // the innermost frame is at its op; callers are just past their call
            out.add(pS(f, i == t.stack.size() - 1 ? f.pc : Math.max(0, f.pc - 1)));
        }
        return out;
    }

    /**
     * dump_stack() on arm64 (x86_64 says "Call Trace:" between <TASK> and </TASK>): dump_stack_print_info()'s "CPU: 0 PID: 337 Comm: cat Not tainted 5.13.0 #1" (with
     * the task's UID since 6.11 and the preemption model since 6.16), the hardware line, "Call trace:" and one
     * frame a line. The frames are the model's; the printing machinery's own frames (show_stack,
     * dump_stack_lvl) are left out.
     */
    public static String dumpStack(Exec x) {
        KObject ts = x.currentTaskStruct();
        KernelConfig c = x.config();
        StringBuilder b = new StringBuilder();
        b.append("CPU: ").append(x.cpuId()).append(c.atLeast(6, 11) ? " UID: 0" : "").append(" PID: ").append(ts.getLong("pid"))
            .append(" Comm: ").append(ts.text("comm")).append(' ').append(tainted(x.w)).append(' ').append(release(c)).append(" #1");
        if (c.atLeast(6, 16)) b.append(c.preempt() == KernelConfig.Preempt.FULL ? " PREEMPT(full) " : " PREEMPT(none) ");
        b.append('\n');
        if (c.x86()) {
            // x86's show_trace_log_lvl(): "Call Trace:" and the frames between <TASK> and </TASK>
            b.append("Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.3-debian-1.16.3-2 04/01/2014\n");
            b.append("Call Trace:\n <TASK>\n");
            for (String s : callTrace(x.task)) b.append(' ').append(s).append('\n');
            return b.append(" </TASK>\n").toString();
        }
        b.append("Hardware name: linux,dummy-virt (DT)\n");
        b.append("Call trace:\n");
        for (String s : callTrace(x.task)) b.append(' ').append(s).append('\n');
        return b.toString();
    }

    /**
     * __warn() for a WARN_ON in the model at {@code fileLine}, preceded by the WARN's own message when it has
     * one: the cut line, "WARNING: CPU: 0 PID: 300 at FILE:LINE function+off/size", the modules, the task's
     * stack and the end-of-trace line.
     */
    public static String warning(Exec x, String message, String fileLine) {
        return warning(x, message, fileLine, x.frame == null ? null : pS(x.frame, x.frame.pc));
    }

    /** As {@link #warning(Exec, String, String)} for a WARN inside kernel code kstep does not model: {@code function} is where. */
    public static String warning(Exec x, String message, String fileLine, String function) {
        KObject ts = x.currentTaskStruct();
        StringBuilder b = new StringBuilder("------------[ cut here ]------------\n");
        if (message != null) b.append(message).append('\n');
        b.append("WARNING: CPU: ").append(x.cpuId()).append(" PID: ").append(ts == null ? 0 : ts.getLong("pid")).append(" at ")
            .append(fileLine);
        if (function != null) b.append(' ').append(function);
        b.append("\nModules linked in:\n");
        if (ts != null) b.append(dumpStack(x));
        return b.append("---[ end trace 0000000000000000 ]---\n").toString();
    }
}
