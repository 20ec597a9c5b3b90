package kstep.lang;

/**
 * Bad input: a model file, a scenario or a schedule that cannot be used. The message always starts with
 * {@code file:line:col: error:} so editors and terminals can jump to it.
 */
public class SourceError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient SourcePos pos;
    private final String detail;

    public SourceError(SourcePos pos, String detail) {
        super(pos + ": error: " + detail);
        this.pos = pos;
        this.detail = detail;
    }

    public SourcePos pos() {
        return pos;
    }

    public String detail() {
        return detail;
    }
}
