package kstep.scenario;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

import kstep.engine.Builtins;
import kstep.engine.SchedBuiltins;

/** The installed subsystems, in name order, and the builtins of all of them together. */
public final class Subsystems {
    private static final List<Subsystem> ALL;
    private static final Builtins BUILTINS;

    static {
        List<Subsystem> l = new ArrayList<>();
        for (Subsystem s : ServiceLoader.load(Subsystem.class, Subsystems.class.getClassLoader())) l.add(s);
        l.sort(Comparator.comparing(Subsystem::name));
        ALL = List.copyOf(l);
        Builtins b = new Builtins();
        SchedBuiltins.register(b);
        kstep.engine.UserBuiltins.register(b);
        for (Subsystem s : ALL) s.registerBuiltins(b);
        BUILTINS = b;
    }

    private Subsystems() { }

    public static List<Subsystem> all() {
        return ALL;
    }

    public static Builtins builtins() {
        return BUILTINS;
    }

    public static Subsystem byName(String name) {
        for (Subsystem s : ALL) if (s.name().equals(name)) return s;
        return null;
    }
}
