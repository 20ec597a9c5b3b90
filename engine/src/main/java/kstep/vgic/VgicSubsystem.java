package kstep.vgic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kstep.engine.Builtins;
import kstep.engine.Exec;
import kstep.engine.ExternalEvent;
import kstep.engine.KObject;
import kstep.engine.Setup;
import kstep.engine.Value;
import kstep.scenario.Subsystem;
import kstep.scenario.YNode;

/**
 * GICv4/4.1 vPE residency and doorbells for KVM/arm64. The scenario section lists the vCPUs (with their
 * doorbell interrupt) and the vLPIs a passthrough device can raise:
 * <pre>
 * vgic:
 *   version: 4.1
 *   vcpus:
 *     - {name: vcpu0, doorbell: 45, halt_poll_ns: 0}
 *   vlpis:
 *     - {intid: 8192, vcpu: vcpu0, event: msi, times: 1}
 * </pre>
 * The hardware (redistributors, ITS, the guest) is Java; the kernel paths are the vgic/*.kc models.
 */
public final class VgicSubsystem implements Subsystem {
    @Override
    public String name() {
        return "vgic";
    }

    @Override
    public void registerBuiltins(Builtins b) {
        b.proc("gicr_write_vpendbaser", 2, "write this CPU's GICR_VPENDBASER (the VPT address names the vPE)",
            (x, a) -> Redistributor.write(x, a.obj(0), a.l(1)));
        b.add("its_clear_vpend_valid", 2, "clear Valid and clr, set set, wait for Dirty to clear; return the read-back",
            (x, a) -> Value.of(Redistributor.clearValid(x, a.l(0), a.l(1), Vgic.v41(x.world()))));
        b.proc("its_wait_vpt_parse_complete", 0, "poll GICR_VPENDBASER until Dirty clears", (x, a) -> Redistributor.parseComplete(x));
        b.add("has_v4_1", 0, "the ITS driver's view: is this a GICv4.1", (x, a) -> Value.bool(Vgic.v41(x.world())));
        b.proc("guest_enter", 1, "ERET into the guest", (x, a) -> Guest.enter(x, a.obj(0)));
        b.add("guest_exit", 1, "the guest traps back to the host (it executed WFI)", (x, a) -> Guest.exitOnWfi(x, a.obj(0)));
        b.proc("vcpu_set_flag", 2, "vcpu->arch.sflags |= flag", (x, a) -> flags(x, a.obj(0), a.l(1), true));
        b.proc("vcpu_clear_flag", 2, "vcpu->arch.sflags &= ~flag", (x, a) -> flags(x, a.obj(0), a.l(1), false));
        b.add("vcpu_get_flag", 2, "vcpu->arch.sflags & flag", (x, a) -> Value.bool((a.obj(0).getLong("sflags") & a.l(1)) != 0));
        b.proc("kvm_vgic_vmcr_sync", 1, "sync PMR and group enables back from the CPU interface (no state kstep models)", (x, a) -> { });
        b.proc("kvm_make_request", 2, "set request bit req in vcpu->requests", (x, a) -> request(x, a.obj(1), a.l(0), true));
        b.proc("kvm_clear_request", 2, "clear request bit req", (x, a) -> request(x, a.obj(1), a.l(0), false));
        b.add("kvm_check_request", 2, "test and clear request bit req", (x, a) -> {
            KObject v = a.obj(1);
            boolean set = (v.getLong("requests") & (1L << a.l(0))) != 0;
            if (set) request(x, v, a.l(0), false);
            return Value.bool(set);
        });
    }

    private static void flags(Exec x, KObject vcpu, long flag, boolean set) {
        long f = vcpu.getLong("sflags");
        x.setField(vcpu, "sflags", Value.of(set ? f | flag : f & ~flag));
    }

    private static void request(Exec x, KObject vcpu, long bit, boolean set) {
        long r = vcpu.getLong("requests");
        x.setField(vcpu, "requests", Value.of(set ? r | (1L << bit) : r & ~(1L << bit)));
    }

    @Override
    public Contribution setup(YNode section, Setup setup) {
        if (section == null) return Contribution.NONE;
        section.allowOnly(Set.of("version", "vcpus", "vlpis"));
        String version = section.optStr("version", "4.1").strip();
        if (!version.equals("4.0") && !version.equals("4.1")) throw section.get("version").error("version is 4.0 or 4.1");
        boolean v41 = version.equals("4.1");

        KObject global = setup.allocate("vgic_global", "kvm_vgic_global_state", section.pos());
        setup.set(global, "has_gicv4", Value.ONE);
        setup.set(global, "has_gicv4_1", Value.bool(v41));
        KObject kvm = setup.allocate("kvm", "kvm", section.pos());
        setup.set(kvm, "vgic_enabled", Value.ONE);
        setup.set(kvm, "has_its", Value.ONE);
        int cpus = setup.world().cpuCount();
        for (int c = 0; c < cpus; c++) {
            KObject g = setup.allocate("gicr", "gicr" + c, section.pos());
            setup.set(g, "cpu", Value.of(c));
        }

        Map<String, KObject> vcpus = new LinkedHashMap<>();
        Set<Long> doorbells = new java.util.HashSet<>();
        for (YNode v : section.require("vcpus").list()) {
            v.allowOnly(Set.of("name", "doorbell", "halt_poll_ns"));
            String name = v.require("name").str();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw v.require("name").error("a vCPU name is an identifier, like vcpu0");
            int index = vcpus.size();
            KObject vcpu = setup.allocate("kvm_vcpu", name, v.pos());
            setup.set(vcpu, "vcpu_id", Value.of(index));
            setup.set(vcpu, "kvm", new Value.Ref(kvm.id()));
            setup.set(vcpu, "cpu", Value.of(-1));
            setup.set(vcpu, "halt_poll_ns", Value.of(v.get("halt_poll_ns") == null ? 0 : v.get("halt_poll_ns").intIn(0, 1_000_000_000)));
            long doorbell = v.require("doorbell").intIn(16, 1 << 20);
            if (!doorbells.add(doorbell)) throw v.require("doorbell").error("doorbell irq " + doorbell + " is used twice");
            KObject vpe = Vgic.vpeOf(setup.world(), vcpu);
            setup.name("vpe" + index, vpe, v.pos());
            setup.set(vpe, "vpe_id", Value.of(index));
            setup.set(vpe, "irq", Value.of(doorbell));
            setup.set(vpe, "col_idx", Value.of(-1));
            KObject lock = setup.world().object(((Value.Ref) vpe.get("vpe_lock")).id());
            setup.set(lock, "owner_cpu", Value.of(-1));
            kstep.lock.Lockdep.initAtSetup(setup, lock, "&vpe->vpe_lock"); // raw_spin_lock_init() in its_vpe_init()
            // vgic_v4_request_vpe_irq(): request_irq(irq, vgic_v4_doorbell_handler, 0, "vcpu", vcpu)
            KObject desc = setup.requestIrq((int) doorbell, "vcpu", new Value.Fn("vgic_v4_doorbell_handler"), new Value.Ref(vcpu.id()), -1);
            if (!v41) setup.set(desc, "depth", Value.ONE); // GICv4.0: IRQ_NOAUTOEN, enabled when a doorbell is wanted
            vcpus.put(name, vcpu);
        }
        if (vcpus.isEmpty()) throw section.require("vcpus").error("list at least one vCPU");

        List<ExternalEvent> events = new ArrayList<>();
        Map<String, Integer> bits = new LinkedHashMap<>();
        if (section.get("vlpis") != null) {
            for (YNode l : section.get("vlpis").list()) {
                l.allowOnly(Set.of("intid", "vcpu", "event", "times"));
                long intid = l.require("intid").intIn(8192, 1 << 24);
                String target = l.require("vcpu").str();
                KObject vcpu = vcpus.get(target);
                if (vcpu == null) throw l.require("vcpu").error("no vCPU '" + target + "' in this section");
                int bit = bits.merge(target, 1, Integer::sum) - 1;
                if (bit >= 64) throw l.error("at most 64 vLPIs per vCPU");
                KObject vlpi = setup.allocate("vgic_irq", "vlpi" + intid, l.pos());
                setup.set(vlpi, "intid", Value.of(intid));
                setup.set(vlpi, "target_vcpu", new Value.Ref(vcpu.id()));
                setup.set(vlpi, "hw", Value.ONE);
                setup.set(vlpi, "bit", Value.of(bit));
                String event = l.optStr("event", "msi" + intid);
                for (ExternalEvent e : events)
                    if (e.name().equals(event)) throw l.require("event").error("event '" + event + "' is used twice");
                int times = l.get("times") == null ? 1 : l.get("times").intIn(1, 1_000_000);
                setup.budget(event, times);
                int vlpiId = vlpi.id();
                events.add(new ExternalEvent(event, "an MSI becomes vLPI " + intid + " for " + target,
                    times, w -> true, x -> Its.deliver(x, x.world().object(vlpiId))));
            }
        }
        return new Contribution(List.of(new LostWakeupCheck()), events);
    }
}
