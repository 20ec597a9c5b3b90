package kstep.vgic;

import java.util.ArrayList;
import java.util.List;

import kstep.engine.KObject;
import kstep.engine.StructType;
import kstep.engine.Value;
import kstep.engine.World;

/** Lookups over the vGIC objects of a World (the subsystem keeps all its state in ordinary kernel objects). */
public final class Vgic {
    private Vgic() { }

    /** Whether the host GIC is a GICv4.1. */
    public static boolean v41(World w) {
        KObject g = w.named("kvm_vgic_global_state");
        return g != null && g.getBool("has_gicv4_1");
    }

    /** Every object of struct {@code type}, in creation order. */
    static List<KObject> all(World w, String type) {
        List<KObject> out = new ArrayList<>();
        StructType t = w.program().struct(type);
        if (t == null) return out;
        for (int id = 1; id <= w.objectCount(); id++) {
            KObject o = w.object(id);
            if (o.type() == t) out.add(o);
        }
        return out;
    }

    public static List<KObject> vcpus(World w) {
        return all(w, "kvm_vcpu");
    }

    /** The vLPIs forwarded to {@code vcpu}'s vPE, in VPT bit order. */
    public static List<KObject> vlpisOf(World w, KObject vcpu) {
        List<KObject> out = new ArrayList<>();
        for (KObject v : all(w, "vgic_irq")) if (v.get("target_vcpu").equals(new Value.Ref(vcpu.id()))) out.add(v);
        return out;
    }

    public static KObject vpeOf(World w, KObject vcpu) {
        return w.object(((Value.Ref) vcpu.get("its_vpe")).id());
    }
}
