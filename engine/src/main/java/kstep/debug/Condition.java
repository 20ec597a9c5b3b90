package kstep.debug;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import kstep.engine.Cpu;
import kstep.engine.KObject;
import kstep.engine.Value;
import kstep.engine.World;

/**
 * A condition over the kernel's objects at one step, as a teacher writes it: {@code vpe0.resident &&
 * !vpe0.doorbell}, {@code mutex_a.owner != NULL}, {@code cpu1.preempt_count > 0}. Names are the objects the
 * views show (vcpu0, mutex_a, a nested vcpu0.its_vpe), then fields, following pointers; {@code cpuN} has
 * preempt_count, irqs_disabled, current (a pid) and pending_softirqs; a vPE ({@code vpe0}, struct its_vpe) also
 * has what the vGIC diagram's card says: doorbell (armed: NR_DB), in_wfi and state (1 NR_NODB, 2 NR_DB,
 * 3 RES_DIRTY, 4 RES_READY). Operators: ! && || == != < <= > >=.
 */
public final class Condition {
    private final String text;
    private final Node root;

    private Condition(String text, Node root) {
        this.text = text;
        this.root = root;
    }

    /** Parses {@code text}; a DebugError gives the column (1-based) of what is wrong. */
    public static Condition parse(String text) {
        Parser p = new Parser(text);
        Node n = p.or();
        p.skip();
        if (p.pos < text.length()) throw new DebugError(p.pos + 1, "unexpected '" + text.charAt(p.pos) + "'");
        return new Condition(text.strip(), n);
    }

    /** Whether it holds in {@code w}; DebugError when a name is not there (the message names it). */
    public boolean test(World w) {
        return truthy(root.eval(w));
    }

    /** Checks every name against {@code w} (the first step), so a typo is reported when the breakpoint is made. */
    public void check(World w) {
        root.eval(w);
    }

    @Override
    public String toString() {
        return text;
    }

    // values: Long (ints, pointers as object ids, NULL 0), String, or null for "no value"
    private static boolean truthy(Object v) {
        if (v instanceof Long l) return l != 0;
        if (v instanceof String s) return !s.isEmpty();
        return v != null;
    }

    private interface Node {
        Object eval(World w);
    }

    private record Lit(Object v) implements Node {
        public Object eval(World w) {
            return v;
        }
    }

    private record Not(Node n) implements Node {
        public Object eval(World w) {
            return truthy(n.eval(w)) ? 0L : 1L;
        }
    }

    private record Logic(Node a, boolean and, Node b) implements Node {
        public Object eval(World w) {
            boolean x = truthy(a.eval(w));
            if (and ? !x : x) return x ? 1L : 0L;
            return truthy(b.eval(w)) ? 1L : 0L;
        }
    }

    private record Cmp(Node a, String op, Node b, int col) implements Node {
        public Object eval(World w) {
            Object x = a.eval(w);
            Object y = b.eval(w);
            if (op.equals("==") || op.equals("!=")) return (java.util.Objects.equals(x, y) == op.equals("==")) ? 1L : 0L;
            if (!(x instanceof Long l) || !(y instanceof Long r)) throw new DebugError(col, op + " compares numbers");
            boolean t = switch (op) {
                case "<" -> l < r;
                case "<=" -> l <= r;
                case ">" -> l > r;
                default -> l >= r;
            };
            return t ? 1L : 0L;
        }
    }

    private record Path(List<String> parts, int col) implements Node {
        public Object eval(World w) {
            if (parts.get(0).matches("cpu[0-9]+") && parts.size() == 2) return cpuField(w, Integer.parseInt(parts.get(0).substring(3)), parts.get(1));
            // what the vPE card shows beyond struct its_vpe's fields
            boolean card = parts.size() == 2 && parts.get(0).matches("vpe[0-9]+");
            if (card && CARD_FIELDS.contains(parts.get(1))) return vpeField(w, parts, col);
            // the longest prefix that names an object (vcpu0.its_vpe is an object of its own), then fields
            Map<String, Integer> names = w.names();
            int used = 0;
            KObject o = null;
            for (int i = parts.size(); i >= 1; i--) {
                String n = String.join(".", parts.subList(0, i));
                if (names.containsKey(n)) {
                    o = w.named(n);
                    used = i;
                    break;
                }
            }
            if (o == null) throw new DebugError(col, "no object named '" + parts.get(0) + "' here");
            Object v = (long) o.id();
            for (int i = used; i < parts.size(); i++) {
                String f = parts.get(i);
                if (o == null) throw new DebugError(col, String.join(".", parts.subList(0, i)) + " is NULL or not a struct, so it has no '" + f + "'");
                if (o.type().field(f) == null)
                    throw new DebugError(col, "struct " + o.type().name() + " has no field '" + f + "'" + (card ? " (the vPE card also has " + String.join(", ", CARD_FIELDS) + ")" : ""));
                Value val = o.get(f);
                o = val instanceof Value.Ref r ? w.object(r.id()) : null;
                v = value(val);
            }
            return v;
        }
    }

    private static Object value(Value v) {
        if (v instanceof Value.Int i) return i.v();
        if (v instanceof Value.Ref r) return (long) r.id();
        if (v instanceof Value.Str s) return s.s();
        if (v instanceof Value.Seq s) return (long) s.items().size();
        if (v instanceof Value.Fn f) return f.name();
        return 0L;
    }

    private static final List<String> CARD_FIELDS = List.of("doorbell", "state", "in_wfi");

    /** A field of the vGIC diagram's vPE card, read from the same snapshot the card is drawn from. */
    private static Object vpeField(World w, List<String> parts, int col) {
        kstep.vgic.VgicSnapshot s = kstep.vgic.VgicSnapshot.of(w, null);
        String name = parts.get(0);
        kstep.vgic.VgicSnapshot.VCpu v = null;
        if (s != null) for (kstep.vgic.VgicSnapshot.VCpu c : s.vcpus()) if (name.equals(c.vpe())) v = c;
        if (v == null) throw new DebugError(col, "no object named '" + name + "' here");
        String f = parts.size() == 2 ? parts.get(1) : "";
        return switch (f) {
            case "in_wfi" -> v.inWfi() ? 1L : 0L;
            case "doorbell" -> v.state() == kstep.vgic.VpeState.NR_DB ? 1L : 0L;
            default -> (long) v.state().ordinal() + 1;
        };
    }

    private static Object cpuField(World w, int cpu, String f) {
        if (cpu >= w.cpuCount()) throw new DebugError(1, "there is no cpu" + cpu);
        Cpu c = w.cpu(cpu);
        return switch (f) {
            case "preempt_count" -> (long) c.preemptCount();
            case "irqs_disabled" -> c.irqsDisabled() ? 1L : 0L;
            case "current" -> w.current(cpu) == null ? 0L : w.taskStruct(w.current(cpu)).getLong("pid");
            case "pending_softirqs" -> (long) c.pendingSoftirqs();
            default -> throw new DebugError(1, "cpu" + cpu + " has preempt_count, irqs_disabled, current and pending_softirqs, not '" + f + "'");
        };
    }

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) {
            this.s = s;
        }

        void skip() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        boolean eat(String t) {
            skip();
            if (s.startsWith(t, pos)) {
                pos += t.length();
                return true;
            }
            return false;
        }

        Node or() {
            Node n = and();
            while (eat("||")) n = new Logic(n, false, and());
            return n;
        }

        Node and() {
            Node n = not();
            while (eat("&&")) n = new Logic(n, true, not());
            return n;
        }

        Node not() {
            skip();
            if (pos < s.length() && s.charAt(pos) == '!' && !s.startsWith("!=", pos)) {
                pos++;
                return new Not(not());
            }
            return cmp();
        }

        Node cmp() {
            Node a = primary();
            skip();
            int col = pos + 1;
            for (String op : new String[] {"==", "!=", "<=", ">=", "<", ">"}) {
                if (eat(op)) return new Cmp(a, op, primary(), col);
            }
            return a;
        }

        Node primary() {
            skip();
            if (pos >= s.length()) throw new DebugError(pos + 1, "a name, a number, true, false or NULL is missing");
            char c = s.charAt(pos);
            int col = pos + 1;
            if (c == '(') {
                pos++;
                Node n = or();
                if (!eat(")")) throw new DebugError(pos + 1, "')' is missing");
                return n;
            }
            if (Character.isDigit(c) || c == '-') {
                int start = pos++;
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)))) pos++;
                String num = s.substring(start, pos);
                try {
                    return new Lit(num.startsWith("0x") ? Long.parseUnsignedLong(num.substring(2), 16) : num.startsWith("-0x")
                        ? -Long.parseLong(num.substring(3), 16) : Long.parseLong(num));
                } catch (NumberFormatException e) {
                    throw new DebugError(col, "'" + num + "' is not a number");
                }
            }
            if (c == '"') {
                int end = s.indexOf('"', pos + 1);
                if (end < 0) throw new DebugError(col, "the string has no closing quote");
                String t = s.substring(pos + 1, end);
                pos = end + 1;
                return new Lit(t);
            }
            if (!Character.isLetter(c) && c != '_') throw new DebugError(col, "unexpected '" + c + "'");
            List<String> parts = new ArrayList<>();
            do {
                skip();
                int start = pos;
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
                if (start == pos) throw new DebugError(pos + 1, "a field name is missing after '.'");
                parts.add(s.substring(start, pos));
            } while (pos < s.length() && s.charAt(pos) == '.' && ++pos > 0);
            if (parts.size() == 1) {
                switch (parts.get(0)) {
                    case "true":
                        return new Lit(1L);
                    case "false", "NULL":
                        return new Lit(0L);
                    default:
                        break;
                }
            }
            return new Path(parts, col);
        }
    }
}
