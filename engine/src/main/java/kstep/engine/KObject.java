package kstep.engine;

import java.util.Arrays;

/**
 * A simulated kernel object (a vcpu, a vPE, a task_struct, a redistributor...): a struct type and its field
 * values. Objects live in the World's heap; a copy of the World copies them.
 */
public final class KObject {
    private final int id;
    private final StructType type;
    private final String name;
    private final Value[] fields;
    private boolean freed;
    /** Who allocated and who freed the object, and where (for use-after-free reports); not state. */
    private History allocated;
    private History freedBy;

    /** A task's allocation or free of the object: the step, the task, its call trace. */
    public record History(int step, String comm, long pid, java.util.List<String> trace) { }

    KObject(int id, StructType type, String name) {
        this.id = id;
        this.type = type;
        this.name = name;
        this.fields = new Value[type.fields().size()];
        for (StructType.Field f : type.fields()) fields[f.index()] = StructType.zeroOf(f.shape());
    }

    private KObject(KObject o) {
        this.id = o.id;
        this.type = o.type;
        this.name = o.name;
        this.fields = o.fields.clone();
        this.freed = o.freed;
        this.allocated = o.allocated;
        this.freedBy = o.freedBy;
    }

    KObject copy() {
        return new KObject(this);
    }

    public int id() {
        return id;
    }

    public StructType type() {
        return type;
    }

    /** The display name: the scenario's name (vcpu0), the embedding path (vcpu0.its_vpe) or type#id. */
    public String name() {
        return name;
    }

    public boolean freed() {
        return freed;
    }

    void markFreed(History h) {
        freed = true;
        freedBy = h;
    }

    void markAllocated(History h) {
        allocated = h;
    }

    /** Where a run-time allocator made it, or null for the scenario's objects. */
    public History allocatedBy() {
        return allocated;
    }

    /** Where it was freed, or null. */
    public History freedBy() {
        return freedBy;
    }

    public Value get(int index) {
        return fields[index];
    }

    /** The value of field {@code n}; throws if the struct has no such field (a kstep bug, not user input). */
    public Value get(String n) {
        int i = type.indexOf(n);
        if (i < 0) throw new IllegalArgumentException("struct " + type.name() + " has no field " + n);
        return fields[i];
    }

    public long getLong(String n) {
        Value v = get(n);
        return v instanceof Value.Int i ? i.v() : (v.truthy() ? 1 : 0);
    }

    /** A string field's text ({@code comm}, an irq's name); "?" when it holds no string. */
    public String text(String n) {
        return get(n) instanceof Value.Str s ? s.s() : "?";
    }

    public boolean getBool(String n) {
        return get(n).truthy();
    }

    void setRaw(int index, Value v) {
        fields[index] = v;
    }

    boolean sameFields(KObject o) {
        return Arrays.equals(fields, o.fields) && freed == o.freed;
    }
}
