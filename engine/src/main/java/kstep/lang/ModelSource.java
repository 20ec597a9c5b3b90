package kstep.lang;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * One model file exactly as written (the code panes show this text verbatim), and its preprocessing for a
 * variant: {@code #ifdef / #ifndef / #if / #elif / #else / #endif} decide which lines a variant compiles.
 * Inactive lines are blanked rather than removed, so every position still points into the verbatim text.
 */
public final class ModelSource {
    private final String name;
    private final String text;
    private final List<String> lines;

    public ModelSource(String name, String text) {
        this.name = name;
        this.text = text.replace("\r\n", "\n");
        List<String> ls = new ArrayList<>();
        int start = 0;
        String t = this.text;
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) == '\n') {
                ls.add(t.substring(start, i));
                start = i + 1;
            }
        }
        if (start < t.length()) ls.add(t.substring(start));
        this.lines = Collections.unmodifiableList(ls);
    }

    public String name() {
        return name;
    }

    public String text() {
        return text;
    }

    public List<String> lines() {
        return lines;
    }

    /** The text a variant compiles, and which lines it compiles. */
    public record Preprocessed(ModelSource source, String text, BitSet active) {
        /** Whether 1-based {@code line} is compiled in this variant (directive lines never are). */
        public boolean isActive(int line) {
            return active.get(line);
        }
    }

    /** Preprocesses for the given set of defined macros. Errors name the directive's line and column. */
    public Preprocessed preprocess(Set<String> defines) {
        StringBuilder out = new StringBuilder(text.length());
        BitSet active = new BitSet(lines.size() + 1);
        // Each open conditional: was any branch taken yet, is the current branch on, was the parent on.
        record Cond(boolean parentOn, boolean anyTaken, boolean on, boolean sawElse, int line) { }
        ArrayList<Cond> stack = new ArrayList<>();
        boolean on = true;
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = lines.get(i);
            String trimmed = line.stripLeading();
            int col = line.length() - trimmed.length() + 1;
            if (trimmed.startsWith("#")) {
                String directive = trimmed.substring(1).stripLeading();
                String word = directive.split("[\\s(]", 2)[0];
                String rest = directive.substring(word.length()).strip();
                int c = rest.indexOf("//");
                if (c >= 0) rest = rest.substring(0, c).strip();
                SourcePos pos = new SourcePos(name, lineNo, col);
                switch (word) {
                    case "ifdef", "ifndef" -> {
                        if (!rest.matches("[A-Za-z_][A-Za-z0-9_]*"))
                            throw new SourceError(pos, "#" + word + " needs one macro name");
                        boolean v = defines.contains(rest) == word.equals("ifdef");
                        stack.add(new Cond(on, v, on && v, false, lineNo));
                        on = on && v;
                        out.append('\n');
                        continue;
                    }
                    case "if" -> {
                        boolean v = new CondExpr(rest, defines, pos).parse();
                        stack.add(new Cond(on, v, on && v, false, lineNo));
                        on = on && v;
                        out.append('\n');
                        continue;
                    }
                    case "elif" -> {
                        if (stack.isEmpty()) throw new SourceError(pos, "#elif without #if");
                        Cond top = stack.remove(stack.size() - 1);
                        if (top.sawElse()) throw new SourceError(pos, "#elif after #else");
                        boolean v = !top.anyTaken() && new CondExpr(rest, defines, pos).parse();
                        stack.add(new Cond(top.parentOn(), top.anyTaken() || v, top.parentOn() && v, false, top.line()));
                        on = top.parentOn() && v;
                        out.append('\n');
                        continue;
                    }
                    case "else" -> {
                        if (stack.isEmpty()) throw new SourceError(pos, "#else without #if");
                        Cond top = stack.remove(stack.size() - 1);
                        if (top.sawElse()) throw new SourceError(pos, "second #else for the #if at line " + top.line());
                        boolean v = !top.anyTaken();
                        stack.add(new Cond(top.parentOn(), true, top.parentOn() && v, true, top.line()));
                        on = top.parentOn() && v;
                        out.append('\n');
                        continue;
                    }
                    case "endif" -> {
                        if (stack.isEmpty()) throw new SourceError(pos, "#endif without #if");
                        Cond top = stack.remove(stack.size() - 1);
                        on = top.parentOn();
                        out.append('\n');
                        continue;
                    }
                    case "define" -> {
                        // kept for the parser: #define NAME VALUE declares a constant
                    }
                    default -> throw new SourceError(pos, "unknown directive #" + word);
                }
            }
            if (on) {
                out.append(line);
                active.set(lineNo);
            }
            out.append('\n');
        }
        if (!stack.isEmpty()) {
            Cond top = stack.get(stack.size() - 1);
            throw new SourceError(new SourcePos(name, top.line(), 1), "#if without #endif");
        }
        return new Preprocessed(this, out.toString(), active);
    }

    /** {@code #if} expressions: defined(X), X (defined or not), !, &&, ||, parentheses, 0 and 1. */
    private static final class CondExpr {
        private final String s;
        private final Set<String> defines;
        private final SourcePos pos;
        private int i;

        CondExpr(String s, Set<String> defines, SourcePos pos) {
            this.s = s;
            this.defines = defines;
            this.pos = pos;
        }

        boolean parse() {
            boolean v = or();
            skip();
            if (i != s.length()) throw new SourceError(pos, "cannot read #if expression at '" + s.substring(i) + "'");
            return v;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        private boolean eat(String t) {
            skip();
            if (s.startsWith(t, i)) {
                i += t.length();
                return true;
            }
            return false;
        }

        private boolean or() {
            boolean v = and();
            while (eat("||")) v = and() | v;
            return v;
        }

        private boolean and() {
            boolean v = unary();
            while (eat("&&")) v = unary() & v;
            return v;
        }

        private boolean unary() {
            if (eat("!")) return !unary();
            if (eat("(")) {
                boolean v = or();
                if (!eat(")")) throw new SourceError(pos, "missing ')' in #if expression");
                return v;
            }
            skip();
            int st = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
            String w = s.substring(st, i);
            if (w.isEmpty()) throw new SourceError(pos, "expected a macro name in #if expression");
            if (w.equals("defined")) {
                boolean paren = eat("(");
                skip();
                int a = i;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
                String m = s.substring(a, i);
                if (m.isEmpty()) throw new SourceError(pos, "defined needs a macro name");
                if (paren && !eat(")")) throw new SourceError(pos, "missing ')' after defined(" + m);
                return defines.contains(m);
            }
            if (w.equals("0")) return false;
            if (w.equals("1")) return true;
            return defines.contains(w);
        }
    }
}
