package kstep.lang;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import kstep.lang.Ast.*;

/** Recursive-descent parser for the C-like modelling language. Every error names file, line and column. */
public final class Parser {
    private static final Set<String> BASE_TYPES = Set.of(
        "void", "int", "long", "short", "char", "bool", "_Bool", "unsigned", "signed",
        "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64");
    private static final Set<String> QUALIFIERS = Set.of(
        "static", "inline", "extern", "__always_inline", "noinline", "__sched", "notrace", "asmlinkage",
        "const", "volatile", "__must_check", "__init");
    private static final Set<String> RESERVED = Set.of(
        "if", "else", "while", "do", "for", "return", "break", "continue", "goto", "switch", "case", "default",
        "atomic", "struct", "enum", "sizeof", "typedef");

    private final List<Token> toks;
    private int p;

    private Parser(List<Token> toks) {
        this.toks = toks;
    }

    /** Parses one preprocessed model file. */
    public static List<Decl> parseFile(ModelSource.Preprocessed pre) {
        return new Parser(Lexer.tokenize(pre.source().name(), pre.text())).file();
    }

    /** Parses a lone expression (scenario conditions, task entry calls); {@code origin} positions it in its file. */
    public static Expr parseExpression(String text, SourcePos origin) {
        List<Token> raw = Lexer.tokenize(origin.file(), text);
        List<Token> shifted = new ArrayList<>(raw.size());
        for (Token t : raw) {
            SourcePos tp = t.pos();
            SourcePos np = tp.line() == 1
                ? new SourcePos(origin.file(), origin.line(), origin.col() + tp.col() - 1)
                : new SourcePos(origin.file(), origin.line() + tp.line() - 1, tp.col());
            shifted.add(new Token(t.kind(), t.text(), t.value(), np, t.comment()));
        }
        Parser ps = new Parser(shifted);
        Expr e = ps.expr();
        if (ps.peek().kind() != Token.Kind.EOF) throw ps.error(ps.peek(), "unexpected " + ps.peek().describe() + " after expression");
        return e;
    }

    // ---- token helpers ----
    private Token peek() {
        return toks.get(p);
    }

    private Token peek(int ahead) {
        return toks.get(Math.min(p + ahead, toks.size() - 1));
    }

    private Token advance() {
        Token t = toks.get(p);
        if (t.kind() != Token.Kind.EOF) p++;
        return t;
    }

    private boolean at(String s) {
        return peek().is(s);
    }

    private boolean accept(String s) {
        if (at(s)) {
            advance();
            return true;
        }
        return false;
    }

    private Token expect(String s) {
        if (!at(s)) throw error(peek(), "expected '" + s + "' but found " + peek().describe());
        return advance();
    }

    private String ident(String what) {
        Token t = peek();
        if (t.kind() != Token.Kind.IDENT || RESERVED.contains(t.text()))
            throw error(t, "expected " + what + " but found " + t.describe());
        return advance().text();
    }

    private SourceError error(Token t, String msg) {
        return new SourceError(t.pos(), msg);
    }

    // ---- types ----
    private boolean atType() {
        return isTypeStart(p);
    }

    private boolean isTypeStart(int k) {
        Token t = toks.get(k);
        if (t.kind() != Token.Kind.IDENT) return false;
        String s = t.text();
        return BASE_TYPES.contains(s) || s.equals("struct") || s.equals("enum") || QUALIFIERS.contains(s)
            || (s.endsWith("_t") && toks.get(k + 1).kind() == Token.Kind.IDENT)
            || (s.endsWith("_t") && toks.get(k + 1).is("*"));
    }

    private TypeRef type() {
        while (QUALIFIERS.contains(peek().text()) && peek().kind() == Token.Kind.IDENT) advance();
        Token t = peek();
        String base;
        if (accept("struct")) {
            base = "struct " + ident("a struct name");
        } else if (accept("enum")) {
            ident("an enum name");
            base = "int";
        } else if (t.kind() == Token.Kind.IDENT && (BASE_TYPES.contains(t.text()) || t.text().endsWith("_t"))) {
            StringBuilder b = new StringBuilder(advance().text());
            // unsigned long long, signed int ...
            while (peek().kind() == Token.Kind.IDENT && Set.of("int", "long", "short", "char").contains(peek().text())
                && (b.toString().startsWith("unsigned") || b.toString().startsWith("signed") || b.toString().startsWith("long")))
                b.append(' ').append(advance().text());
            base = b.toString();
        } else {
            throw error(t, "expected a type but found " + t.describe());
        }
        int ptr = 0;
        while (true) {
            if (accept("*")) ptr++;
            else if (peek().kind() == Token.Kind.IDENT && Set.of("const", "volatile", "__rcu").contains(peek().text())) advance();
            else break;
        }
        return new TypeRef(base, ptr);
    }

    // ---- declarations ----
    private List<Decl> file() {
        List<Decl> out = new ArrayList<>();
        while (peek().kind() != Token.Kind.EOF) out.addAll(decl());
        return out;
    }

    private List<Decl> decl() {
        Token start = peek();
        if (start.kind() == Token.Kind.DEFINE) {
            advance();
            Token nameTok = peek();
            String name = ident("a macro name");
            if (at("(") && peek().pos().col() == nameTok.pos().col() + name.length())
                throw error(peek(), "function-like macros are not supported; write a function");
            Expr v = expr();
            if (peek().kind() != Token.Kind.DEFINE_END) throw error(peek(), "unexpected " + peek().describe() + " in #define");
            advance();
            return List.of(new DefineDecl(start.pos(), name, v));
        }
        if (at("struct") && peek(1).kind() == Token.Kind.IDENT && peek(2).is("{")) {
            advance();
            String name = advance().text();
            expect("{");
            List<FieldDecl> fields = new ArrayList<>();
            while (!accept("}")) {
                if (peek().kind() == Token.Kind.EOF) throw error(peek(), "missing '}' at the end of struct " + name);
                TypeRef ft = type();
                do {
                    int extra = 0;
                    while (accept("*")) extra++;
                    Token ftok = peek();
                    String fname = ident("a field name");
                    if (at("[")) throw error(peek(), "array fields are not supported");
                    fields.add(new FieldDecl(ftok.pos(), new TypeRef(ft.base(), ft.pointers() + extra), fname));
                } while (accept(","));
                expect(";");
            }
            expect(";");
            return List.of(new StructDecl(start.pos(), name, fields));
        }
        if (at("enum") && (peek(1).is("{") || (peek(1).kind() == Token.Kind.IDENT && peek(2).is("{")))) {
            advance();
            if (!at("{")) advance();
            expect("{");
            List<EnumConst> cs = new ArrayList<>();
            while (!accept("}")) {
                Token ct = peek();
                String n = ident("an enum constant");
                Expr v = accept("=") ? ternary() : null;
                cs.add(new EnumConst(ct.pos(), n, v));
                if (!accept(",")) {
                    expect("}");
                    break;
                }
            }
            expect(";");
            return List.of(new EnumDecl(start.pos(), cs));
        }
        if (accept("typedef")) {
            TypeRef t = type();
            Token n = peek();
            String name = ident("the new type name");
            expect(";");
            return List.of(new TypedefDecl(n.pos(), t, name));
        }
        String doc = start.comment();
        TypeRef t = type();
        Token nameTok = peek();
        String name = ident("a name");
        if (accept("(")) {
            List<Param> params = new ArrayList<>();
            if (!(at("void") && peek(1).is(")"))) {
                while (!at(")")) {
                    TypeRef pt = type();
                    Token pn = peek();
                    String pname = ident("a parameter name");
                    params.add(new Param(pn.pos(), pt, pname));
                    if (!accept(",")) break;
                }
            } else {
                advance();
            }
            expect(")");
            if (accept(";")) return List.of(new FunctionDecl(nameTok.pos(), t, name, params, null, null, doc));
            if (!at("{")) throw error(peek(), "expected '{' or ';' after the parameters of " + name);
            Block body = block();
            return List.of(new FunctionDecl(nameTok.pos(), t, name, params, body, body.end(), doc));
        }
        List<Decl> out = new ArrayList<>();
        while (true) {
            Expr init = accept("=") ? expr() : null;
            out.add(new GlobalDecl(nameTok.pos(), t, name, init));
            if (!accept(",")) break;
            int extra = 0;
            while (accept("*")) extra++;
            nameTok = peek();
            name = ident("a variable name");
            t = new TypeRef(t.base(), t.pointers() + extra);
        }
        expect(";");
        return out;
    }

    // ---- statements ----
    private Block block() {
        Token open = expect("{");
        List<Stmt> stmts = new ArrayList<>();
        while (!at("}")) {
            if (peek().kind() == Token.Kind.EOF) throw error(open, "this '{' is never closed");
            stmts.addAll(stmt());
        }
        Token close = advance();
        return new Block(open.pos(), stmts, close.pos());
    }

    private Stmt single() {
        List<Stmt> s = stmt();
        if (s.size() == 1) return s.get(0);
        return new Block(s.get(0).pos(), s, s.get(s.size() - 1).pos());
    }

    private List<Stmt> stmt() {
        Token t = peek();
        SourcePos pos = t.pos();
        if (t.kind() == Token.Kind.DEFINE) throw error(t, "#define is only allowed at file level");
        if (at("{")) return List.of(block());
        if (accept(";")) return List.of(new Empty(pos));
        if (t.kind() == Token.Kind.IDENT && peek(1).is(":") && !RESERVED.contains(t.text())) {
            advance();
            advance();
            if (at("}")) return List.of(new Labeled(pos, t.text(), new Empty(peek().pos())));
            return List.of(new Labeled(pos, t.text(), single()));
        }
        if (t.kind() == Token.Kind.IDENT) {
            switch (t.text()) {
                case "if" -> {
                    advance();
                    expect("(");
                    Expr c = expr();
                    expect(")");
                    Stmt th = single();
                    Stmt el = accept("else") ? single() : null;
                    return List.of(new If(pos, c, th, el));
                }
                case "while" -> {
                    advance();
                    expect("(");
                    Expr c = expr();
                    expect(")");
                    return List.of(new While(pos, c, single()));
                }
                case "do" -> {
                    advance();
                    Stmt body = single();
                    Token w = expect("while");
                    expect("(");
                    Expr c = expr();
                    expect(")");
                    expect(";");
                    return List.of(new DoWhile(pos, body, c, w.pos()));
                }
                case "for" -> {
                    advance();
                    expect("(");
                    Stmt init = null;
                    if (!accept(";")) {
                        if (atType()) {
                            List<Stmt> ds = varDecls();
                            if (ds.size() != 1) throw error(t, "declare one variable in a for initialiser");
                            init = ds.get(0);
                        } else {
                            init = new ExprStmt(peek().pos(), expr());
                            expect(";");
                        }
                    }
                    Expr c = at(";") ? null : expr();
                    expect(";");
                    Expr u = at(")") ? null : expr();
                    expect(")");
                    return List.of(new For(pos, init, c, u, single()));
                }
                case "return" -> {
                    advance();
                    Expr v = at(";") ? null : expr();
                    expect(";");
                    return List.of(new Return(pos, v));
                }
                case "break" -> {
                    advance();
                    expect(";");
                    return List.of(new Break(pos));
                }
                case "continue" -> {
                    advance();
                    expect(";");
                    return List.of(new Continue(pos));
                }
                case "goto" -> {
                    advance();
                    String l = ident("a label");
                    expect(";");
                    return List.of(new Goto(pos, l));
                }
                case "atomic" -> {
                    advance();
                    if (!at("{")) throw error(peek(), "atomic needs a block: atomic { ... }");
                    return List.of(new Atomic(pos, block()));
                }
                case "switch" -> {
                    advance();
                    expect("(");
                    Expr v = expr();
                    expect(")");
                    if (!at("{")) throw error(peek(), "expected '{' after switch (...)");
                    return List.of(new Switch(pos, v, block()));
                }
                case "case" -> {
                    advance();
                    Expr v = ternary();
                    expect(":");
                    return List.of(new Case(pos, v));
                }
                case "default" -> {
                    advance();
                    expect(":");
                    return List.of(new Case(pos, null));
                }
                case "else" -> throw error(t, "'else' without a matching 'if'");
                default -> { }
            }
        }
        if (atType()) return varDecls();
        Expr e = expr();
        expect(";");
        return List.of(new ExprStmt(pos, e));
    }

    private List<Stmt> varDecls() {
        SourcePos pos = peek().pos();
        TypeRef t = type();
        List<Stmt> out = new ArrayList<>();
        while (true) {
            Token n = peek();
            String name = ident("a variable name");
            Expr length = null;
            if (accept("[")) {
                length = expr();
                expect("]");
                if (at("=")) throw error(peek(), "array initialisers are not supported; assign the elements");
            }
            Expr init = accept("=") ? expr() : null;
            out.add(new VarDecl(out.isEmpty() ? pos : n.pos(), t, name, length, init));
            if (!accept(",")) break;
            int extra = 0;
            while (accept("*")) extra++;
            t = new TypeRef(t.base(), t.pointers() + extra);
        }
        expect(";");
        return out;
    }

    // ---- expressions (C precedence) ----
    private Expr expr() {
        Expr e = assignment();
        if (at(",")) throw error(peek(), "the comma operator is not supported");
        return e;
    }

    private static final Set<String> ASSIGN_OPS = Set.of("=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=");

    private Expr assignment() {
        Expr left = ternary();
        Token t = peek();
        if (t.kind() == Token.Kind.PUNCT && ASSIGN_OPS.contains(t.text())) {
            advance();
            if (!(left instanceof Name || left instanceof Member || left instanceof Index
                || left instanceof Unary u && u.op().equals("*")))
                throw error(t, "the left side of '" + t.text() + "' must be a variable, a field, an element or *pointer");
            return new Assign(t.pos(), t.text(), left, assignment());
        }
        return left;
    }

    private Expr ternary() {
        Expr c = binary(0);
        if (at("?")) {
            Token q = advance();
            Expr a = assignment();
            expect(":");
            Expr b = ternary();
            return new Ternary(q.pos(), c, a, b);
        }
        return c;
    }

    private static final String[][] LEVELS = {
        {"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", ">", "<=", ">="}, {"<<", ">>"}, {"+", "-"},
        {"*", "/", "%"}
    };

    private Expr binary(int level) {
        if (level == LEVELS.length) return unary();
        Expr left = binary(level + 1);
        while (true) {
            Token t = peek();
            String op = null;
            if (t.kind() == Token.Kind.PUNCT)
                for (String o : LEVELS[level]) if (t.text().equals(o)) op = o;
            if (op == null) return left;
            advance();
            left = new Binary(t.pos(), op, left, binary(level + 1));
        }
    }

    private Expr unary() {
        Token t = peek();
        if (t.kind() == Token.Kind.PUNCT) {
            switch (t.text()) {
                case "!", "~", "-", "+", "&", "*" -> {
                    advance();
                    return new Unary(t.pos(), t.text(), unary());
                }
                case "++", "--" -> {
                    advance();
                    Expr target = unary();
                    checkTarget(t, target);
                    return new IncDec(t.pos(), t.text().equals("++"), true, target);
                }
                case "(" -> {
                    if (isTypeStart(p + 1) && !peek(1).is("*")) {
                        advance();
                        TypeRef ty = type();
                        expect(")");
                        return new Cast(t.pos(), ty, unary());
                    }
                }
                default -> { }
            }
        }
        if (t.is("sizeof")) {
            advance();
            if (at("(") && isTypeStart(p + 1)) {
                advance();
                TypeRef ty = type();
                expect(")");
                return new SizeOf(t.pos(), ty, null);
            }
            return new SizeOf(t.pos(), null, unary());
        }
        return postfix(primary());
    }

    private void checkTarget(Token t, Expr target) {
        if (!(target instanceof Name || target instanceof Member || target instanceof Index
            || target instanceof Unary u && u.op().equals("*")))
            throw error(t, "'" + t.text() + "' needs a variable or a field");
    }

    private Expr postfix(Expr e) {
        while (true) {
            Token t = peek();
            if (accept("(")) {
                List<Expr> args = new ArrayList<>();
                if (!at(")")) {
                    do {
                        args.add(assignment());
                    } while (accept(","));
                }
                expect(")");
                e = new Call(e.pos(), e, args);
            } else if (at("->") || at(".")) {
                advance();
                e = new Member(t.pos(), e, ident("a field name"));
            } else if (at("++") || at("--")) {
                advance();
                checkTarget(t, e);
                e = new IncDec(t.pos(), t.text().equals("++"), false, e);
            } else if (accept("[")) {
                Expr index = expr();
                expect("]");
                e = new Index(t.pos(), e, index);
            } else {
                return e;
            }
        }
    }

    private Expr primary() {
        Token t = peek();
        switch (t.kind()) {
            case INT -> {
                advance();
                return new IntLit(t.pos(), t.value());
            }
            case STRING -> {
                advance();
                StringBuilder b = new StringBuilder(t.text());
                while (peek().kind() == Token.Kind.STRING) b.append(advance().text());
                return new StrLit(t.pos(), b.toString());
            }
            case IDENT -> {
                if (RESERVED.contains(t.text())) throw error(t, "unexpected keyword '" + t.text() + "'");
                advance();
                return new Name(t.pos(), t.text());
            }
            case PUNCT -> {
                if (accept("(")) {
                    Expr e = expr();
                    expect(")");
                    return e;
                }
                throw error(t, "unexpected " + t.describe());
            }
            default -> throw error(t, "unexpected " + t.describe());
        }
    }
}
