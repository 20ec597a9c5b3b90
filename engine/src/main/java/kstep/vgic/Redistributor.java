package kstep.vgic;

import kstep.engine.Exec;
import kstep.engine.KObject;
import kstep.engine.Value;
import kstep.engine.World;

/**
 * The vLPI side of a GICv3/v4 redistributor, one per CPU: GICR_VPENDBASER and what the hardware does when
 * software writes it. Modelled behaviour: writing Valid starts parsing the VPT (Dirty set until software
 * polls for it); clearing Valid makes the vPE non-resident and the read-back PendingLast reports whether a
 * vLPI is pending in the VPT; GICv4.1 arms the doorbell (DB) only when nothing was pending.
 */
final class Redistributor {
    static final long VALID = 1L << 63;
    static final long DB = 1L << 62; // IDAI on GICv4.0
    static final long PENDING_LAST = 1L << 61;
    static final long DIRTY = 1L << 60;
    static final long VGRP0EN = 1L << 59;
    static final long VGRP1EN = 1L << 58;
    static final long VPEID = 0xffff;

    private Redistributor() { }

    static KObject of(World w, int cpu) {
        return w.named("gicr" + cpu);
    }

    static long vpendbaser(KObject gicr) {
        return gicr.getLong("vpendbaser");
    }

    /** gicr_write_vpendbaser(vpe, val) on this CPU's redistributor. */
    static void write(Exec x, KObject vpe, long val) {
        KObject gicr = of(x.world(), x.cpuId());
        if ((val & VALID) != 0) {
            val |= DIRTY; // the redistributor starts parsing the VPT
            val &= ~(PENDING_LAST | DB);
            x.setField(gicr, "vpe", new Value.Ref(vpe.id()));
        }
        x.setField(gicr, "vpendbaser", Value.of(val));
    }

    /**
     * its_clear_vpend_valid(clr, set): clear Valid and {@code clr}, set {@code set}, wait for Dirty to clear,
     * return the value read back.
     */
    static long clearValid(Exec x, long clr, long set, boolean v41) {
        KObject gicr = of(x.world(), x.cpuId());
        long val = vpendbaser(gicr);
        val &= ~(VALID | clr | DIRTY);
        val |= set;
        Value vr = gicr.get("vpe");
        KObject vpe = vr instanceof Value.Ref r ? x.world().object(r.id()) : null;
        boolean pending = vpe != null && vpe.getLong("vpt_pending") != 0;
        if (pending) val |= PENDING_LAST;
        if (v41 && (val & DB) != 0 && (val & PENDING_LAST) != 0) val &= ~DB; // no doorbell needed: already pending
        if (!v41) val &= ~DB; // GICv4.0 has no DB bit (bit 62 is IDAI, which kstep leaves clear)
        x.setField(gicr, "vpendbaser", Value.of(val));
        return val;
    }

    /** its_wait_vpt_parse_complete(): the redistributor has finished parsing the VPT. */
    static void parseComplete(Exec x) {
        KObject gicr = of(x.world(), x.cpuId());
        long val = vpendbaser(gicr);
        if ((val & DIRTY) != 0) x.setField(gicr, "vpendbaser", Value.of(val & ~DIRTY));
    }

    /** The redistributor the vPE is resident on, or null. */
    static KObject residentOn(World w, KObject vpe) {
        for (int c = 0; c < w.cpuCount(); c++) {
            KObject g = of(w, c);
            if (g != null && (vpendbaser(g) & VALID) != 0 && g.get("vpe").equals(new Value.Ref(vpe.id()))) return g;
        }
        return null;
    }

    /** The redistributor that last hosted the vPE (where its DB bit lives), or null. */
    static KObject lastHost(World w, KObject vpe) {
        for (int c = 0; c < w.cpuCount(); c++) {
            KObject g = of(w, c);
            if (g != null && g.get("vpe").equals(new Value.Ref(vpe.id()))) return g;
        }
        return null;
    }

    /** "Valid=1 DB=0 PendingLast=0 Dirty=1 VPEID=0": the bits a teacher points at. */
    static String describe(long v, boolean v41) {
        return "Valid=" + bit(v, VALID) + " " + (v41 ? "DB=" : "IDAI=") + bit(v, DB) + " PendingLast=" + bit(v, PENDING_LAST)
            + " Dirty=" + bit(v, DIRTY) + " VPEID=" + (v & VPEID);
    }

    private static int bit(long v, long b) {
        return (v & b) != 0 ? 1 : 0;
    }
}
