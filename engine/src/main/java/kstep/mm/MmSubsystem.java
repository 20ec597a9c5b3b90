package kstep.mm;

import kstep.engine.Builtins;
import kstep.engine.Setup;
import kstep.scenario.Subsystem;
import kstep.scenario.YNode;

/** Memory management. For now the allocators every subsystem's models call; its section takes no keys yet. */
public final class MmSubsystem implements Subsystem {
    @Override
    public String name() {
        return "mm";
    }

    @Override
    public void registerBuiltins(Builtins b) {
        AllocBuiltins.register(b);
    }

    @Override
    public Contribution setup(YNode section, Setup setup) {
        if (section != null) section.allowOnly(java.util.Set.of());
        return Contribution.NONE;
    }
}
