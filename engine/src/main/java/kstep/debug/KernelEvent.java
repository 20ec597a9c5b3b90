package kstep.debug;

import java.util.Locale;

import kstep.engine.Event;
import kstep.vgic.VgicSnapshot;
import kstep.vgic.VpeState;

/**
 * The kernel happenings a breakpoint can name, read from a step's events (and, for the doorbell, from the vGIC
 * state before and after it): a lock taken or released, a vPE made resident or not, its doorbell armed or
 * disarmed, a PTE changed, a VMA split or merged, a page reclaimed.
 */
public enum KernelEvent {
    LOCK_TAKEN, LOCK_RELEASED, VPE_RESIDENT, VPE_NONRESIDENT, DOORBELL_ARMED, DOORBELL_DISARMED, PTE_CHANGED, VMA_SPLIT, VMA_MERGED,
    PAGE_RECLAIMED;

    /** The name breakpoints use: lock-taken, vpe-resident, pte-changed, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static KernelEvent of(String label) {
        for (KernelEvent k : values()) if (k.label().equals(label)) return k;
        return null;
    }

    /** What in step {@code c} is this happening (about {@code name}, when given), or null. */
    String find(StepContext c, String name) {
        if (this == DOORBELL_ARMED || this == DOORBELL_DISARMED) return doorbell(c, name);
        for (Event e : c.record().events()) {
            if (name != null && !about(e, name)) continue;
            if (matches(e)) return e.text();
        }
        return null;
    }

    private static boolean about(Event e, String name) {
        String s = e.subject() == null ? "" : e.subject();
        return s.equals(name) || s.startsWith(name + ".") || s.endsWith(":" + name) || e.text().contains(name);
    }

    private boolean matches(Event e) {
        String f = e.field();
        String t = e.text();
        String s = e.subject() == null ? "" : e.subject();
        switch (this) {
            case LOCK_TAKEN, LOCK_RELEASED -> {
                if (e.kind() != Event.Kind.SET || f == null) return false;
                boolean none = isNone(e.oldValue());
                boolean nowNone = isNone(e.newValue());
                if (f.equals("owner") || f.equals("locked")) return this == LOCK_TAKEN ? none && !nowNone : !none && nowNone;
                // a reader of an rwlock: one more, or one fewer
                if (!f.equals("readers")) return false;
                long a = number(e.oldValue());
                long b = number(e.newValue());
                return a != Long.MIN_VALUE && b != Long.MIN_VALUE && (this == LOCK_TAKEN ? b > a : b < a);
            }
            case VPE_RESIDENT -> {
                return "resident".equals(f) && "false".equals(e.oldValue()) && "true".equals(e.newValue());
            }
            case VPE_NONRESIDENT -> {
                return "resident".equals(f) && "true".equals(e.oldValue()) && "false".equals(e.newValue());
            }
            case PTE_CHANGED -> {
                return (s.startsWith("pages:") && (t.contains(" fault at ") || t.contains("copy-on-write") || t.contains(" back in frame")
                    || t.contains("maps the zero page") || t.contains(" read into frame"))) || (s.equals("reclaim") && t.startsWith("try_to_unmap:"));
            }
            case VMA_SPLIT -> {
                return s.startsWith("mm:") && t.contains(": split [");
            }
            case VMA_MERGED -> {
                return s.startsWith("mm:") && (t.contains(": merged [") || t.contains(" grew to ["));
            }
            case PAGE_RECLAIMED -> {
                return s.equals("reclaim") && t.endsWith(" reclaimed");
            }
            default -> {
                return false;
            }
        }
    }

    private static boolean isNone(String v) {
        return v == null || v.equals("NULL") || v.equals("0") || v.equals("0x0") || v.equals("false");
    }

    private static long number(String v) {
        try {
            return v.startsWith("0x") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
        } catch (NumberFormatException | NullPointerException e) {
            return Long.MIN_VALUE;
        }
    }

    private String doorbell(StepContext c, String name) {
        VgicSnapshot a = VgicSnapshot.of(c.before(), null);
        VgicSnapshot b = VgicSnapshot.of(c.after(), null);
        if (a == null || b == null) return null;
        for (int i = 0; i < Math.min(a.vcpus().size(), b.vcpus().size()); i++) {
            VgicSnapshot.VCpu x = a.vcpus().get(i);
            VgicSnapshot.VCpu y = b.vcpus().get(i);
            if (name != null && !name.equals(y.name()) && !name.equals(y.vpe())) continue;
            boolean was = x.state() == VpeState.NR_DB;
            boolean is = y.state() == VpeState.NR_DB;
            if (this == DOORBELL_ARMED && !was && is) return y.vpe() + ": doorbell armed (" + x.state() + " -> " + y.state() + ")";
            if (this == DOORBELL_DISARMED && was && !is) return y.vpe() + ": doorbell disarmed (" + x.state() + " -> " + y.state() + ")";
        }
        return null;
    }
}
