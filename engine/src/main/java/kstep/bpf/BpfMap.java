package kstep.bpf;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BPF map the interpreter keeps: an array (BPF_MAP_TYPE_ARRAY: every key below max_entries exists, zeroed),
 * a hash (BPF_MAP_TYPE_HASH: keys added by update, at most max_entries) or a program array for tail calls
 * (BPF_MAP_TYPE_PROG_ARRAY). Values live in the interpreter's memory, so a program may keep the pointer
 * bpf_map_lookup_elem() returned and write through it.
 */
public final class BpfMap {
    public static final int HASH = 1, ARRAY = 2, PROG_ARRAY = 3;
    // bpf_map_update_elem()'s flags
    static final long BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2;

    public final String name;
    public final int type;
    public final int keySize;
    public final int valueSize;
    public final int maxEntries;
    /** Values by key (hex of the key bytes), in insertion order; an array's are all there from the start. */
    final LinkedHashMap<String, Memory.Region> values = new LinkedHashMap<>();
    /** A program array's programs by index. */
    final Map<Integer, BpfProgram> programs = new LinkedHashMap<>();

    public BpfMap(String name, int type, int keySize, int valueSize, int maxEntries) {
        this.name = name;
        this.type = type;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
    }

    public static String typeName(int type) {
        return switch (type) {
            case HASH -> "hash";
            case ARRAY -> "array";
            case PROG_ARRAY -> "prog_array";
            default -> "type " + type;
        };
    }

    /** Puts {@code p} at {@code index} of a program array. */
    public void setProgram(int index, BpfProgram p) {
        if (type != PROG_ARRAY) throw new IllegalStateException(name + " is not a program array");
        programs.put(index, p);
    }

    /** The map's entries as key hex -> value hex, for the views and tests. */
    public Map<String, String> dump() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, Memory.Region> e : values.entrySet()) m.put(e.getKey(), Vm.hex(e.getValue().bytes()));
        return m;
    }

    List<String> keys() {
        return List.copyOf(values.keySet());
    }
}
