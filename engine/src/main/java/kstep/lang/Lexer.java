package kstep.lang;

import java.util.ArrayList;
import java.util.List;

/** Splits preprocessed model text into tokens; {@code #define} lines become DEFINE ... DEFINE_END. */
public final class Lexer {
    private static final String[] PUNCTS = {
        "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
        "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
        "{", "}", "(", ")", "[", "]", ";", ",", ".", "?", ":", "=", "<", ">", "+", "-", "*", "/",
        "%", "&", "|", "^", "!", "~"
    };

    private final String file;
    private final String s;
    private int i;
    private int line = 1;
    private int lineStart;
    private boolean inDefine;
    private String pendingComment;

    public Lexer(String file, String text) {
        this.file = file;
        this.s = text;
    }

    public static List<Token> tokenize(String file, String text) {
        Lexer lx = new Lexer(file, text);
        List<Token> out = new ArrayList<>();
        Token t;
        do {
            t = lx.next();
            out.add(t);
        } while (t.kind() != Token.Kind.EOF);
        return out;
    }

    private SourcePos pos() {
        return new SourcePos(file, line, i - lineStart + 1);
    }

    private void newline() {
        line++;
        lineStart = i + 1;
    }

    private Token make(Token.Kind k, String text, long v, SourcePos p) {
        String c = pendingComment;
        pendingComment = null;
        return new Token(k, text, v, p, c);
    }

    private Token next() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\n') {
                if (inDefine) {
                    inDefine = false;
                    SourcePos p = pos();
                    newline();
                    i++;
                    return make(Token.Kind.DEFINE_END, "", 0, p);
                }
                newline();
                i++;
            } else if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                i++; // line continuation
                newline();
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (s.startsWith("//", i)) {
                int st = i + 2;
                while (i < s.length() && s.charAt(i) != '\n') i++;
                addComment(s.substring(st, i));
            } else if (s.startsWith("/*", i)) {
                SourcePos p = pos();
                int st = i + 2;
                int end = s.indexOf("*/", st);
                if (end < 0) throw new SourceError(p, "unterminated comment");
                for (int k = i; k < end; k++) if (s.charAt(k) == '\n') { i = k; newline(); }
                addComment(s.substring(st, end));
                i = end + 2;
            } else {
                break;
            }
        }
        if (i >= s.length()) {
            if (inDefine) {
                inDefine = false;
                return make(Token.Kind.DEFINE_END, "", 0, pos());
            }
            return make(Token.Kind.EOF, "", 0, pos());
        }
        SourcePos p = pos();
        char c = s.charAt(i);
        if (c == '#') {
            int st = ++i;
            while (i < s.length() && Character.isWhitespace(s.charAt(i)) && s.charAt(i) != '\n') i++;
            int w = i;
            while (i < s.length() && Character.isLetter(s.charAt(i))) i++;
            String word = s.substring(w, i);
            if (!word.equals("define")) throw new SourceError(p, "unexpected directive #" + word + (st > 0 ? "" : ""));
            inDefine = true;
            return make(Token.Kind.DEFINE, "#define", 0, p);
        }
        if (Character.isLetter(c) || c == '_') {
            int st = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
            return make(Token.Kind.IDENT, s.substring(st, i), 0, p);
        }
        if (Character.isDigit(c)) return number(p);
        if (c == '"') return string(p);
        if (c == '\'') return character(p);
        for (String punct : PUNCTS) {
            if (s.startsWith(punct, i)) {
                i += punct.length();
                return make(Token.Kind.PUNCT, punct, 0, p);
            }
        }
        throw new SourceError(p, "unexpected character '" + c + "'");
    }

    private void addComment(String text) {
        String t = text.strip();
        pendingComment = pendingComment == null ? t : pendingComment + "\n" + t;
    }

    private Token number(SourcePos p) {
        int st = i;
        long v;
        try {
            if (s.startsWith("0x", i) || s.startsWith("0X", i)) {
                i += 2;
                int d = i;
                while (i < s.length() && Character.digit(s.charAt(i), 16) >= 0) i++;
                if (d == i) throw new SourceError(p, "hex number without digits");
                v = Long.parseUnsignedLong(s.substring(d, i), 16);
            } else {
                while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
                v = Long.parseLong(s.substring(st, i));
            }
        } catch (NumberFormatException e) {
            throw new SourceError(p, "number out of range: " + s.substring(st, i));
        }
        while (i < s.length() && "uUlL".indexOf(s.charAt(i)) >= 0) i++; // C suffixes
        if (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_'))
            throw new SourceError(pos(), "bad character '" + s.charAt(i) + "' in number");
        return make(Token.Kind.INT, s.substring(st, i), v, p);
    }

    private Token string(SourcePos p) {
        StringBuilder b = new StringBuilder();
        i++;
        while (true) {
            if (i >= s.length() || s.charAt(i) == '\n') throw new SourceError(p, "unterminated string");
            char c = s.charAt(i++);
            if (c == '"') break;
            if (c == '\\') {
                if (i >= s.length()) throw new SourceError(p, "unterminated string");
                char e = s.charAt(i++);
                b.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case '0' -> '\0';
                    default -> e;
                });
            } else {
                b.append(c);
            }
        }
        return make(Token.Kind.STRING, b.toString(), 0, p);
    }

    private Token character(SourcePos p) {
        i++;
        if (i + 1 >= s.length()) throw new SourceError(p, "unterminated character literal");
        char c = s.charAt(i++);
        if (c == '\\') {
            char e = s.charAt(i++);
            c = switch (e) {
                case 'n' -> '\n';
                case 't' -> '\t';
                case '0' -> '\0';
                default -> e;
            };
        }
        if (i >= s.length() || s.charAt(i) != '\'') throw new SourceError(p, "unterminated character literal");
        i++;
        return make(Token.Kind.INT, "'" + c + "'", c, p);
    }
}
