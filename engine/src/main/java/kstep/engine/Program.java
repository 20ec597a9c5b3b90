package kstep.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kstep.lang.ModelSource;
import kstep.lang.SourcePos;

/**
 * The linked models of one variant: functions, structs, constants, globals and the builtins they call.
 * Immutable and shared by every World of a run.
 */
public final class Program {
    /** A name no declaration resolved; the scenario must name an object so (e.g. {@code vcpu0}). */
    public record Unresolved(String name, SourcePos pos) { }

    record Global(String name, int slot, Value init, StructType.Shape shape) { }

    /** A file-scope struct variable ({@code static spinlock_t pgo_lock;}): an object every World starts with. */
    public record Static(String name, String struct, SourcePos pos) { }

    private final List<ModelSource.Preprocessed> files;
    private final Map<String, Function> functions;
    private final Map<String, StructType> structs;
    private final Map<String, Long> constants;
    private final Map<String, Global> globals;
    private final List<Static> statics;
    private final Builtins builtins;
    private final List<Unresolved> unresolved;
    private final java.util.Set<String> defines;

    Program(List<ModelSource.Preprocessed> files, Map<String, Function> functions, Map<String, StructType> structs,
            Map<String, Long> constants, Map<String, Global> globals, List<Static> statics, Builtins builtins,
            List<Unresolved> unresolved, java.util.Set<String> defines) {
        this.files = List.copyOf(files);
        this.functions = Collections.unmodifiableMap(new LinkedHashMap<>(functions));
        this.structs = Collections.unmodifiableMap(new LinkedHashMap<>(structs));
        this.constants = Collections.unmodifiableMap(new LinkedHashMap<>(constants));
        this.globals = Collections.unmodifiableMap(new LinkedHashMap<>(globals));
        this.statics = List.copyOf(statics);
        this.builtins = builtins;
        this.unresolved = List.copyOf(unresolved);
        this.defines = java.util.Set.copyOf(defines);
    }

    public List<ModelSource.Preprocessed> files() {
        return files;
    }

    /** The preprocessed file called {@code name}, or null. */
    public ModelSource.Preprocessed file(String name) {
        for (ModelSource.Preprocessed p : files) if (p.source().name().equals(name)) return p;
        return null;
    }

    public Function function(String name) {
        return functions.get(name);
    }

    public Map<String, Function> functions() {
        return functions;
    }

    public StructType struct(String name) {
        return structs.get(name);
    }

    public Map<String, StructType> structs() {
        return structs;
    }

    /** A #define or enum constant; throws if the models do not declare it (a kstep bug). */
    public long constant(String name) {
        Long v = constants.get(name);
        if (v == null) throw new IllegalStateException("the models do not define " + name);
        return v;
    }

    public Long constantOrNull(String name) {
        return constants.get(name);
    }

    public Map<String, Long> constants() {
        return constants;
    }

    public List<Static> statics() {
        return statics;
    }

    public Builtins builtins() {
        return builtins;
    }

    public List<Unresolved> unresolved() {
        return unresolved;
    }

    public java.util.Set<String> defines() {
        return defines;
    }

    int globalSlot(String name) {
        Global g = globals.get(name);
        return g == null ? -1 : g.slot();
    }

    Global global(String name) {
        return globals.get(name);
    }

    Map<String, Global> globals() {
        return globals;
    }

    Value[] initialGlobals() {
        Value[] v = new Value[globals.size()];
        for (Global g : globals.values()) v[g.slot()] = g.init();
        return v;
    }
}
