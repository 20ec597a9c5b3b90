package kstep.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * One physical frame as the views show it: what it holds, its struct page state, the LRU list it is on, its
 * swap slot, its content word, and every PTE that maps it (the reverse map) as "process 0xaddr".
 */
public record FrameInfo(int pfn, String kind, String owner, String flags, int refcount, int mapcount, String lru, long swapSlot,
                        long data, List<Mapped> mappedBy) {
    /** A PTE of {@code process} at {@code addr} maps the frame. */
    public record Mapped(String process, long addr) {
        @Override
        public String toString() {
            return process + String.format(" 0x%x", addr);
        }
    }

    /** The frame's state in {@code node}; {@code names} gives each mm's process name. */
    static FrameInfo of(Pgdat node, int pfn, java.util.function.Function<AddressSpace, String> names) {
        MemMap m = node.map;
        MemMap.Kind k = m.kind[pfn];
        String owner = switch (k) {
            case ANON -> "anon_vma " + m.owner[pfn] + ", index 0x" + Long.toHexString(m.index[pfn]);
            case FILE -> fileName(node, m.owner[pfn]) + ", page " + m.index[pfn];
            case PAGETABLE -> Pte.levelName((int) m.index[pfn]) + " table of " + mmName(node, m.owner[pfn], names);
            case ZERO -> "the zero page";
            default -> "";
        };
        List<Mapped> by = new ArrayList<>();
        for (Rmap.Mapping mp : Rmap.walk(node, pfn)) by.add(new Mapped(names.apply(mp.mm()), mp.addr()));
        return new FrameInfo(pfn, k.name().toLowerCase(java.util.Locale.ROOT), owner, MemMap.flagNames(m.flags[pfn]), m.refcount[pfn], m.mapcount[pfn],
            m.lru[pfn] < 0 ? "" : Lruvec.NAMES[m.lru[pfn]], m.test(pfn, MemMap.PG_SWAPCACHE) ? m.swap[pfn] : 0, m.data[pfn], by);
    }

    private static String fileName(Pgdat node, int id) {
        for (MappedFile f : node.files.values()) if (f.id() == id) return f.name();
        return "file " + id;
    }

    private static String mmName(Pgdat node, int id, java.util.function.Function<AddressSpace, String> names) {
        for (AddressSpace mm : node.mms) if (mm.id == id) return names.apply(mm);
        return "mm " + id;
    }

    /** One line for a tooltip or the detail bar. */
    public String describe() {
        StringBuilder b = new StringBuilder("frame ").append(pfn).append(": ").append(kind);
        if (!owner.isEmpty()) b.append(" (").append(owner).append(')');
        b.append("  flags ").append(flags).append("  refcount ").append(refcount).append("  mapcount ").append(mapcount);
        if (!lru.isEmpty()) b.append("  on ").append(lru);
        if (swapSlot != 0) b.append("  swap slot ").append(swapSlot);
        if (kind.equals("anon") || kind.equals("file")) b.append(String.format("  data 0x%x", data));
        if (!mappedBy.isEmpty()) b.append("  mapped by ").append(String.join(", ", mappedBy.stream().map(Mapped::toString).toList()));
        return b.toString();
    }
}
