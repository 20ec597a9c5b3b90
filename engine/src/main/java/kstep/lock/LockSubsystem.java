package kstep.lock;

import kstep.engine.Builtins;
import kstep.engine.Setup;
import kstep.scenario.Subsystem;
import kstep.scenario.YNode;

/** Locks: for now the spinlock family the vGIC and scheduler models take. */
public final class LockSubsystem implements Subsystem {
    @Override
    public String name() {
        return "locks";
    }

    @Override
    public void registerBuiltins(Builtins b) {
        SpinlockBuiltins.register(b);
    }

    @Override
    public Contribution setup(YNode section, Setup setup) {
        if (section != null) section.allowOnly(java.util.Set.of());
        return Contribution.NONE;
    }
}
