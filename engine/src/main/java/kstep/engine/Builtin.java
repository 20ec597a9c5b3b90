package kstep.engine;

/**
 * A function the models call that is implemented in Java by a subsystem: hardware (writing GICR_VPENDBASER),
 * scheduler primitives (context_switch) or small kernel helpers. {@code outs} marks the arguments that are
 * assigned by the call, as C macros like {@code local_irq_save(flags)} do.
 *
 * <p>A builtin with a {@code guard} may wait: its first call can {@link Exec#park()} (a spinlock held
 * elsewhere: the CPU spins; nothing runnable: the CPU idles in WFI). The statement then stays where it is and
 * the scheduler does not pick the CPU again until the guard holds; the builtin is then called once more with
 * {@link Args#resumed()} true to finish.
 */
public record Builtin(String name, int arity, long outs, Impl impl, Guard guard, String doc) {

    @FunctionalInterface
    public interface Impl {
        Value call(Exec x, Args a);
    }

    @FunctionalInterface
    public interface Guard {
        boolean canProceed(Exec x, Args a);
    }

    public boolean isOut(int arg) {
        return (outs & (1L << arg)) != 0;
    }

    /** The arguments of one call: values, and for out-parameters the place to assign. */
    public static final class Args {
        private final Value[] values;
        private final LV[] outs;
        private final Exec x;
        private final boolean resumed;
        private final Op.ArgInfo info;

        Args(Exec x, Value[] values, LV[] outs, boolean resumed, Op.ArgInfo info) {
            this.x = x;
            this.values = values;
            this.outs = outs;
            this.resumed = resumed;
            this.info = info;
        }

        /** Argument {@code i} as written in the model ({@code &data->lock}), or null. */
        public String text(int i) {
            return info.text(i);
        }

        /** The struct argument {@code i} is the size of ({@code sizeof(*data)}), or null. */
        public StructType structOf(int i) {
            return info.struct(i);
        }

        /** True when this call finishes a statement that parked earlier (its guard now holds). */
        public boolean resumed() {
            return resumed;
        }

        public int size() {
            return values.length;
        }

        public Value get(int i) {
            return values[i];
        }

        public long l(int i) {
            return x.asLong(values[i]);
        }

        public boolean b(int i) {
            return values[i].truthy();
        }

        public KObject obj(int i) {
            return x.deref(values[i]);
        }

        public String str(int i) {
            return values[i] instanceof Value.Str s ? s.s() : values[i].toString();
        }

        /** Assigns an out-parameter (the {@code flags} of {@code local_irq_save(flags)}). */
        public void out(int i, Value v) {
            outs[i].store(x, v);
        }
    }
}
