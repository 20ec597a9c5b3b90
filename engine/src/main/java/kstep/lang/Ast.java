package kstep.lang;

import java.util.List;

/** The syntax tree of a model file: declarations, statements and expressions, each with its position. */
public final class Ast {
    private Ast() { }

    /** A C type as written: base name ({@code int}, {@code struct kvm_vcpu}) and pointer depth. */
    public record TypeRef(String base, int pointers) {
        public boolean isPointer() {
            return pointers > 0;
        }

        public boolean isStruct() {
            return base.startsWith("struct ");
        }

        public String structName() {
            return base.substring("struct ".length());
        }

        @Override
        public String toString() {
            return base + "*".repeat(pointers);
        }
    }

    public sealed interface Decl permits FunctionDecl, StructDecl, EnumDecl, DefineDecl, GlobalDecl, TypedefDecl {
        SourcePos pos();
    }

    public record Param(SourcePos pos, TypeRef type, String name) { }

    /** A function; {@code body} is null for a prototype. {@code end} is the closing brace. */
    public record FunctionDecl(SourcePos pos, TypeRef ret, String name, List<Param> params, Block body,
                               SourcePos end, String doc) implements Decl { }

    public record FieldDecl(SourcePos pos, TypeRef type, String name) { }

    public record StructDecl(SourcePos pos, String name, List<FieldDecl> fields) implements Decl { }

    public record EnumConst(SourcePos pos, String name, Expr value) { }

    public record EnumDecl(SourcePos pos, List<EnumConst> constants) implements Decl { }

    public record DefineDecl(SourcePos pos, String name, Expr value) implements Decl { }

    public record GlobalDecl(SourcePos pos, TypeRef type, String name, Expr init) implements Decl { }

    /** {@code typedef struct raw_spinlock raw_spinlock_t;} */
    public record TypedefDecl(SourcePos pos, TypeRef type, String name) implements Decl { }

    // ---- statements ----
    public sealed interface Stmt permits Block, If, While, DoWhile, For, Return, Break, Continue, Goto, Labeled,
            Atomic, VarDecl, ExprStmt, Empty, Switch, Case {
        SourcePos pos();
    }

    public record Block(SourcePos pos, List<Stmt> stmts, SourcePos end) implements Stmt { }

    public record If(SourcePos pos, Expr cond, Stmt then, Stmt otherwise) implements Stmt { }

    public record While(SourcePos pos, Expr cond, Stmt body) implements Stmt { }

    public record DoWhile(SourcePos pos, Stmt body, Expr cond, SourcePos condPos) implements Stmt { }

    public record For(SourcePos pos, Stmt init, Expr cond, Expr update, Stmt body) implements Stmt { }

    public record Return(SourcePos pos, Expr value) implements Stmt { }

    public record Break(SourcePos pos) implements Stmt { }

    public record Continue(SourcePos pos) implements Stmt { }

    public record Goto(SourcePos pos, String label) implements Stmt { }

    public record Labeled(SourcePos pos, String label, Stmt stmt) implements Stmt { }

    /** {@code atomic { ... }}: the whole block runs as one step. */
    public record Atomic(SourcePos pos, Block body) implements Stmt { }

    /** A local; {@code length} is the element count of an array ({@code struct page *pages[4]}), or null. */
    public record VarDecl(SourcePos pos, TypeRef type, String name, Expr length, Expr init) implements Stmt { }

    public record ExprStmt(SourcePos pos, Expr expr) implements Stmt { }

    public record Empty(SourcePos pos) implements Stmt { }

    public record Switch(SourcePos pos, Expr value, Block body) implements Stmt { }

    /** {@code case V:} or {@code default:} (value null) inside a switch body. */
    public record Case(SourcePos pos, Expr value) implements Stmt { }

    // ---- expressions ----
    public sealed interface Expr permits IntLit, StrLit, Name, Unary, Binary, Ternary, Assign, IncDec, Call, Member,
            Cast, SizeOf, Index {
        SourcePos pos();
    }

    public record IntLit(SourcePos pos, long value) implements Expr { }

    public record StrLit(SourcePos pos, String value) implements Expr { }

    public record Name(SourcePos pos, String id) implements Expr { }

    /** Prefix operators: ! ~ - + & (address of an embedded object) and * (dereference, identity on objects). */
    public record Unary(SourcePos pos, String op, Expr operand) implements Expr { }

    public record Binary(SourcePos pos, String op, Expr left, Expr right) implements Expr { }

    public record Ternary(SourcePos pos, Expr cond, Expr then, Expr otherwise) implements Expr { }

    public record Assign(SourcePos pos, String op, Expr target, Expr value) implements Expr { }

    public record IncDec(SourcePos pos, boolean increment, boolean prefix, Expr target) implements Expr { }

    public record Call(SourcePos pos, Expr callee, List<Expr> args) implements Expr { }

    /** {@code obj->field} and {@code obj.field} (the models make no difference). */
    public record Member(SourcePos pos, Expr object, String field) implements Expr { }

    /** {@code array[index]}: an element of a local array or of what a pointer into one points at. */
    public record Index(SourcePos pos, Expr array, Expr index) implements Expr { }

    public record Cast(SourcePos pos, TypeRef type, Expr value) implements Expr { }

    /** {@code sizeof(type)} or {@code sizeof(expr)}; exactly one of the two is set. */
    public record SizeOf(SourcePos pos, TypeRef type, Expr value) implements Expr { }

    /** The expression as C source ({@code &data->lock}), as lockdep names the locks it meets. */
    /** Calls {@code f} on every expression in {@code s}, outermost first. */
    public static void walk(Stmt s, java.util.function.Consumer<Expr> f) {
        if (s instanceof Block b) {
            for (Stmt t : b.stmts()) walk(t, f);
        } else if (s instanceof If i) {
            walk(i.cond(), f);
            walk(i.then(), f);
            if (i.otherwise() != null) walk(i.otherwise(), f);
        } else if (s instanceof While w) {
            walk(w.cond(), f);
            walk(w.body(), f);
        } else if (s instanceof DoWhile d) {
            walk(d.body(), f);
            walk(d.cond(), f);
        } else if (s instanceof For o) {
            if (o.init() != null) walk(o.init(), f);
            if (o.cond() != null) walk(o.cond(), f);
            if (o.update() != null) walk(o.update(), f);
            walk(o.body(), f);
        } else if (s instanceof Return r) {
            if (r.value() != null) walk(r.value(), f);
        } else if (s instanceof Labeled l) {
            walk(l.stmt(), f);
        } else if (s instanceof Atomic a) {
            walk(a.body(), f);
        } else if (s instanceof VarDecl v) {
            if (v.init() != null) walk(v.init(), f);
        } else if (s instanceof ExprStmt e) {
            walk(e.expr(), f);
        } else if (s instanceof Switch w) {
            walk(w.value(), f);
            walk(w.body(), f);
        }
    }

    private static void walk(Expr e, java.util.function.Consumer<Expr> f) {
        f.accept(e);
        if (e instanceof Unary u) {
            walk(u.operand(), f);
        } else if (e instanceof Binary b) {
            walk(b.left(), f);
            walk(b.right(), f);
        } else if (e instanceof Ternary t) {
            walk(t.cond(), f);
            walk(t.then(), f);
            walk(t.otherwise(), f);
        } else if (e instanceof Assign a) {
            walk(a.target(), f);
            walk(a.value(), f);
        } else if (e instanceof IncDec i) {
            walk(i.target(), f);
        } else if (e instanceof Call c) {
            walk(c.callee(), f);
            for (Expr a : c.args()) walk(a, f);
        } else if (e instanceof Member m) {
            walk(m.object(), f);
        } else if (e instanceof Cast c) {
            walk(c.value(), f);
        } else if (e instanceof SizeOf z) {
            if (z.value() != null) walk(z.value(), f);
        } else if (e instanceof Index i) {
            walk(i.array(), f);
            walk(i.index(), f);
        }
    }

    public static String text(Expr e) {
        if (e instanceof IntLit i) return Long.toString(i.value());
        if (e instanceof StrLit s) return "\"" + s.value() + "\"";
        if (e instanceof Name n) return n.id();
        if (e instanceof Unary u) return u.op() + text(u.operand());
        if (e instanceof Binary b) return text(b.left()) + " " + b.op() + " " + text(b.right());
        if (e instanceof Ternary t) return text(t.cond()) + " ? " + text(t.then()) + " : " + text(t.otherwise());
        if (e instanceof Assign a) return text(a.target()) + " " + a.op() + " " + text(a.value());
        if (e instanceof IncDec i) return i.prefix() ? (i.increment() ? "++" : "--") + text(i.target()) : text(i.target()) + (i.increment() ? "++" : "--");
        if (e instanceof Member m) return text(m.object()) + "->" + m.field();
        if (e instanceof Index i) return text(i.array()) + "[" + text(i.index()) + "]";
        if (e instanceof Cast c) return "(" + c.type() + ")" + text(c.value());
        if (e instanceof SizeOf z) return "sizeof(" + (z.type() != null ? z.type().toString() : text(z.value())) + ")";
        Call c = (Call) e;
        StringBuilder b = new StringBuilder(text(c.callee())).append('(');
        for (int i = 0; i < c.args().size(); i++) b.append(i > 0 ? ", " : "").append(text(c.args().get(i)));
        return b.append(')').toString();
    }
}
