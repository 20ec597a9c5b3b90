package kstep.mm;

import java.util.Map;
import java.util.TreeMap;

/**
 * The page cache (each file's address_space i_pages): folio by page offset; and the "disk", what writeback
 * stored for each page (a page never written has its file's original content, a word made of the file id
 * and the offset).
 */
final class PageCache {
    final TreeMap<Integer, TreeMap<Long, Integer>> pages = new TreeMap<>();
    final TreeMap<Integer, TreeMap<Long, Long>> disk = new TreeMap<>();

    PageCache copy() {
        PageCache c = new PageCache();
        for (Map.Entry<Integer, TreeMap<Long, Integer>> e : pages.entrySet()) c.pages.put(e.getKey(), new TreeMap<>(e.getValue()));
        for (Map.Entry<Integer, TreeMap<Long, Long>> e : disk.entrySet()) c.disk.put(e.getKey(), new TreeMap<>(e.getValue()));
        return c;
    }

    /** filemap_get_folio(): the cached folio of {@code file} at {@code index}, or -1. */
    int lookup(int file, long index) {
        TreeMap<Long, Integer> m = pages.get(file);
        Integer p = m == null ? null : m.get(index);
        return p == null ? -1 : p;
    }

    void add(int file, long index, int pfn) {
        pages.computeIfAbsent(file, k -> new TreeMap<>()).put(index, pfn);
    }

    void remove(int file, long index) {
        TreeMap<Long, Integer> m = pages.get(file);
        if (m != null) {
            m.remove(index);
            if (m.isEmpty()) pages.remove(file);
        }
    }

    /** What reading the page from disk gives. */
    long read(int file, long index) {
        TreeMap<Long, Long> d = disk.get(file);
        Long v = d == null ? null : d.get(index);
        return v != null ? v : ((long) file << 40) | (index + 1);
    }

    void write(int file, long index, long data) {
        disk.computeIfAbsent(file, k -> new TreeMap<>()).put(index, data);
    }

    int cached() {
        int n = 0;
        for (TreeMap<Long, Integer> m : pages.values()) n += m.size();
        return n;
    }

    void hashInto(kstep.engine.StateHash.Sink h) {
        for (Map.Entry<Integer, TreeMap<Long, Integer>> e : pages.entrySet()) {
            h.add(e.getKey());
            for (Map.Entry<Long, Integer> p : e.getValue().entrySet()) h.add(p.getKey() * 1_000_003L + p.getValue());
        }
        for (Map.Entry<Integer, TreeMap<Long, Long>> e : disk.entrySet()) {
            h.add(e.getKey());
            for (Map.Entry<Long, Long> p : e.getValue().entrySet()) h.add(p.getKey() * 31 + p.getValue());
        }
    }
}
