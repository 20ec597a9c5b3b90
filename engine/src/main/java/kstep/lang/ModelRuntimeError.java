package kstep.lang;

/** A model did something the language cannot do at run time (a NULL dereference, an unknown field...). */
public final class ModelRuntimeError extends SourceError {
    private static final long serialVersionUID = 1L;

    public ModelRuntimeError(SourcePos pos, String detail) {
        super(pos, detail);
    }
}
