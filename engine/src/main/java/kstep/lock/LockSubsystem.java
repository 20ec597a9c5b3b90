package kstep.lock;

import java.util.List;

import kstep.engine.Builtins;
import kstep.engine.KObject;
import kstep.engine.Setup;
import kstep.scenario.Subsystem;
import kstep.scenario.YNode;

/**
 * Locks, atomic context and lockdep: every lock type, might_sleep(), "scheduling while atomic", lockdep's
 * reports and the deadlock check. Always present: every scenario gets its state (the lockdep extension and
 * the rcu_read_lock map). Its section, {@code locks: {}}, takes no keys yet.
 */
public final class LockSubsystem implements Subsystem {
    @Override
    public String name() {
        return "locks";
    }

    @Override
    public void registerBuiltins(Builtins b) {
        LockBuiltins.register(b);
        SleepChecks.register(b);
    }

    @Override
    public Contribution setup(YNode section, Setup setup) {
        if (section != null) section.allowOnly(java.util.Set.of());
        setup.extension(LockdepState.KEY, new LockdepState());
        KObject map = setup.allocate("lockdep_map", Rcu.MAP, kstep.lang.SourcePos.NONE);
        Lockdep.initAtSetup(setup, map, "rcu_read_lock");
        return new Contribution(List.of(new DeadlockCheck()), List.of());
    }
}
