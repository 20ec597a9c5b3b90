package kstep.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of an object's .BTF section a loader needs for BTF-defined maps (include/uapi/linux/btf.h):
 * the types, and the ".maps" data section whose variables are structs like
 * {@code struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, __u16); ... } ports SEC(".maps")}: an
 * attribute N is a pointer to an array of N elements; a key or value type is a pointer to that type.
 */
final class Btf {
    static final int INT = 1, PTR = 2, ARRAY = 3, STRUCT = 4, UNION = 5, ENUM = 6, FWD = 7, TYPEDEF = 8, VOLATILE = 9, CONST = 10,
        RESTRICT = 11, FUNC = 12, FUNC_PROTO = 13, VAR = 14, DATASEC = 15, FLOAT = 16, DECL_TAG = 17, TYPE_TAG = 18, ENUM64 = 19;

    /** One type: its kind, name, size or referenced type, and its members or entries (name, type, offset). */
    record Type(int kind, String name, int sizeOrType, List<int[]> items, List<String> itemNames) { }

    /** A map as its BTF declares it, at {@code offset} in the .maps section. */
    record MapDef(String name, int offset, int type, int keySize, int valueSize, int maxEntries) { }

    private final List<Type> types = new ArrayList<>();

    private Btf(byte[] b, int at, int len) {
        ByteBuffer bb = ByteBuffer.wrap(b, at, len).order(ByteOrder.LITTLE_ENDIAN);
        if ((bb.getShort(at) & 0xffff) != 0xeb9f) throw new IllegalArgumentException("bad BTF magic");
        int hdrLen = bb.getInt(at + 4);
        int typeOff = bb.getInt(at + 8), typeLen = bb.getInt(at + 12), strOff = bb.getInt(at + 16), strLen = bb.getInt(at + 20);
        int strs = at + hdrLen + strOff;
        if (strOff < 0 || strLen < 0 || strs + strLen > at + len) throw new IllegalArgumentException("BTF strings outside the section");
        types.add(null); // type 0 is void
        int p = at + hdrLen + typeOff, end = p + typeLen;
        if (end > at + len) throw new IllegalArgumentException("BTF types outside the section");
        while (p < end) {
            String name = str(b, strs, strLen, bb.getInt(p));
            int info = bb.getInt(p + 4);
            int vlen = info & 0xffff, kind = (info >>> 24) & 0x1f;
            int st = bb.getInt(p + 8);
            p += 12;
            List<int[]> items = new ArrayList<>();
            List<String> names = new ArrayList<>();
            switch (kind) {
                case INT, VAR, DECL_TAG -> p += 4;
                case ARRAY -> {
                    items.add(new int[] {bb.getInt(p), bb.getInt(p + 4), bb.getInt(p + 8)});
                    p += 12;
                }
                case STRUCT, UNION -> {
                    for (int i = 0; i < vlen; i++, p += 12) {
                        names.add(str(b, strs, strLen, bb.getInt(p)));
                        items.add(new int[] {bb.getInt(p + 4), bb.getInt(p + 8)});
                    }
                }
                case ENUM -> p += 8 * vlen;
                case FUNC_PROTO -> p += 8 * vlen;
                case DATASEC -> {
                    for (int i = 0; i < vlen; i++, p += 12) items.add(new int[] {bb.getInt(p), bb.getInt(p + 4), bb.getInt(p + 8)});
                }
                case ENUM64 -> p += 12 * vlen;
                case PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG -> { }
                default -> throw new IllegalArgumentException("unknown BTF kind " + kind);
            }
            types.add(new Type(kind, name, st, items, names));
        }
    }

    static Btf parse(byte[] b, int at, int len) {
        return new Btf(b, at, len);
    }

    private static String str(byte[] b, int strs, int strLen, int off) {
        if (off < 0 || off >= strLen) return "";
        int s = strs + off, e = s;
        while (e < strs + strLen && b[e] != 0) e++;
        return new String(b, s, e - s, StandardCharsets.UTF_8);
    }

    private Type type(int id) {
        if (id <= 0 || id >= types.size()) throw new IllegalArgumentException("BTF type " + id + " does not exist");
        return types.get(id);
    }

    /** The size in bytes of type {@code id}, through typedefs and qualifiers. */
    int size(int id) {
        for (int depth = 0; depth < 32; depth++) {
            Type t = type(id);
            switch (t.kind) {
                case INT, STRUCT, UNION, ENUM, ENUM64, FLOAT, DATASEC -> {
                    return t.sizeOrType;
                }
                case PTR -> {
                    return 8;
                }
                case ARRAY -> {
                    return t.items.get(0)[2] * size(t.items.get(0)[0]);
                }
                case TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG -> id = t.sizeOrType;
                default -> throw new IllegalArgumentException("BTF type " + t.name + " has no size");
            }
        }
        throw new IllegalArgumentException("BTF type chain too long");
    }

    private Type skipModifiers(int id) {
        Type t = type(id);
        while (t.kind == TYPEDEF || t.kind == VOLATILE || t.kind == CONST || t.kind == RESTRICT || t.kind == TYPE_TAG) t = type(t.sizeOrType);
        return t;
    }

    /** The maps of the ".maps" section, in section order. */
    List<MapDef> maps() {
        List<MapDef> out = new ArrayList<>();
        for (Type t : types) {
            if (t == null || t.kind != DATASEC || !t.name.equals(".maps")) continue;
            for (int[] v : t.items) {
                Type var = type(v[0]);
                Type def = skipModifiers(var.sizeOrType);
                if (def.kind != STRUCT) throw new IllegalArgumentException("map " + var.name + " is not a struct");
                int mapType = 0, key = 0, value = 0, max = 0;
                for (int i = 0; i < def.items.size(); i++) {
                    String m = def.itemNames.get(i);
                    Type ptr = skipModifiers(def.items.get(i)[0]);
                    if (ptr.kind != PTR) continue;
                    switch (m) {
                        case "type", "max_entries", "key_size", "value_size" -> {
                            Type arr = skipModifiers(ptr.sizeOrType);
                            if (arr.kind != ARRAY) throw new IllegalArgumentException("map " + var.name + ": " + m + " is not __uint()");
                            int n = arr.items.get(0)[2];
                            switch (m) {
                                case "type" -> mapType = n;
                                case "max_entries" -> max = n;
                                case "key_size" -> key = n;
                                default -> value = n;
                            }
                        }
                        case "key" -> key = size(ptr.sizeOrType);
                        case "value" -> value = size(ptr.sizeOrType);
                        default -> { }
                    }
                }
                out.add(new MapDef(var.name, v[1], mapType, key, value, max));
            }
        }
        out.sort((a, b) -> Integer.compare(a.offset, b.offset));
        return out;
    }
}
