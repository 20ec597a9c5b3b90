package kstep.vgic;

import kstep.engine.Event;
import kstep.engine.Exec;
import kstep.engine.KObject;
import kstep.engine.Value;
import kstep.engine.World;

/**
 * The guest as the host sees it: it runs until it executes WFI (it is idle, waiting for its device's
 * interrupt), and while its vPE is resident and ready it takes every vLPI pending in the VPT.
 */
final class Guest {
    private Guest() { }

    static boolean canTake(World w, KObject vcpu, KObject vpe, KObject rd) {
        return vcpu.getLong("mode") == w.program().constant("IN_GUEST_MODE") && vpe.getBool("ready")
            && (Redistributor.vpendbaser(rd) & Redistributor.DIRTY) == 0;
    }

    static void take(Exec x, KObject vcpu, KObject vpe) {
        long pending = vpe.getLong("vpt_pending");
        if (pending == 0) return;
        for (KObject vlpi : Vgic.vlpisOf(x.world(), vcpu)) {
            if ((pending & (1L << vlpi.getLong("bit"))) != 0)
                x.emit(Event.say(Event.Kind.DEVICE, vcpu.name(), "guest: takes vLPI " + vlpi.getLong("intid")));
        }
        x.setField(vpe, "vpt_pending", Value.ZERO);
        x.setField(vcpu, "guest_vlpis", Value.of(vcpu.getLong("guest_vlpis") + Long.bitCount(pending)));
    }

    /** guest_enter(vcpu): ERET into the guest; a resident, ready vPE delivers what is pending. */
    static void enter(Exec x, KObject vcpu) {
        KObject vpe = x.deref(vcpu.get("its_vpe"));
        KObject rd = Redistributor.residentOn(x.world(), vpe);
        x.note(vcpu.name(), "guest runs on cpu" + x.cpuId());
        if (rd != null && canTake(x.world(), vcpu, vpe, rd)) take(x, vcpu, vpe);
    }

    /** guest_exit(vcpu): the idle guest executes WFI, which traps to the host. */
    static Value exitOnWfi(Exec x, KObject vcpu) {
        x.note(vcpu.name(), "guest executes WFI: trap to the host");
        return Value.of(1); // ARM_EXCEPTION_TRAP
    }
}
