package kstep.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * The node's LRU lists (include/linux/mmzone.h enum lru_list): inactive and active anonymous, inactive and
 * active file, unevictable. New folios go on a list's head; reclaim takes them from its tail, so the tail is
 * the oldest. The links live in {@link MemMap} (a folio is on one list at most).
 */
final class Lruvec {
    static final int INACTIVE_ANON = 0;
    static final int ACTIVE_ANON = 1;
    static final int INACTIVE_FILE = 2;
    static final int ACTIVE_FILE = 3;
    static final int UNEVICTABLE = 4;
    static final String[] NAMES = {"inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable"};

    final int[] head = {-1, -1, -1, -1, -1};
    final int[] tail = {-1, -1, -1, -1, -1};
    final int[] size = new int[5];

    Lruvec copy() {
        Lruvec l = new Lruvec();
        System.arraycopy(head, 0, l.head, 0, 5);
        System.arraycopy(tail, 0, l.tail, 0, 5);
        System.arraycopy(size, 0, l.size, 0, 5);
        return l;
    }

    /** The list a folio belongs on: folio_lru_list(). */
    static int listOf(MemMap m, int pfn) {
        if (m.test(pfn, MemMap.PG_UNEVICTABLE)) return UNEVICTABLE;
        boolean file = !m.test(pfn, MemMap.PG_SWAPBACKED);
        return (file ? INACTIVE_FILE : INACTIVE_ANON) + (m.test(pfn, MemMap.PG_ACTIVE) ? 1 : 0);
    }

    /** lruvec_add_folio(): onto the head of its list. */
    void add(MemMap m, int pfn) {
        int l = listOf(m, pfn);
        m.lru[pfn] = l;
        m.lruPrev[pfn] = -1;
        m.lruNext[pfn] = head[l];
        if (head[l] >= 0) m.lruPrev[head[l]] = pfn;
        head[l] = pfn;
        if (tail[l] < 0) tail[l] = pfn;
        size[l]++;
        m.set(pfn, MemMap.PG_LRU);
    }

    /** lruvec_del_folio(). */
    void del(MemMap m, int pfn) {
        int l = m.lru[pfn];
        if (l < 0) return;
        int p = m.lruPrev[pfn];
        int n = m.lruNext[pfn];
        if (p >= 0) m.lruNext[p] = n;
        else head[l] = n;
        if (n >= 0) m.lruPrev[n] = p;
        else tail[l] = p;
        m.lru[pfn] = -1;
        m.lruPrev[pfn] = -1;
        m.lruNext[pfn] = -1;
        size[l]--;
        m.clear(pfn, MemMap.PG_LRU);
    }

    /** The folios of list {@code l}, head (newest) first. */
    List<Integer> list(MemMap m, int l) {
        List<Integer> out = new ArrayList<>(size[l]);
        for (int p = head[l]; p >= 0; p = m.lruNext[p]) out.add(p);
        return out;
    }

    void hashInto(kstep.engine.StateHash.Sink h) {
        for (int l = 0; l < 5; l++) {
            h.add(head[l]);
            h.add(tail[l]);
            h.add(size[l]);
        }
    }
}
