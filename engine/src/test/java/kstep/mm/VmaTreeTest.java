package kstep.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** The VMA tree answers every lookup as an ordered map of unsigned starts does, through splits and merges of its leaves. */
class VmaTreeTest {
    private static Vma vma(long start) {
        return new Vma(start, start + AddressSpace.PAGE_SIZE, 0, VmFlags.VM_READ, null, Vma.VmOps.NONE);
    }

    private static Vma value(Map.Entry<Long, Vma> e) {
        return e == null ? null : e.getValue();
    }

    @Test
    void agreesWithAnOrderedMapOnRandomOperations() {
        SplittableRandom r = new SplittableRandom(7);
        VmaTree tree = new VmaTree();
        TreeMap<Long, Vma> ref = new TreeMap<>(Long::compareUnsigned);
        // keys from a small range (collisions, dense leaves) and the top of the address space (unsigned order)
        for (int step = 0; step < 200_000; step++) {
            long key = (r.nextBoolean() ? 0x10000L : 0xffffffffff000000L) + r.nextInt(4000) * AddressSpace.PAGE_SIZE;
            int op = r.nextInt(10);
            // grow for the first half, shrink in the second: leaves split, then merge and empty
            boolean growing = step < 100_000;
            if (op < (growing ? 4 : 2)) {
                Vma v = vma(key);
                tree.put(key, v);
                ref.put(key, v);
            } else if (op < 5) {
                assertSame(ref.remove(key), tree.remove(key));
            } else if (op == 5 && ref.containsKey(key)) {
                long to = key + (r.nextBoolean() ? 1 : -1) * r.nextInt(3) * AddressSpace.PAGE_SIZE;
                if (!ref.containsKey(to)) {
                    Vma v = ref.remove(key);
                    ref.put(to, v);
                    tree.rekey(key, to);
                }
            } else {
                assertSame(value(ref.floorEntry(key)), tree.floor(key));
                assertSame(value(ref.lowerEntry(key)), tree.lower(key));
                assertSame(value(ref.ceilingEntry(key)), tree.ceiling(key));
                assertSame(value(ref.higherEntry(key)), tree.higher(key));
                assertSame(ref.get(key), tree.get(key));
            }
            assertEquals(ref.size(), tree.size());
            if (step % 10_000 == 0) assertInOrder(ref, tree);
        }
        assertInOrder(ref, tree);
        assertSame(value(ref.lastEntry()), tree.last());
    }

    private static void assertInOrder(TreeMap<Long, Vma> ref, VmaTree tree) {
        List<Vma> got = new ArrayList<>();
        for (Vma v : tree) got.add(v);
        assertEquals(new ArrayList<>(ref.values()), got);
    }

    @Test
    void anEmptyTreeHasNothingAnywhere() {
        VmaTree t = new VmaTree();
        assertNull(t.floor(0));
        assertNull(t.ceiling(0));
        assertNull(t.higher(-1));
        assertNull(t.lower(0));
        assertNull(t.last());
        assertNull(t.remove(0x1000));
        Vma v = vma(0x1000);
        t.put(0x1000, v);
        assertSame(v, t.remove(0x1000));
        assertEquals(0, t.size());
        assertNull(t.ceiling(0));
    }

    @Test
    void aCopyIsIndependentOfItsOriginal() {
        VmaTree t = new VmaTree();
        for (int i = 0; i < 1000; i++) t.put(i * 0x1000L, vma(i * 0x1000L));
        VmaTree c = t.copy(Vma::copy);
        t.remove(0x5000);
        t.get(0x6000).flags = VmFlags.VM_WRITE;
        assertEquals(1000, c.size());
        assertEquals(0x5000, c.get(0x5000).start());
        assertEquals(VmFlags.VM_READ, c.get(0x6000).flags());
    }
}
