package kstep.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kstep.lang.Ast.TypeRef;
import kstep.lang.SourcePos;

/** A struct declared in a model file: its fields in declaration order, each with the type that decides its display. */
public final class StructType {
    /** How a field's value is printed and what it starts as. */
    public enum Shape { INT, BOOL, HEX, POINTER, STRING, EMBEDDED, LIST }

    public record Field(String name, TypeRef type, Shape shape, int index, SourcePos pos) { }

    private final String name;
    private final List<Field> fields;
    /** The subsystem watching this struct's fields (set when a machine is built for the program), or null. */
    FieldHook hook;
    private final Map<String, Field> byName;
    private final SourcePos pos;
    /** The element count when this is the type of a local array (fields "[0]", "[1]"...), else -1. */
    private final int length;

    public StructType(String name, List<Field> fields, SourcePos pos) {
        this(name, fields, pos, -1);
    }

    private StructType(String name, List<Field> fields, SourcePos pos, int length) {
        this.length = length;
        this.name = name;
        this.fields = List.copyOf(fields);
        Map<String, Field> m = new LinkedHashMap<>();
        for (Field f : fields) m.put(f.name(), f);
        this.byName = Collections.unmodifiableMap(m);
        this.pos = pos;
    }

    /** The type of a local array of {@code n} elements of type {@code elem} ({@code struct page *[4]}). */
    public static StructType array(TypeRef elem, int n, SourcePos pos) {
        Shape s = shapeOf(elem);
        if (s == Shape.EMBEDDED) throw new kstep.lang.SourceError(pos, "arrays of structs are not supported; use an array of pointers");
        List<Field> fs = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) fs.add(new Field("[" + i + "]", elem, s, i, pos));
        return new StructType(elem + "[" + n + "]", fs, pos, n);
    }

    public boolean isArray() {
        return length >= 0;
    }

    public String name() {
        return name;
    }

    public List<Field> fields() {
        return fields;
    }

    public SourcePos pos() {
        return pos;
    }

    /** The field called {@code n}, or null. */
    public Field field(String n) {
        return byName.get(n);
    }

    public int indexOf(String n) {
        Field f = byName.get(n);
        return f == null ? -1 : f.index();
    }

    /** How a value of C type {@code t} is shown. */
    public static Shape shapeOf(TypeRef t) {
        if (t.base().equals("char") && t.pointers() == 1) return Shape.STRING;
        if (t.base().equals("list_t") && t.pointers() == 0) return Shape.LIST;
        if (t.isPointer()) return Shape.POINTER;
        if (t.isStruct()) return Shape.EMBEDDED;
        return switch (t.base()) {
            case "bool", "_Bool" -> Shape.BOOL;
            case "u64", "unsigned long", "unsigned long long", "u32", "unsigned int" -> Shape.HEX;
            default -> Shape.INT;
        };
    }

    /** What a field of this shape holds before anyone writes it (kzalloc semantics). */
    static Value zeroOf(Shape s) {
        return switch (s) {
            case POINTER, STRING, EMBEDDED -> Value.Nil.NULL;
            case LIST -> Value.Seq.EMPTY;
            default -> Value.ZERO;
        };
    }
}
