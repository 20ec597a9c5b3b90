package kstep.engine;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** The registry of builtins the subsystems provide, by name. */
public final class Builtins {
    private final Map<String, Builtin> map = new TreeMap<>();

    public Builtins add(String name, int arity, String doc, Builtin.Impl impl) {
        return put(new Builtin(name, arity, 0, impl, null, doc));
    }

    /** A builtin that returns nothing. */
    public Builtins proc(String name, int arity, String doc, java.util.function.BiConsumer<Exec, Builtin.Args> body) {
        return add(name, arity, doc, (x, a) -> {
            body.accept(x, a);
            return Value.ZERO;
        });
    }

    public Builtins put(Builtin b) {
        if (map.containsKey(b.name())) throw new IllegalStateException("builtin " + b.name() + " registered twice");
        map.put(b.name(), b);
        return this;
    }

    public Builtin get(String name) {
        return map.get(name);
    }

    public Map<String, Builtin> all() {
        return Collections.unmodifiableMap(map);
    }
}
