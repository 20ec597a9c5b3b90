package kstep.engine;

/**
 * A model value: a 64-bit integer (C's integers and booleans), a reference to a kernel object, a function
 * (C function pointer), a string, a list (a wait queue), or NULL. Values are immutable.
 */
public sealed interface Value permits Value.Int, Value.Ref, Value.Fn, Value.Str, Value.Seq, Value.Nil {

    record Int(long v) implements Value {
        @Override
        public String toString() {
            return Long.toString(v);
        }
    }

    /**
     * A pointer to a kernel object, or to element {@code index} of an array object (a local array, or a local
     * whose address is taken: {@code &locked}).
     */
    record Ref(int id, int index) implements Value {
        public Ref(int id) {
            this(id, 0);
        }
    }

    record Fn(String name) implements Value {
        @Override
        public String toString() {
            return name;
        }
    }

    record Str(String s) implements Value {
        @Override
        public String toString() {
            return s;
        }
    }

    /** An immutable list of values: a lock's waiters in queue order, a task's held locks. */
    record Seq(java.util.List<Value> items) implements Value {
        public static final Seq EMPTY = new Seq(java.util.List.of());

        public Seq {
            items = java.util.List.copyOf(items);
        }

        public Seq with(Value v) {
            java.util.List<Value> l = new java.util.ArrayList<>(items);
            l.add(v);
            return new Seq(l);
        }

        public Seq without(Value v) {
            java.util.List<Value> l = new java.util.ArrayList<>(items);
            l.remove(v);
            return new Seq(l);
        }

        public boolean contains(Value v) {
            return items.contains(v);
        }

        public Value first() {
            return items.isEmpty() ? Nil.NULL : items.get(0);
        }
    }

    enum Nil implements Value {
        NULL;

        @Override
        public String toString() {
            return "NULL";
        }
    }

    Value.Int ZERO = new Int(0);
    Value.Int ONE = new Int(1);

    static Value.Int of(long v) {
        if (v >= Cache.LOW && v < Cache.HIGH) return Cache.INTS[(int) (v - Cache.LOW)];
        return new Int(v);
    }

    static Value.Int bool(boolean b) {
        return b ? ONE : ZERO;
    }

    /** C truth: non-zero integers, objects, functions and strings are true; 0 and NULL are false. */
    default boolean truthy() {
        if (this instanceof Int i) return i.v() != 0;
        if (this instanceof Seq q) return !q.items().isEmpty();
        return this != Nil.NULL;
    }

    /** C's == across the kinds the models use: NULL equals 0, objects compare by identity. */
    static boolean same(Value a, Value b) {
        if (a instanceof Int x && b instanceof Int y) return x.v() == y.v();
        if (a == Nil.NULL && b instanceof Int y) return y.v() == 0;
        if (b == Nil.NULL && a instanceof Int x) return x.v() == 0;
        return a.equals(b);
    }

    final class Cache {
        static final int LOW = -128;
        static final int HIGH = 4096;
        static final Int[] INTS = new Int[HIGH - LOW];

        static {
            for (int i = 0; i < INTS.length; i++) INTS[i] = new Int(i + LOW);
        }

        private Cache() { }
    }
}
