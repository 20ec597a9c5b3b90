package kstep.lang;

/** One lexical token. {@code comment} is the comment text directly before it, if any (doc comments). */
public record Token(Kind kind, String text, long value, SourcePos pos, String comment) {
    public enum Kind { IDENT, INT, STRING, PUNCT, DEFINE, DEFINE_END, EOF }

    public boolean is(String punctOrWord) {
        return (kind == Kind.PUNCT || kind == Kind.IDENT) && text.equals(punctOrWord);
    }

    public String describe() {
        return switch (kind) {
            case EOF -> "end of file";
            case DEFINE_END -> "end of #define line";
            case STRING -> "string \"" + text + "\"";
            default -> "'" + text + "'";
        };
    }
}
