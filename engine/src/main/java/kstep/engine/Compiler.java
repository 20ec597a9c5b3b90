package kstep.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kstep.lang.Ast;
import kstep.lang.Ast.*;
import kstep.lang.ModelSource;
import kstep.lang.Parser;
import kstep.lang.SourceError;
import kstep.lang.SourcePos;

/**
 * Links model files into a {@link Program}: declarations first (typedefs, structs, constants, globals,
 * function signatures), then each body into ops. A statement becomes one step; a call to a model function
 * nested in an expression is hoisted into its own step before the statement, and {@code &&}/{@code ||} in
 * conditions become branches so calls on their right side still run only when C would run them.
 */
public final class Compiler {
    private final Builtins builtins;
    private final Map<String, TypeRef> typedefs = new HashMap<>();
    private final Map<String, StructType> structs = new LinkedHashMap<>();
    private final Map<String, Long> constants = new LinkedHashMap<>();
    private final Map<String, Program.Global> globals = new LinkedHashMap<>();
    private final List<Program.Static> statics = new ArrayList<>();
    private final Map<String, Function> functions = new LinkedHashMap<>();
    private final Map<String, FunctionDecl> bodies = new LinkedHashMap<>();
    private final Map<String, SourcePos> declaredAt = new HashMap<>();
    private final List<Program.Unresolved> unresolved = new ArrayList<>();

    private Compiler(Builtins builtins) {
        this.builtins = builtins;
    }

    /** Preprocesses, parses and links {@code sources} for a variant defining {@code defines}. */
    public static Program compile(List<ModelSource> sources, Set<String> defines, Builtins builtins) {
        Compiler c = new Compiler(builtins);
        List<ModelSource.Preprocessed> pres = new ArrayList<>();
        Map<ModelSource, List<Decl>> parsed = new LinkedHashMap<>();
        for (ModelSource s : sources) {
            ModelSource.Preprocessed p = s.preprocess(defines);
            pres.add(p);
            parsed.put(s, Parser.parseFile(p));
        }
        // typedefs first, from every file, so a struct may use a typedef another file declares
        for (List<Decl> decls : parsed.values())
            for (Decl d : decls) if (d instanceof TypedefDecl td) c.typedef(td);
        for (Map.Entry<ModelSource, List<Decl>> e : parsed.entrySet()) c.declare(e.getKey(), e.getValue());
        c.checkStructs();
        for (Map.Entry<String, FunctionDecl> e : c.bodies.entrySet()) c.compileBody(c.functions.get(e.getKey()), e.getValue());
        c.placeText();
        for (Program.Static st : c.statics)
            if (!c.structs.containsKey(st.struct())) throw new SourceError(st.pos(), "unknown struct " + st.struct());
        return new Program(pres, c.functions, c.structs, c.constants, c.globals, c.statics, builtins, c.unresolved, defines);
    }

    /** Lays the functions out one after the other in a kernel text segment, four bytes an op, 16-byte aligned. */
    private void placeText() {
        long at = KernelText.TEXT_BASE;
        for (String name : bodies.keySet()) {
            Function f = functions.get(name);
            f.place(at);
            at += (f.size() * 4L + 15) & ~15L;
        }
    }

    /**
     * Compiles a lone expression against a linked program (scenario conditions, task entry arguments). Names
     * nothing declares are added to {@code unresolved}; the caller checks them against the scenario's objects.
     */
    public static Ev expression(Program p, Expr e, List<Program.Unresolved> unresolved) {
        Compiler c = new Compiler(p.builtins());
        c.functions.putAll(p.functions());
        c.structs.putAll(p.structs());
        c.constants.putAll(p.constants());
        c.globals.putAll(p.globals());
        Function dummy = new Function("<expression>", null, e.pos(), null, 0, List.of(), List.of());
        FnCompiler fc = c.new FnCompiler(dummy, null);
        if (fc.hasModelCall(e)) throw new SourceError(e.pos(), "a condition cannot call model functions, only builtins");
        Ev ev = fc.value(e);
        unresolved.addAll(c.unresolved);
        return ev;
    }

    // ---------------------------------------------------------------- declarations
    private void claim(String name, SourcePos pos, String what) {
        SourcePos prev = declaredAt.get(name);
        if (prev != null) throw new SourceError(pos, what + " '" + name + "' is already declared at " + prev);
        if (builtins.get(name) != null) throw new SourceError(pos, what + " '" + name + "' has the name of a builtin");
        declaredAt.put(name, pos);
    }

    private TypeRef resolve(TypeRef t, SourcePos pos) {
        int guard = 0;
        while (typedefs.containsKey(t.base())) {
            TypeRef d = typedefs.get(t.base());
            t = new TypeRef(d.base(), d.pointers() + t.pointers());
            if (guard++ > 32) throw new SourceError(pos, "typedef loop at " + t.base());
        }
        return t;
    }

    private void typedef(TypedefDecl td) {
        claim(td.name(), td.pos(), "typedef");
        typedefs.put(td.name(), td.type());
    }

    private void declare(ModelSource src, List<Decl> decls) {
        for (Decl d : decls) {
            if (d instanceof TypedefDecl) {
                continue;
            } else if (d instanceof StructDecl sd) {
                if (structs.containsKey(sd.name()))
                    throw new SourceError(sd.pos(), "struct " + sd.name() + " is already declared at " + structs.get(sd.name()).pos());
                List<StructType.Field> fs = new ArrayList<>();
                Set<String> seen = new java.util.HashSet<>();
                for (FieldDecl f : sd.fields()) {
                    if (!seen.add(f.name())) throw new SourceError(f.pos(), "duplicate field '" + f.name() + "'");
                    TypeRef t = resolve(f.type(), f.pos());
                    fs.add(new StructType.Field(f.name(), t, StructType.shapeOf(t), fs.size(), f.pos()));
                }
                structs.put(sd.name(), new StructType(sd.name(), fs, sd.pos()));
            } else if (d instanceof DefineDecl dd) {
                claim(dd.name(), dd.pos(), "macro");
                constants.put(dd.name(), constant(dd.value()));
            } else if (d instanceof EnumDecl ed) {
                long next = 0;
                for (EnumConst ec : ed.constants()) {
                    claim(ec.name(), ec.pos(), "enum constant");
                    long v = ec.value() == null ? next : constant(ec.value());
                    constants.put(ec.name(), v);
                    next = v + 1;
                }
            } else if (d instanceof GlobalDecl gd) {
                claim(gd.name(), gd.pos(), "global");
                TypeRef t = resolve(gd.type(), gd.pos());
                StructType.Shape shape = StructType.shapeOf(t);
                if (shape == StructType.Shape.EMBEDDED) {
                    // a static object (DEFINE_SPINLOCK(pgo_lock)): created with the World, named as declared
                    if (gd.init() != null) throw new SourceError(gd.pos(), "a static struct cannot have an initialiser; it starts zeroed");
                    statics.add(new Program.Static(gd.name(), t.structName(), gd.pos()));
                    continue;
                }
                Value init = gd.init() == null ? StructType.zeroOf(shape) : Value.of(constant(gd.init()));
                globals.put(gd.name(), new Program.Global(gd.name(), globals.size(), init, shape));
            } else if (d instanceof FunctionDecl fd) {
                declareFunction(src, fd);
            }
        }
    }

    private void declareFunction(ModelSource src, FunctionDecl fd) {
        Function existing = functions.get(fd.name());
        if (existing != null) {
            if (existing.params() != fd.params().size())
                throw new SourceError(fd.pos(), fd.name() + " takes " + existing.params() + " parameters at " + existing.pos());
            if (fd.body() == null) return;
            if (bodies.containsKey(fd.name()))
                throw new SourceError(fd.pos(), "function '" + fd.name() + "' is already defined at " + bodies.get(fd.name()).pos());
        } else {
            if (builtins.get(fd.name()) != null) {
                if (fd.body() == null) return; // a prototype of a builtin documents it
                throw new SourceError(fd.pos(), "function '" + fd.name() + "' has the name of a builtin");
            }
            if (declaredAt.containsKey(fd.name()))
                throw new SourceError(fd.pos(), "'" + fd.name() + "' is already declared at " + declaredAt.get(fd.name()));
            declaredAt.put(fd.name(), fd.pos());
        }
        if (fd.body() == null) {
            functions.put(fd.name(), null);
            return;
        }
        List<String> names = new ArrayList<>();
        List<TypeRef> types = new ArrayList<>();
        for (Param p : fd.params()) {
            if (names.contains(p.name())) throw new SourceError(p.pos(), "duplicate parameter '" + p.name() + "'");
            names.add(p.name());
            types.add(resolve(p.type(), p.pos()));
        }
        Function fn = new Function(fd.name(), src, fd.pos(), fd.doc(), fd.params().size(), names, types);
        fn.setReturnShape(StructType.shapeOf(resolve(fd.ret(), fd.pos())));
        functions.put(fd.name(), fn);
        bodies.put(fd.name(), fd);
    }

    private void checkStructs() {
        for (StructType s : structs.values()) {
            for (StructType.Field f : s.fields()) {
                if (f.shape() == StructType.Shape.EMBEDDED) {
                    if (!structs.containsKey(f.type().structName()))
                        throw new SourceError(f.pos(), "unknown struct " + f.type().structName());
                    embeddedCycle(s, f.type().structName(), f.pos(), 0);
                }
            }
        }
        for (Map.Entry<String, Function> e : functions.entrySet()) {
            if (e.getValue() == null) {
                throw new SourceError(declaredAt.get(e.getKey()), "function '" + e.getKey() + "' is declared but never defined");
            }
        }
    }

    private void embeddedCycle(StructType root, String inner, SourcePos pos, int depth) {
        if (inner.equals(root.name()) || depth > 16) throw new SourceError(pos, "struct " + root.name() + " contains itself");
        for (StructType.Field f : structs.get(inner).fields())
            if (f.shape() == StructType.Shape.EMBEDDED) embeddedCycle(root, f.type().structName(), pos, depth + 1);
    }

    /** Evaluates a constant expression (#define values, enum values, global initialisers). */
    private long constant(Expr e) {
        if (e instanceof IntLit i) {
            return i.value();
        } else if (e instanceof Name n) {
            Long v = constants.get(n.id());
            if (v != null) return v;
            if (n.id().equals("true")) return 1;
            if (n.id().equals("false") || n.id().equals("NULL")) return 0;
            throw new SourceError(n.pos(), "'" + n.id() + "' is not a constant");
        } else if (e instanceof Unary u) {
            long v = constant(u.operand());
            return switch (u.op()) {
                case "-" -> -v;
                case "~" -> ~v;
                case "!" -> v == 0 ? 1 : 0;
                case "+" -> v;
                default -> throw new SourceError(u.pos(), "'" + u.op() + "' in a constant expression");
            };
        } else if (e instanceof Binary b) {
            long l = constant(b.left());
            long r = constant(b.right());
            if ((b.op().equals("/") || b.op().equals("%")) && r == 0) throw new SourceError(b.pos(), "division by zero");
            return Arith.binary(b.op(), l, r);
        } else if (e instanceof Cast c) {
            return constant(c.value());
        } else if (e instanceof Ternary t) {
            return constant(t.cond()) != 0 ? constant(t.then()) : constant(t.otherwise());
        } else {
            throw new SourceError(e.pos(), "not a constant expression");
        }
    }

    // ---------------------------------------------------------------- bodies
    private void compileBody(Function fn, FunctionDecl fd) {
        new FnCompiler(fn, fd).compile();
    }

    /** A jump target inside one function, bound to an op index once known. */
    private static final class Label {
        int at = -1;
    }

    /** Ops whose targets are labels; resolved when the function is finished. */
    private sealed interface Proto permits PJump, PCond, PSwitch, PFinal { }

    private record PJump(SourcePos pos, Label target, boolean step) implements Proto { }

    private record PCond(SourcePos pos, Ev cond, Label t, Label f) implements Proto { }

    private record PSwitch(SourcePos pos, Ev value, long[] keys, Label[] targets, Label otherwise) implements Proto { }

    private record PFinal(Op op) implements Proto { }

    private final class FnCompiler {
        private final Function fn;
        private final FunctionDecl fd;
        private final List<Proto> ops = new ArrayList<>();
        private final List<String> localNames = new ArrayList<>();
        private final List<TypeRef> localTypes = new ArrayList<>();
        private final Deque<Map<String, Integer>> scopes = new ArrayDeque<>();
        private final Deque<Label[]> loops = new ArrayDeque<>(); // {break, continue or null}
        private final Map<String, Label> labels = new HashMap<>();
        private final Map<String, SourcePos> labelDefs = new HashMap<>();
        private final Map<String, SourcePos> labelUses = new LinkedHashMap<>();
        private int atomicDepth;
        private int temps;
        private Deque<Map<Long, Label>> switchCases = new ArrayDeque<>();
        private Deque<Label[]> switchDefault = new ArrayDeque<>();
        /** Locals whose address the body takes ({@code &locked}): they live in a one-element stack object. */
        private final Set<String> addressed = new java.util.HashSet<>();
        /** Slots holding a stack object (arrays and addressed locals), and those of addressed scalars. */
        private final List<Integer> stackSlots = new ArrayList<>();
        private final Set<Integer> boxedSlots = new java.util.HashSet<>();

        FnCompiler(Function fn, FunctionDecl fd) {
            this.fn = fn;
            this.fd = fd;
        }

        void compile() {
            Map<String, Integer> params = new HashMap<>();
            for (int i = 0; i < fd.params().size(); i++) {
                Param p = fd.params().get(i);
                params.put(p.name(), i);
                localNames.add(p.name());
                localTypes.add(resolve(p.type(), p.pos()));
            }
            scopes.push(params);
            Ast.walk(fd.body(), e -> {
                if (e instanceof Unary u && u.op().equals("&") && u.operand() instanceof Name n) addressed.add(n.id());
            });
            // a parameter whose address is taken lives in a cell the call makes (Machine.push)
            StructType[] boxes = new StructType[fd.params().size()];
            for (int i = 0; i < boxes.length; i++) {
                Param p = fd.params().get(i);
                if (!addressed.contains(p.name())) continue;
                boxes[i] = StructType.array(localTypes.get(i), 1, p.pos());
                stackSlots.add(i);
                boxedSlots.add(i);
            }
            fn.setParamBoxes(boxes);
            block(fd.body());
            emit(new Op.Ret(fd.end(), null));
            for (Map.Entry<String, SourcePos> u : labelUses.entrySet())
                if (!labelDefs.containsKey(u.getKey())) throw new SourceError(u.getValue(), "label '" + u.getKey() + "' is not defined");
            for (int i = fn.locals(); i < localNames.size(); i++) fn.addLocal(localNames.get(i), localTypes.get(i));
            fn.setStackSlots(stackSlots.stream().mapToInt(Integer::intValue).toArray(), boxedSlots);
            Op[] out = new Op[ops.size()];
            for (int i = 0; i < out.length; i++) out[i] = finish(ops.get(i));
            Map<String, Integer> lab = new HashMap<>();
            for (Map.Entry<String, Label> e : labels.entrySet()) lab.put(e.getKey(), e.getValue().at);
            fn.setBody(out, lab);
        }

        private Op finish(Proto p) {
            if (p instanceof PFinal f) {
                return f.op();
            } else if (p instanceof PJump j) {
                return new Op.Jump(j.pos(), j.target().at, j.step());
            } else if (p instanceof PCond c) {
                return new Op.CondJump(c.pos(), c.cond(), c.t().at, c.f().at);
            } else if (p instanceof PSwitch s) {
                int[] t = new int[s.targets().length];
                for (int i = 0; i < t.length; i++) t[i] = s.targets()[i].at;
                return new Op.SwitchJump(s.pos(), s.value(), s.keys(), t, s.otherwise().at);
            }
            throw new IllegalStateException("unknown proto op " + p);
        }

        private void emit(Op op) {
            ops.add(new PFinal(op));
        }

        private void bind(Label l) {
            l.at = ops.size();
        }

        private int newLocal(String name, TypeRef type) {
            int slot = localNames.size();
            localNames.add(name);
            localTypes.add(type);
            return slot;
        }

        private Integer local(String name) {
            for (Map<String, Integer> s : scopes) {
                Integer slot = s.get(name);
                if (slot != null) return slot;
            }
            return null;
        }

        // ---------------- statements
        private void block(Block b) {
            scopes.push(new HashMap<>());
            for (Stmt s : b.stmts()) stmt(s);
            scopes.pop();
        }

        private void stmt(Stmt s) {
            if (s instanceof Block b) {
                block(b);
            } else if (s instanceof Empty e) {
                { }
            } else if (s instanceof ExprStmt es) {
                exprStmt(es.pos(), es.expr());
            } else if (s instanceof VarDecl vd) {
                varDecl(vd);
            } else if (s instanceof If i) {
                Label t = new Label(), f = new Label(), end = new Label();
                cond(i.cond(), t, f);
                bind(t);
                stmt(i.then());
                if (i.otherwise() != null) {
                    ops.add(new PJump(i.pos(), end, false));
                    bind(f);
                    stmt(i.otherwise());
                } else {
                    bind(f);
                }
                bind(end);
            } else if (s instanceof While w) {
                Label top = new Label(), body = new Label(), exit = new Label();
                bind(top);
                cond(w.cond(), body, exit);
                bind(body);
                loops.push(new Label[] {exit, top});
                stmt(w.body());
                loops.pop();
                ops.add(new PJump(w.pos(), top, false));
                bind(exit);
            } else if (s instanceof DoWhile d) {
                Label top = new Label(), test = new Label(), exit = new Label();
                bind(top);
                loops.push(new Label[] {exit, test});
                stmt(d.body());
                loops.pop();
                bind(test);
                cond(d.cond(), top, exit);
                bind(exit);
            } else if (s instanceof For f) {
                scopes.push(new HashMap<>());
                if (f.init() != null) stmt(f.init());
                Label top = new Label(), body = new Label(), next = new Label(), exit = new Label();
                bind(top);
                if (f.cond() != null) cond(f.cond(), body, exit);
                bind(body);
                loops.push(new Label[] {exit, next});
                stmt(f.body());
                loops.pop();
                bind(next);
                if (f.update() != null) exprStmt(f.update().pos(), f.update());
                ops.add(new PJump(f.pos(), top, false));
                bind(exit);
                scopes.pop();
            } else if (s instanceof Return r) {
                if (atomicDepth > 0) throw new SourceError(r.pos(), "return inside an atomic block; leave the block first");
                if (r.value() instanceof Call c) {
                    int t = newLocal("$ret" + temps++, new TypeRef("long", 0));
                    callStmt(r.pos(), new LocalLV(t), c);
                    emit(new Op.Ret(r.pos(), new LocalEv(t)));
                } else {
                    Ev v = r.value() == null ? null : value(hoist(r.value()));
                    emit(new Op.Ret(r.pos(), v));
                }
            } else if (s instanceof Break b) {
                if (loops.isEmpty()) throw new SourceError(b.pos(), "break outside a loop or switch");
                if (atomicDepth > 0) throw new SourceError(b.pos(), "break out of an atomic block");
                ops.add(new PJump(b.pos(), loops.peek()[0], true));
            } else if (s instanceof Continue c) {
                Label target = null;
                for (Label[] l : loops) if (l[1] != null) { target = l[1]; break; }
                if (target == null) throw new SourceError(c.pos(), "continue outside a loop");
                if (atomicDepth > 0) throw new SourceError(c.pos(), "continue out of an atomic block");
                ops.add(new PJump(c.pos(), target, true));
            } else if (s instanceof Goto g) {
                if (atomicDepth > 0) throw new SourceError(g.pos(), "goto out of an atomic block");
                labelUses.putIfAbsent(g.label(), g.pos());
                ops.add(new PJump(g.pos(), labels.computeIfAbsent(g.label(), k -> new Label()), true));
            } else if (s instanceof Labeled l) {
                if (labelDefs.containsKey(l.label()))
                    throw new SourceError(l.pos(), "label '" + l.label() + "' is already defined at " + labelDefs.get(l.label()));
                labelDefs.put(l.label(), l.pos());
                bind(labels.computeIfAbsent(l.label(), k -> new Label()));
                stmt(l.stmt());
            } else if (s instanceof Atomic a) {
                emit(new Op.AtomicBegin(a.pos()));
                atomicDepth++;
                block(a.body());
                atomicDepth--;
                emit(new Op.AtomicEnd(a.body().end()));
            } else if (s instanceof Switch sw) {
                switchStmt(sw);
            } else if (s instanceof Case c) {
                if (switchCases.isEmpty()) throw new SourceError(c.pos(), (c.value() == null ? "default" : "case") + " outside a switch");
                Label l = new Label();
                bind(l);
                if (c.value() == null) {
                    if (switchDefault.peek()[0] != null) throw new SourceError(c.pos(), "second default in this switch");
                    switchDefault.peek()[0] = l;
                } else {
                    long v = constant(c.value());
                    if (switchCases.peek().put(v, l) != null) throw new SourceError(c.pos(), "duplicate case " + v);
                }
            }
        }

        private void switchStmt(Switch sw) {
            Ev v = value(hoist(sw.value()));
            Label exit = new Label();
            int at = ops.size();
            ops.add(null); // placeholder for the switch op
            switchCases.push(new LinkedHashMap<>());
            switchDefault.push(new Label[1]);
            loops.push(new Label[] {exit, null});
            block(sw.body());
            loops.pop();
            Map<Long, Label> cases = switchCases.pop();
            Label dflt = switchDefault.pop()[0];
            bind(exit);
            long[] keys = new long[cases.size()];
            Label[] targets = new Label[cases.size()];
            int i = 0;
            for (Map.Entry<Long, Label> e : cases.entrySet()) {
                keys[i] = e.getKey();
                targets[i++] = e.getValue();
            }
            ops.set(at, new PSwitch(sw.pos(), v, keys, targets, dflt == null ? exit : dflt));
        }

        private void varDecl(VarDecl vd) {
            if (scopes.peek().containsKey(vd.name())) throw new SourceError(vd.pos(), "'" + vd.name() + "' is already declared in this block");
            TypeRef t = resolve(vd.type(), vd.pos());
            if (StructType.shapeOf(t) == StructType.Shape.EMBEDDED)
                throw new SourceError(vd.pos(), "local struct variables are not supported; use a pointer");
            if (vd.length() != null || addressed.contains(vd.name())) {
                stackDecl(vd, t);
                return;
            }
            int slot = newLocal(vd.name(), t);
            if (vd.init() == null) {
                scopes.peek().put(vd.name(), slot);
                return;
            }
            Expr init = vd.init();
            if (init instanceof Call c) {
                scopes.peek().put(vd.name(), slot); // visible only after its initialiser, as in C
                callStmt(vd.pos(), new LocalLV(slot), c);
                return;
            }
            Ev v = value(hoist(init));
            scopes.peek().put(vd.name(), slot);
            emit(new Op.Store(vd.pos(), new LocalLV(slot), v));
        }

        /**
         * A local array, or a local whose address is taken: the slot points at a stack object (one element for a
         * scalar, which reads and writes go through), made when the declaration runs; one step, initialiser included.
         */
        private void stackDecl(VarDecl vd, TypeRef t) {
            boolean array = vd.length() != null;
            long n = array ? constant(vd.length()) : 1;
            if (n < 1 || n > 4096) throw new SourceError(vd.length().pos(), "an array has 1 to 4096 elements, not " + n);
            if (array && vd.init() != null) throw new SourceError(vd.pos(), "array initialisers are not supported; assign the elements");
            StructType type = StructType.array(t, (int) n, vd.pos());
            int slot = newLocal(vd.name(), array ? new TypeRef(t.base(), t.pointers() + 1) : t);
            stackSlots.add(slot);
            if (!array) boxedSlots.add(slot);
            Ev init = vd.init() == null ? null : value(hoist(vd.init()));
            String name = fd.name() + "." + vd.name();
            scopes.peek().put(vd.name(), slot);
            emit(new Op.Eval(vd.pos(), x -> {
                Value v = init == null ? null : init.eval(x);
                Value ref = x.stackObject(slot, type, name);
                x.frame().locals[slot] = ref; // no event: the slot only points at its own stack object
                if (v != null) x.setField(x.deref(ref), 0, v);
                return ref;
            }));
        }

        private void exprStmt(SourcePos pos, Expr e) {
            if (e instanceof Call c) {
                callStmt(pos, null, c);
            } else if (e instanceof Assign a && a.op().equals("=") && a.value() instanceof Call c) {
                callStmt(pos, lvalue(a.target()), c);
            } else if (e instanceof Assign a && a.op().equals("=")) {
                Expr rhs = hoist(a.value());
                emit(new Op.Store(pos, lvalue(a.target()), value(rhs)));
            } else {
                emit(new Op.Eval(pos, value(hoist(e))));
            }
        }

        private void callStmt(SourcePos pos, LV dest, Call c) {
            String name = c.callee() instanceof Name n && local(n.id()) == null && !globals.containsKey(n.id()) ? n.id() : null;
            Function direct = name == null ? null : functions.get(name);
            Builtin b = name == null || direct != null ? null : builtins.get(name);
            if (name != null && direct == null && b == null)
                throw new SourceError(c.pos(), "unknown function '" + name + "'" + suggest(name));
            List<Expr> args = new ArrayList<>();
            for (Expr a : c.args()) args.add(b != null && b.isOut(args.size()) ? a : hoist(a));
            Ev callee = null;
            if (name == null) callee = value(hoist(c.callee()));
            if (direct != null && direct.params() != args.size())
                throw new SourceError(c.pos(), name + " takes " + direct.params() + " arguments, not " + args.size());
            if (b != null) checkArity(b, c);
            Ev[] evs = new Ev[args.size()];
            LV[] outs = new LV[args.size()];
            for (int i = 0; i < evs.length; i++) {
                if (b != null && b.isOut(i)) outs[i] = lvalue(args.get(i));
                else evs[i] = value(args.get(i));
            }
            emit(new Op.Call(pos, dest, name, direct, b, callee, evs, outs, argInfo(c.args())));
        }

        private void checkArity(Builtin b, Call c) {
            if (b.arity() >= 0 && b.arity() != c.args().size())
                throw new SourceError(c.pos(), b.name() + " takes " + b.arity() + " arguments, not " + c.args().size());
        }

        /** Branches to {@code t} or {@code f}; && || ! become control flow so hoisted calls keep C's order. */
        private void cond(Expr e, Label t, Label f) {
            if (e instanceof Binary b && (b.op().equals("&&") || b.op().equals("||")) && hasModelCall(b.right())) {
                Label mid = new Label();
                if (b.op().equals("&&")) cond(b.left(), mid, f);
                else cond(b.left(), t, mid);
                bind(mid);
                cond(b.right(), t, f);
                return;
            }
            if (e instanceof Unary u && u.op().equals("!") && hasModelCall(u.operand())) {
                cond(u.operand(), f, t);
                return;
            }
            Ev c = value(hoist(e));
            ops.add(new PCond(e.pos(), c, t, f));
        }

        private boolean isModelCall(Expr e) {
            return e instanceof Call c && (!(c.callee() instanceof Name n) || local(n.id()) != null
                || globals.containsKey(n.id()) || functions.containsKey(n.id()));
        }

        private boolean hasModelCall(Expr e) {
            if (isModelCall(e)) return true;
            if (e instanceof Unary u) {
                return hasModelCall(u.operand());
            } else if (e instanceof Binary b) {
                return hasModelCall(b.left()) || hasModelCall(b.right());
            } else if (e instanceof Ternary t) {
                return hasModelCall(t.cond()) || hasModelCall(t.then()) || hasModelCall(t.otherwise());
            } else if (e instanceof Assign a) {
                return hasModelCall(a.target()) || hasModelCall(a.value());
            } else if (e instanceof IncDec i) {
                return hasModelCall(i.target());
            } else if (e instanceof Call c) {
                return c.args().stream().anyMatch(this::hasModelCall) || hasModelCall(c.callee());
            } else if (e instanceof Member m) {
                return hasModelCall(m.object());
            } else if (e instanceof Index i) {
                return hasModelCall(i.array()) || hasModelCall(i.index());
            } else if (e instanceof Cast c) {
                return hasModelCall(c.value());
            } else {
                return false;
            }
        }

        /**
         * Emits a call op for every model-function call inside {@code e}, in evaluation order, and returns
         * {@code e} with those calls replaced by their result temporaries.
         */
        private Expr hoist(Expr e) {
            if (isModelCall(e)) {
                Call c = (Call) e;
                if (!(c.callee() instanceof Name n) || !functions.containsKey(n.id()) || local(n.id()) != null)
                    throw new SourceError(c.pos(), "a call through a function pointer must be a statement of its own");
                int t = newLocal("$t" + temps++, new TypeRef("long", 0));
                callStmt(c.pos(), new LocalLV(t), c);
                return new Name(c.pos(), "$slot" + t);
            }
            if (e instanceof Unary u) {
                return new Unary(u.pos(), u.op(), hoist(u.operand()));
            } else if (e instanceof Binary b) {
                if ((b.op().equals("&&") || b.op().equals("||")) && hasModelCall(b.right()))
                    throw new SourceError(b.right().pos(), "a model function called on the right of '" + b.op()
                        + "' runs only sometimes; use it in an if condition or split the statement");
                return new Binary(b.pos(), b.op(), hoist(b.left()), hoist(b.right()));
            } else if (e instanceof Ternary t) {
                if (hasModelCall(t.then()) || hasModelCall(t.otherwise()))
                    throw new SourceError(t.pos(), "a model function call inside ?: runs only sometimes; use if/else");
                return new Ternary(t.pos(), hoist(t.cond()), t.then(), t.otherwise());
            } else if (e instanceof Assign a) {
                return new Assign(a.pos(), a.op(), a.target(), hoist(a.value()));
            } else if (e instanceof Call c) {
                List<Expr> args = new ArrayList<>();
                Builtin b = c.callee() instanceof Name n ? builtins.get(n.id()) : null;
                for (Expr a : c.args()) args.add(b != null && b.isOut(args.size()) ? a : hoist(a));
                return new Call(c.pos(), c.callee(), args);
            } else if (e instanceof Member m) {
                return new Member(m.pos(), hoist(m.object()), m.field());
            } else if (e instanceof Index i) {
                return new Index(i.pos(), hoist(i.array()), hoist(i.index()));
            } else if (e instanceof Cast c) {
                return new Cast(c.pos(), c.type(), hoist(c.value()));
            } else {
                return e;
            }
        }

        private Op.ArgInfo argInfo(List<Expr> args) {
            String[] text = new String[args.size()];
            StructType[] structs = new StructType[args.size()];
            for (int i = 0; i < text.length; i++) {
                text[i] = Ast.text(args.get(i));
                if (args.get(i) instanceof SizeOf z) structs[i] = sizedStruct(z);
            }
            return new Op.ArgInfo(text, structs);
        }

        /** The struct {@code sizeof(struct X)} or {@code sizeof(*p)} (p a local {@code struct X *}) measures, or null. */
        private StructType sizedStruct(SizeOf z) {
            TypeRef t = z.type() != null ? resolve(z.type(), z.pos()) : null;
            if (t == null && z.value() instanceof Unary u && u.op().equals("*") && u.operand() instanceof Name n && local(n.id()) != null) {
                TypeRef lt = localTypes.get(local(n.id()));
                if (lt.pointers() > 0) t = new TypeRef(lt.base(), lt.pointers() - 1);
            }
            return t != null && t.isStruct() && t.pointers() == 0 ? structs.get(t.structName()) : null;
        }

        /** C sizes on a 64-bit kernel; structs are the sum of their fields (kstep does not model padding). */
        private long sizeOf(TypeRef t, SourcePos pos) {
            t = resolve(t, pos);
            if (t.isPointer()) return 8;
            if (t.isStruct()) {
                StructType st = structs.get(t.structName());
                if (st == null) throw new SourceError(pos, "unknown struct " + t.structName());
                long n = 0;
                for (StructType.Field f : st.fields()) n += sizeOf(f.type(), pos);
                return n;
            }
            return switch (t.base()) {
                case "char", "bool", "_Bool", "u8", "s8" -> 1;
                case "short", "u16", "s16" -> 2;
                case "int", "unsigned", "unsigned int", "u32", "s32" -> 4;
                default -> 8;
            };
        }

        private Ev sizeOfEv(SizeOf z) {
            StructType st = z.type() == null ? sizedStruct(z) : null;
            long n;
            if (z.type() != null) n = sizeOf(z.type(), z.pos());
            else if (st != null) n = sizeOf(new TypeRef("struct " + st.name(), 0), z.pos());
            else if (z.value() instanceof Name nm && local(nm.id()) != null) n = sizeOf(localTypes.get(local(nm.id())), z.pos());
            else throw new SourceError(z.pos(), "sizeof needs a type, a local variable or *pointer-variable");
            return constEv(Value.of(n));
        }

        // ---------------- expressions
        private LV lvalue(Expr e) {
            if (e instanceof Name n) {
                Integer slot = slotOf(n.id());
                if (slot != null && boxedSlots.contains(slot)) return new ElemLV(new LocalEv(slot), constEv(Value.ZERO));
                if (slot != null) return new LocalLV(slot);
                Program.Global g = globals.get(n.id());
                if (g != null) return new GlobalLV(g.slot(), g.name(), g.shape());
                throw new SourceError(n.pos(), "cannot assign to '" + n.id() + "'");
            }
            if (e instanceof Member m) return new FieldLV(value(m.object()), m.field());
            if (e instanceof Index i) return new ElemLV(value(i.array()), value(i.index()));
            if (e instanceof Unary u && u.op().equals("*")) return new ElemLV(value(u.operand()), constEv(Value.ZERO));
            throw new SourceError(e.pos(), "cannot assign to this expression");
        }

        private Integer slotOf(String id) {
            if (id.startsWith("$slot")) return Integer.parseInt(id.substring(5));
            return local(id);
        }

        private Ev value(Expr e) {
            if (e instanceof IntLit i) {
                return constEv(Value.of(i.value()));
            } else if (e instanceof StrLit s) {
                return constEv(new Value.Str(s.value()));
            } else if (e instanceof Name n) {
                return name(n);
            } else if (e instanceof Cast c) {
                return value(c.value());
            } else if (e instanceof Member m) {
                return new FieldEv(value(m.object()), m.field());
            } else if (e instanceof Unary u) {
                return unary(u);
            } else if (e instanceof Binary b) {
                return binary(b);
            } else if (e instanceof Ternary t) {
                Ev c = value(t.cond()), a = value(t.then()), b = value(t.otherwise());
                return x -> c.eval(x).truthy() ? a.eval(x) : b.eval(x);
            } else if (e instanceof Assign a) {
                return assign(a);
            } else if (e instanceof IncDec i) {
                LV lv = lvalue(i.target());
                long d = i.increment() ? 1 : -1;
                boolean prefix = i.prefix();
                return x -> {
                    Value old = lv.load(x);
                    Value nv = arith(x, "+", old, Value.of(d));
                    lv.store(x, nv);
                    return prefix ? nv : old;
                };
            } else if (e instanceof Call c) {
                return builtinCall(c);
            } else if (e instanceof SizeOf z) {
                return sizeOfEv(z);
            } else if (e instanceof Index i) {
                return new ElemLV(value(i.array()), value(i.index()))::load;
            }
            throw new IllegalStateException("unknown expression " + e);
        }

        private Ev constEv(Value v) {
            return x -> v;
        }

        private Ev name(Name n) {
            String id = n.id();
            Integer slot = slotOf(id);
            if (slot != null && boxedSlots.contains(slot)) return new ElemLV(new LocalEv(slot), constEv(Value.ZERO))::load;
            if (slot != null) return new LocalEv(slot);
            Program.Global g = globals.get(id);
            if (g != null) {
                int gs = g.slot();
                return x -> x.world().globals[gs];
            }
            Long c = constants.get(id);
            if (c != null) return constEv(Value.of(c));
            switch (id) {
                case "NULL":
                    return constEv(Value.Nil.NULL);
                case "true":
                    return constEv(Value.ONE);
                case "false":
                    return constEv(Value.ZERO);
                case "current":
                    return Exec::currentRef;
                default:
                    break;
            }
            if (functions.containsKey(id) || builtins.get(id) != null) return constEv(new Value.Fn(id));
            unresolved.add(new Program.Unresolved(id, n.pos()));
            return x -> x.namedRef(id);
        }

        private Ev unary(Unary u) {
            if (u.op().equals("&") && u.operand() instanceof Name n && slotOf(n.id()) != null && stackSlots.contains(slotOf(n.id())))
                return new LocalEv(slotOf(n.id()));
            if (u.op().equals("&") && u.operand() instanceof Index i) {
                Ev a = value(i.array()), k = value(i.index());
                return x -> arith(x, "+", a.eval(x), k.eval(x));
            }
            if (u.op().equals("*")) {
                Ev p = value(u.operand());
                return x -> {
                    Value r = p.eval(x);
                    KObject o = r instanceof Value.Ref ref ? x.world().object(ref.id()) : null;
                    if (o != null && o.type().isArray()) return ElemLV.load(x, r, 0);
                    if (!(r instanceof Value.Ref)) throw x.error("'*' needs a pointer, not " + r);
                    return r;
                };
            }
            Ev v = value(u.operand());
            return switch (u.op()) {
                case "!" -> x -> Value.bool(!v.eval(x).truthy());
                case "-" -> x -> Value.of(-x.asLong(v.eval(x)));
                case "~" -> x -> Value.of(~x.asLong(v.eval(x)));
                case "+" -> v;
                case "&", "*" -> x -> {
                    Value r = v.eval(x);
                    if (!(r instanceof Value.Ref)) throw x.error("'" + u.op() + "' needs an object, not " + r);
                    return r;
                };
                default -> throw new SourceError(u.pos(), "unknown operator " + u.op());
            };
        }

        private Ev binary(Binary b) {
            Ev l = value(b.left()), r = value(b.right());
            String op = b.op();
            return switch (op) {
                case "&&" -> x -> Value.bool(l.eval(x).truthy() && r.eval(x).truthy());
                case "||" -> x -> Value.bool(l.eval(x).truthy() || r.eval(x).truthy());
                case "==" -> x -> Value.bool(Value.same(l.eval(x), r.eval(x)));
                case "!=" -> x -> Value.bool(!Value.same(l.eval(x), r.eval(x)));
                case "/", "%" -> x -> {
                    long a = x.asLong(l.eval(x)), d = x.asLong(r.eval(x));
                    if (d == 0) throw x.error("division by zero");
                    return Value.of(Arith.binary(op, a, d));
                };
                case "+", "-" -> x -> arith(x, op, l.eval(x), r.eval(x));
                default -> x -> Value.of(Arith.binary(op, x.asLong(l.eval(x)), x.asLong(r.eval(x))));
            };
        }

        private Ev assign(Assign a) {
            LV lv = lvalue(a.target());
            Ev v = value(a.value());
            if (a.op().equals("=")) {
                return x -> {
                    Value nv = v.eval(x);
                    lv.store(x, nv);
                    return nv;
                };
            }
            String op = a.op().substring(0, a.op().length() - 1);
            return x -> {
                Value nv = arith(x, op, lv.load(x), v.eval(x));
                lv.store(x, nv);
                return nv;
            };
        }

        private String suggest(String name) {
            List<String> known = new ArrayList<>(functions.keySet());
            known.addAll(builtins.all().keySet());
            return kstep.lang.Suggest.didYouMean(name, known);
        }

        private Ev builtinCall(Call c) {
            if (!(c.callee() instanceof Name n) || builtins.get(n.id()) == null || local(n.id()) != null) {
                if (c.callee() instanceof Name n2 && functions.containsKey(n2.id()))
                    throw new SourceError(c.pos(), "internal: unhoisted call to " + n2.id());
                if (c.callee() instanceof Name n3 && local(n3.id()) == null && !globals.containsKey(n3.id()))
                    throw new SourceError(c.pos(), "unknown function '" + n3.id() + "'" + suggest(n3.id()));
                throw new SourceError(c.pos(), "a call through a function pointer must be a statement of its own");
            }
            Builtin b = builtins.get(n.id());
            checkArity(b, c);
            Ev[] evs = new Ev[c.args().size()];
            LV[] outs = new LV[c.args().size()];
            for (int i = 0; i < evs.length; i++) {
                if (b.isOut(i)) outs[i] = lvalue(c.args().get(i));
                else evs[i] = value(c.args().get(i));
            }
            Op.ArgInfo info = argInfo(c.args());
            return x -> x.callBuiltinInExpression(b, evs, outs, info);
        }
    }

    // ---------------------------------------------------------------- compiled places
    static final class LocalEv implements Ev {
        final int slot;

        LocalEv(int slot) {
            this.slot = slot;
        }

        @Override
        public Value eval(Exec x) {
            return x.frame().locals[slot];
        }
    }

    static final class LocalLV implements LV {
        final int slot;

        LocalLV(int slot) {
            this.slot = slot;
        }

        @Override
        public Value load(Exec x) {
            return x.frame().locals[slot];
        }

        @Override
        public void store(Exec x, Value v) {
            x.setLocal(x.frame(), slot, v);
        }
    }

    static final class GlobalLV implements LV {
        final int slot;
        final String name;
        final StructType.Shape shape;

        GlobalLV(int slot, String name, StructType.Shape shape) {
            this.slot = slot;
            this.name = name;
            this.shape = shape;
        }

        @Override
        public Value load(Exec x) {
            return x.world().globals[slot];
        }

        @Override
        public void store(Exec x, Value v) {
            x.setGlobal(slot, name, shape, v);
        }
    }

    /** obj->field with a one-entry cache of the field index for the last struct type seen. */
    static final class FieldEv implements Ev {
        final Ev obj;
        final String field;
        StructType cachedType;
        int cachedIndex;

        FieldEv(Ev obj, String field) {
            this.obj = obj;
            this.field = field;
        }

        int index(Exec x, KObject o) {
            StructType t = o.type();
            if (t != cachedType) {
                int i = t.indexOf(field);
                if (i < 0) throw x.error("struct " + t.name() + " has no field '" + field + "'");
                cachedIndex = i;
                cachedType = t;
            }
            return cachedIndex;
        }

        @Override
        public Value eval(Exec x) {
            KObject o = x.deref(obj.eval(x), field, false);
            int i = index(x, o);
            if (o.type().hook != null) x.fieldAccess(o, i, false);
            return o.get(i);
        }
    }

    static final class FieldLV implements LV {
        final FieldEv ev;

        FieldLV(Ev obj, String field) {
            this.ev = new FieldEv(obj, field);
        }

        @Override
        public Value load(Exec x) {
            return ev.eval(x);
        }

        @Override
        public void store(Exec x, Value v) {
            KObject o = x.deref(ev.obj.eval(x), ev.field, true);
            int i = ev.index(x, o);
            if (o.type().hook != null) x.fieldAccess(o, i, true);
            x.setField(o, i, v);
        }
    }

    /** C arithmetic, with pointers into arrays: {@code pages + i}, {@code pages++}, {@code p - q}. */
    static Value arith(Exec x, String op, Value a, Value b) {
        if (a instanceof Value.Ref r && (op.equals("+") || op.equals("-"))) {
            if (b instanceof Value.Ref q) {
                if (op.equals("-") && q.id() == r.id()) return Value.of(r.index() - q.index());
                throw x.error("pointer arithmetic between different objects");
            }
            KObject o = x.world().object(r.id());
            if (o == null || !o.type().isArray()) throw x.error("pointer arithmetic on " + x.world().show(a, StructType.Shape.POINTER) + ", which is not an array");
            long i = r.index() + (op.equals("+") ? x.asLong(b) : -x.asLong(b));
            if (i < 0 || i > o.type().fields().size()) throw x.error("pointer arithmetic leaves " + o.name() + "[" + o.type().fields().size() + "] (index " + i + ")");
            return new Value.Ref(r.id(), (int) i);
        }
        if (b instanceof Value.Ref && op.equals("+")) return arith(x, op, b, a);
        return Value.of(Arith.binary(op, x.asLong(a), x.asLong(b)));
    }

    /** An element of a stack array: {@code a[i]}, {@code *p}, or an addressed local's cell. */
    static final class ElemLV implements LV {
        final Ev ptr;
        final Ev index;

        ElemLV(Ev ptr, Ev index) {
            this.ptr = ptr;
            this.index = index;
        }

        static Value load(Exec x, Value p, long off) {
            KObject o = target(x, p, off, false);
            return o.get(slot(x, o, p, off));
        }

        private static KObject target(Exec x, Value p, long off, boolean write) {
            if (!(p instanceof Value.Ref r)) throw x.error(p == Value.Nil.NULL || p.equals(Value.ZERO) ? "NULL pointer dereference" : "indexing needs an array or a pointer into one, not " + p);
            KObject o = x.world().object(r.id());
            if (o == null || !o.type().isArray()) throw x.error("indexing needs an array, and " + x.world().show(p, StructType.Shape.POINTER) + " is a struct");
            return x.deref(p, "[" + (r.index() + off) + "]", write);
        }

        private static int slot(Exec x, KObject o, Value p, long off) {
            long i = ((Value.Ref) p).index() + off;
            int n = o.type().fields().size();
            if (i < 0 || i >= n) throw x.error("index " + i + " is outside " + o.name() + "[" + n + "]");
            return (int) i;
        }

        @Override
        public Value load(Exec x) {
            return load(x, ptr.eval(x), x.asLong(index.eval(x)));
        }

        static void store(Exec x, Value p, long off, Value v) {
            KObject o = target(x, p, off, true);
            x.setField(o, slot(x, o, p, off), v);
        }

        @Override
        public void store(Exec x, Value v) {
            store(x, ptr.eval(x), x.asLong(index.eval(x)), v);
        }
    }
}
