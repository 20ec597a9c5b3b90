package kstep.mm;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.UnaryOperator;

/**
 * The VMAs of an address space by vm_start: what the maple tree is to mm_struct (since 6.1), here a B-tree of
 * two levels, a sorted array of leaves each holding up to {@link #LEAF} starts in a primitive array. At
 * sysctl_max_map_count VMAs a lookup reads the root and one leaf, a few cache lines, where a red-black tree
 * of boxed keys chases some thirty pointers. Addresses compare unsigned, as the kernel's do.
 */
final class VmaTree implements Iterable<Vma> {
    static final int LEAF = 128;

    /** Leaf i holds counts[i] entries: keys[i] (flipped to compare signed) and the VMAs, ascending. */
    private long[][] keys = new long[4][];
    private Vma[][] vmas = new Vma[4][];
    private int[] counts = new int[4];
    /** mins[i] == keys[i][0]: the root's keys. */
    private long[] mins = new long[4];
    private int leaves;
    private int size;

    /** Unsigned order as signed order. */
    private static long flip(long addr) {
        return addr ^ Long.MIN_VALUE;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The leaf found last: one system call looks up the same few addresses again and again. */
    private int finger;

    /** The leaf whose range holds flipped key {@code k}: the last with mins &le; k, or -1. */
    private int leafOf(long k) {
        int f = finger;
        if (f < leaves && mins[f] <= k && (f + 1 == leaves || k < mins[f + 1])) return f;
        int i = Arrays.binarySearch(mins, 0, leaves, k);
        i = i >= 0 ? i : -i - 2;
        if (i >= 0) finger = i;
        return i;
    }

    Vma get(long addr) {
        long k = flip(addr);
        int li = leafOf(k);
        if (li < 0) return null;
        int i = Arrays.binarySearch(keys[li], 0, counts[li], k);
        return i >= 0 ? vmas[li][i] : null;
    }

    /** The VMA with the greatest start &le; addr, or null. */
    Vma floor(long addr) {
        return floorFlipped(flip(addr));
    }

    /** The VMA with the greatest start &lt; addr, or null. */
    Vma lower(long addr) {
        long k = flip(addr);
        return k == Long.MIN_VALUE ? null : floorFlipped(k - 1);
    }

    /** The VMA with the least start &ge; addr, or null. */
    Vma ceiling(long addr) {
        return ceilingFlipped(flip(addr));
    }

    /** The VMA with the least start &gt; addr, or null. */
    Vma higher(long addr) {
        long k = flip(addr);
        return k == Long.MAX_VALUE ? null : ceilingFlipped(k + 1);
    }

    Vma last() {
        return leaves == 0 ? null : vmas[leaves - 1][counts[leaves - 1] - 1];
    }

    private Vma floorFlipped(long k) {
        int li = leafOf(k);
        if (li < 0) return null;
        int i = Arrays.binarySearch(keys[li], 0, counts[li], k);
        // mins[li] <= k, so an insertion point is never 0
        return vmas[li][i >= 0 ? i : -i - 2];
    }

    private Vma ceilingFlipped(long k) {
        int li = leafOf(k);
        if (li < 0) return leaves == 0 ? null : vmas[0][0];
        int i = Arrays.binarySearch(keys[li], 0, counts[li], k);
        if (i >= 0) return vmas[li][i];
        i = -i - 1;
        if (i < counts[li]) return vmas[li][i];
        return li + 1 < leaves ? vmas[li + 1][0] : null;
    }

    /** Adds {@code v} at {@code addr}, or replaces what is there. */
    void put(long addr, Vma v) {
        long k = flip(addr);
        if (leaves == 0) {
            insertLeaf(0, new long[LEAF], new Vma[LEAF], 0);
        }
        int li = Math.max(0, leafOf(k));
        int i = Arrays.binarySearch(keys[li], 0, counts[li], k);
        if (i >= 0) {
            vmas[li][i] = v;
            return;
        }
        i = -i - 1;
        if (counts[li] == LEAF) {
            splitLeaf(li);
            if (i > counts[li]) {
                i -= counts[li];
                li++;
            }
        }
        int n = counts[li];
        System.arraycopy(keys[li], i, keys[li], i + 1, n - i);
        System.arraycopy(vmas[li], i, vmas[li], i + 1, n - i);
        keys[li][i] = k;
        vmas[li][i] = v;
        counts[li] = n + 1;
        mins[li] = keys[li][0];
        size++;
    }

    /** Removes the VMA at {@code addr}; returns it, or null. */
    Vma remove(long addr) {
        long k = flip(addr);
        int li = leafOf(k);
        if (li < 0) return null;
        int i = Arrays.binarySearch(keys[li], 0, counts[li], k);
        if (i < 0) return null;
        Vma v = vmas[li][i];
        int n = counts[li] - 1;
        System.arraycopy(keys[li], i + 1, keys[li], i, n - i);
        System.arraycopy(vmas[li], i + 1, vmas[li], i, n - i);
        vmas[li][n] = null;
        counts[li] = n;
        size--;
        if (n == 0) {
            removeLeaf(li);
        } else {
            mins[li] = keys[li][0];
            // keep leaves at least a quarter full: merge with a neighbour when both fit in half a leaf
            if (li + 1 < leaves && n + counts[li + 1] <= LEAF / 2) mergeLeaves(li);
            else if (li > 0 && n + counts[li - 1] <= LEAF / 2) mergeLeaves(li - 1);
        }
        return v;
    }

    /** {@link #rekey} if {@code v} is the VMA at {@code from}; returns whether it was. */
    boolean rekeyIfPresent(Vma v, long from, long to) {
        long kf = flip(from);
        int li = leafOf(kf);
        int i = li < 0 ? -1 : Arrays.binarySearch(keys[li], 0, counts[li], kf);
        if (i < 0 || vmas[li][i] != v) return false;
        rekey(from, to);
        return true;
    }

    /**
     * Moves the VMA at {@code from} to the start {@code to} in place when it keeps its place in the order (a
     * merge or split moves a start only between its neighbours), else removes and re-adds it.
     */
    void rekey(long from, long to) {
        long kf = flip(from);
        long kt = flip(to);
        int li = leafOf(kf);
        int i = li < 0 ? -1 : Arrays.binarySearch(keys[li], 0, counts[li], kf);
        if (i < 0) throw new IllegalStateException("no VMA starts at 0x" + Long.toHexString(from));
        boolean afterPrev = i > 0 ? keys[li][i - 1] < kt : li == 0 || keys[li - 1][counts[li - 1] - 1] < kt;
        boolean beforeNext = i + 1 < counts[li] ? kt < keys[li][i + 1] : li + 1 == leaves || kt < keys[li + 1][0];
        if (afterPrev && beforeNext) {
            keys[li][i] = kt;
            if (i == 0) mins[li] = kt;
            return;
        }
        put(to, remove(from));
    }

    /** A copy of the tree with each VMA mapped through {@code copy}. */
    VmaTree copy(UnaryOperator<Vma> copy) {
        VmaTree t = new VmaTree();
        t.keys = new long[keys.length][];
        t.vmas = new Vma[vmas.length][];
        t.counts = counts.clone();
        t.mins = mins.clone();
        t.leaves = leaves;
        t.size = size;
        for (int li = 0; li < leaves; li++) {
            t.keys[li] = keys[li].clone();
            t.vmas[li] = new Vma[LEAF];
            for (int i = 0; i < counts[li]; i++) t.vmas[li][i] = copy.apply(vmas[li][i]);
        }
        return t;
    }

    @Override
    public Iterator<Vma> iterator() {
        return new Iterator<>() {
            int li;
            int i;

            @Override
            public boolean hasNext() {
                return li < leaves && i < counts[li];
            }

            @Override
            public Vma next() {
                if (!hasNext()) throw new NoSuchElementException();
                Vma v = vmas[li][i++];
                if (i == counts[li]) {
                    li++;
                    i = 0;
                }
                return v;
            }
        };
    }

    // ------------------------------------------------------------------ the root
    private void insertLeaf(int at, long[] k, Vma[] v, int count) {
        if (leaves == mins.length) {
            int cap = leaves * 2;
            keys = Arrays.copyOf(keys, cap);
            vmas = Arrays.copyOf(vmas, cap);
            counts = Arrays.copyOf(counts, cap);
            mins = Arrays.copyOf(mins, cap);
        }
        System.arraycopy(keys, at, keys, at + 1, leaves - at);
        System.arraycopy(vmas, at, vmas, at + 1, leaves - at);
        System.arraycopy(counts, at, counts, at + 1, leaves - at);
        System.arraycopy(mins, at, mins, at + 1, leaves - at);
        keys[at] = k;
        vmas[at] = v;
        counts[at] = count;
        mins[at] = count == 0 ? 0 : k[0];
        leaves++;
    }

    private void removeLeaf(int at) {
        int tail = leaves - at - 1;
        System.arraycopy(keys, at + 1, keys, at, tail);
        System.arraycopy(vmas, at + 1, vmas, at, tail);
        System.arraycopy(counts, at + 1, counts, at, tail);
        System.arraycopy(mins, at + 1, mins, at, tail);
        leaves--;
        keys[leaves] = null;
        vmas[leaves] = null;
    }

    /** Moves the upper half of full leaf {@code li} into a new leaf after it. */
    private void splitLeaf(int li) {
        int half = LEAF / 2;
        long[] k = new long[LEAF];
        Vma[] v = new Vma[LEAF];
        System.arraycopy(keys[li], half, k, 0, LEAF - half);
        System.arraycopy(vmas[li], half, v, 0, LEAF - half);
        Arrays.fill(vmas[li], half, LEAF, null);
        counts[li] = half;
        insertLeaf(li + 1, k, v, LEAF - half);
    }

    /** Appends leaf {@code li + 1} to leaf {@code li}. */
    private void mergeLeaves(int li) {
        int n = counts[li];
        int m = counts[li + 1];
        System.arraycopy(keys[li + 1], 0, keys[li], n, m);
        System.arraycopy(vmas[li + 1], 0, vmas[li], n, m);
        counts[li] = n + m;
        removeLeaf(li + 1);
    }
}
