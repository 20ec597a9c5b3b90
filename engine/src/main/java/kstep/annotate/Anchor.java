package kstep.annotate;

/**
 * Where an annotation's point sits: on a thing a view shows ({@code target}, e.g. {@code vgic:pcpu0},
 * {@code cpu0:line:vgic/arm.kc:14}, {@code vma:10000000}, {@code window}), at {@code x}, {@code y} as fractions
 * of that thing's width and height (0,0 its top left; outside 0..1 is allowed). Fractions, not pixels, so
 * the point follows the thing when the layout, the window size or the presentation scale changes.
 */
public record Anchor(String target, double x, double y) {
    public static final String WINDOW = "window";

    public Anchor {
        if (target == null || target.isBlank()) throw new IllegalArgumentException("an anchor needs a target");
        if (!Double.isFinite(x) || !Double.isFinite(y)) throw new IllegalArgumentException("anchor offsets must be finite numbers");
    }

    /** The same target, moved by {@code dx}, {@code dy} fractions of it. */
    public Anchor moved(double dx, double dy) {
        return new Anchor(target, x + dx, y + dy);
    }
}
