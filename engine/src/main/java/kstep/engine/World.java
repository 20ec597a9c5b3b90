package kstep.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The whole simulated machine at one instant: CPUs, tasks and their stacks, the heap of kernel objects
 * (subsystem state included), model globals, the interrupt descriptors, the budgets of external events and
 * which one-shot findings were already reported. {@link #copy()} is a deep copy; the trace keeps copies as
 * checkpoints and replays from them.
 *
 * <p>Views only read a World. Everything that changes it goes through {@link Exec}, which records events.
 */
public final class World {
    final Program program;
    final ArrayList<KObject> heap;
    final LinkedHashMap<String, Integer> names;
    final Value[] globals;
    final Cpu[] cpus;
    final ArrayList<Task> tasks;
    /** irq number -> heap id of its irq_desc */
    final TreeMap<Integer, Integer> irqs;
    final TreeMap<String, Integer> budgets;
    final TreeSet<String> reported;
    final TreeMap<String, Extension> ext;
    /** The number of the step being run (0 before the first); history only: not hashed. */
    int stepNo;

    World(Program program, int ncpus) {
        this.program = program;
        this.heap = new ArrayList<>();
        this.heap.add(null); // ids start at 1
        this.names = new LinkedHashMap<>();
        this.globals = program.initialGlobals();
        this.cpus = new Cpu[ncpus];
        this.tasks = new ArrayList<>();
        this.irqs = new TreeMap<>();
        this.budgets = new TreeMap<>();
        this.reported = new TreeSet<>();
        this.ext = new TreeMap<>();
    }

    private World(World o) {
        this.program = o.program;
        this.heap = new ArrayList<>(o.heap.size());
        for (KObject k : o.heap) heap.add(k == null ? null : k.copy());
        this.names = o.names; // fixed after setup, shared
        this.globals = o.globals.clone();
        this.cpus = new Cpu[o.cpus.length];
        for (int i = 0; i < cpus.length; i++) cpus[i] = o.cpus[i].copy();
        this.tasks = new ArrayList<>(o.tasks.size());
        for (Task t : o.tasks) tasks.add(t.copy());
        this.irqs = new TreeMap<>(o.irqs);
        this.budgets = new TreeMap<>(o.budgets);
        this.reported = new TreeSet<>(o.reported);
        this.ext = new TreeMap<>();
        for (Map.Entry<String, Extension> e : o.ext.entrySet()) ext.put(e.getKey(), e.getValue().copy());
        this.stepNo = o.stepNo;
    }

    public World copy() {
        return new World(this);
    }

    /** The step being run, or the last one run (0 at the start). */
    public int stepNo() {
        return stepNo;
    }

    public Program program() {
        return program;
    }

    public int cpuCount() {
        return cpus.length;
    }

    public Cpu cpu(int i) {
        return cpus[i];
    }

    public List<Task> tasks() {
        return Collections.unmodifiableList(tasks);
    }

    public Task task(int index) {
        return tasks.get(index);
    }

    /** The task whose task_struct is object {@code objId}, or null. */
    public Task taskOfObject(int objId) {
        for (Task t : tasks) if (t.obj == objId) return t;
        return null;
    }

    public KObject taskStruct(Task t) {
        return heap.get(t.obj);
    }

    public Task current(int cpu) {
        return tasks.get(cpus[cpu].current);
    }

    public KObject object(int id) {
        return id > 0 && id < heap.size() ? heap.get(id) : null;
    }

    public int objectCount() {
        return heap.size() - 1;
    }

    /** The object the scenario named {@code name} (vcpu0, vpe0), or null. */
    public KObject named(String name) {
        Integer id = names.get(name);
        return id == null ? null : heap.get(id);
    }

    public Map<String, Integer> names() {
        return Collections.unmodifiableMap(names);
    }

    public Value global(String name) {
        int slot = program.globalSlot(name);
        return slot < 0 ? null : globals[slot];
    }

    /** The irq_desc object of interrupt {@code irq}, or null. */
    public KObject irqDesc(int irq) {
        Integer id = irqs.get(irq);
        return id == null ? null : heap.get(id);
    }

    public Map<Integer, Integer> irqTable() {
        return Collections.unmodifiableMap(irqs);
    }

    /** "45 (vcpu)": an interrupt's number and the name it was requested with. */
    public String irqName(int irq) {
        KObject d = irqDesc(irq);
        return d == null ? Integer.toString(irq) : irq + " (" + d.text("name") + ")";
    }

    /** Remaining uses of an external event or of the preemption budget; null means unlimited. */
    public Integer budget(String key) {
        return budgets.get(key);
    }

    /** A copy of this World in which budget {@code key} (an event name, or "preempt") allows {@code n} more uses. */
    public World withBudget(String key, int n) {
        World c = copy();
        c.budgets.put(key, n);
        return c;
    }

    /** A subsystem's extension state (read-only for views), or null. */
    public <T extends Extension> T ext(String key, Class<T> type) {
        Extension e = ext.get(key);
        return e == null ? null : type.cast(e);
    }

    public boolean wasReported(String key) {
        return reported.contains(key);
    }

    /** How a value reads in events and views: booleans as true/false, registers in hex, objects by name. */
    public String show(Value v, StructType.Shape shape) {
        if (v instanceof Value.Ref r) {
            KObject o = object(r.id());
            if (o == null) return "#" + r.id();
            if (o.type().isArray()) return r.index() == 0 ? "&" + o.name() : "&" + o.name() + "[" + r.index() + "]";
            return o.type().name().equals("task_struct") ? o.text("comm") : o.name();
        }
        if (v instanceof Value.Int i) {
            return switch (shape) {
                case BOOL -> i.v() == 0 ? "false" : (i.v() == 1 ? "true" : Long.toString(i.v()));
                case HEX -> "0x" + Long.toHexString(i.v());
                case POINTER -> i.v() == 0 ? "NULL" : "0x" + Long.toHexString(i.v());
                case STRING, EMBEDDED -> i.v() == 0 ? "NULL" : Long.toString(i.v());
                default -> Long.toString(i.v());
            };
        }
        if (v instanceof Value.Str s) return "\"" + s.s() + "\"";
        if (v instanceof Value.Seq q) {
            StringBuilder b = new StringBuilder("[");
            for (Value e : q.items()) {
                if (b.length() > 1) b.append(", ");
                b.append(show(e, StructType.Shape.POINTER));
            }
            return b.append(']').toString();
        }
        return v.toString();
    }

    /** The value of {@code field} of {@code o} as {@link #show} prints it. */
    public String showField(KObject o, String field) {
        StructType.Field f = o.type().field(field);
        return show(o.get(f.index()), f.shape());
    }

    // ---- setup (before step 0; no events) ----
    KObject allocate(StructType type, String name) {
        int id = heap.size();
        KObject o = new KObject(id, type, name == null ? type.name() + "#" + id : name);
        heap.add(o);
        for (StructType.Field f : type.fields()) {
            if (f.shape() == StructType.Shape.EMBEDDED) {
                StructType inner = program.struct(f.type().structName());
                KObject sub = allocate(inner, o.name() + "." + f.name());
                o.setRaw(f.index(), new Value.Ref(sub.id()));
            }
        }
        return o;
    }

    void name(String name, int id) {
        names.put(name, id);
    }
}
