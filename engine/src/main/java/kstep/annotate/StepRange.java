package kstep.annotate;

/** The steps an annotation or a note shows at, both ends included; written {@code 40}, {@code 40..60} or {@code 40..} (to the end). */
public record StepRange(int from, int to) {
    public static final StepRange ALL = new StepRange(0, Integer.MAX_VALUE);

    public StepRange {
        if (from < 0 || to < from) throw new IllegalArgumentException("steps " + from + ".." + to + " are not a range");
    }

    public static StepRange only(int step) {
        return new StepRange(step, step);
    }

    public static StepRange from(int step) {
        return new StepRange(step, Integer.MAX_VALUE);
    }

    public boolean contains(int step) {
        return step >= from && step <= to;
    }

    /** Parses what {@link #toString()} writes; IllegalArgumentException otherwise. */
    public static StepRange parse(String s) {
        String t = s.strip();
        if (t.equals("all")) return ALL;
        try {
            int dots = t.indexOf("..");
            if (dots < 0) return only(Integer.parseInt(t));
            int a = Integer.parseInt(t.substring(0, dots));
            String b = t.substring(dots + 2);
            return new StepRange(a, b.isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(b));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("steps are written 40, 40..60, 40.. or all, not '" + s + "'");
        }
    }

    @Override
    public String toString() {
        if (equals(ALL)) return "all";
        if (to == Integer.MAX_VALUE) return from + "..";
        return from == to ? Integer.toString(from) : from + ".." + to;
    }
}
