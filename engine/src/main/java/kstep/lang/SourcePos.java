package kstep.lang;

/** A place in a source file, 1-based line and column, printed the way compilers do: {@code file:line:col}. */
public record SourcePos(String file, int line, int col) {
    public static final SourcePos NONE = new SourcePos("<none>", 0, 0);

    @Override
    public String toString() {
        return file + ":" + line + ":" + col;
    }

    /** {@code file:line}, the form the trace prints in its "where" column. */
    public String fileLine() {
        return file + ":" + line;
    }
}
