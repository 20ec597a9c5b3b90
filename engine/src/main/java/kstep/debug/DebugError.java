package kstep.debug;

/** A breakpoint or condition that cannot be used: the column (1-based, in what the user typed) and why. */
public final class DebugError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int col;

    public DebugError(int col, String why) {
        super(why);
        this.col = col;
    }

    public int col() {
        return col;
    }
}
