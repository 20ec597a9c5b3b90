package kstep.vgic;

import kstep.engine.Event;
import kstep.engine.Exec;
import kstep.engine.KObject;
import kstep.engine.Value;
import kstep.engine.World;

/**
 * The ITS delivering a vLPI (a passthrough device's MSI translated to a virtual LPI for a vPE). The vLPI
 * becomes pending in the vPE's VPT. Resident vPE: the redistributor hands it to the guest (at once if the
 * guest is running and the vPE is ready, else at the next guest entry). Non-resident with a doorbell armed:
 * the doorbell interrupt fires on the CPU it is routed to, once. Non-resident without: nothing else happens.
 */
final class Its {
    private Its() { }

    static void deliver(Exec x, KObject vlpi) {
        World w = x.world();
        KObject vcpu = x.deref(vlpi.get("target_vcpu"));
        KObject vpe = x.deref(vcpu.get("its_vpe"));
        long intid = vlpi.getLong("intid");
        long bit = 1L << vlpi.getLong("bit");
        x.setField(vpe, "vpt_pending", Value.of(vpe.getLong("vpt_pending") | bit));
        String v = "vLPI " + intid + " for " + vcpu.name();
        KObject rd = Redistributor.residentOn(w, vpe);
        if (rd != null) {
            if (Guest.canTake(w, vcpu, vpe, rd)) {
                x.emit(Event.say(Event.Kind.DEVICE, vpe.name(), "ITS: " + v + ": vPE resident, the guest takes it directly"));
                Guest.take(x, vcpu, vpe);
            } else {
                x.emit(Event.say(Event.Kind.DEVICE, vpe.name(), "ITS: " + v + ": pending in the VPT; vPE resident, "
                    + "the guest takes it when it next runs"));
            }
            return;
        }
        boolean v41 = Vgic.v41(w);
        KObject host = Redistributor.lastHost(w, vpe);
        int doorbell = (int) vpe.getLong("irq");
        KObject desc = w.irqDesc(doorbell);
        int target = desc == null || desc.getLong("cpu") < 0 ? 0 : (int) desc.getLong("cpu");
        boolean fire;
        if (v41) {
            fire = host != null && (Redistributor.vpendbaser(host) & Redistributor.DB) != 0;
            if (fire) x.setField(host, "vpendbaser", Value.of(Redistributor.vpendbaser(host) & ~Redistributor.DB));
        } else {
            fire = desc != null && desc.getLong("depth") == 0;
        }
        if (fire) {
            x.emit(Event.say(Event.Kind.DEVICE, vpe.name(), "ITS: " + v + ": pending in the VPT; vPE not resident, "
                + "doorbell irq " + doorbell + " fires on cpu" + target));
            x.raiseIrq(target, doorbell);
        } else {
            x.emit(Event.say(Event.Kind.DEVICE, vpe.name(), "ITS: " + v + ": pending in the VPT; vPE not resident and "
                + "no doorbell armed: nobody is told"));
        }
    }
}
