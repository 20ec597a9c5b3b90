package kstep.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * The reverse map (mm/rmap.c): from a frame to every PTE that maps it. An anonymous folio names its anon_vma
 * and its linear page index; the VMAs linked to that anon_vma (the VMA that made it and, after fork, the
 * children's) each map it at vma_address() if at all. A file folio names its file and page offset; every VMA
 * of the file is a candidate. The candidate's PTE must point at the frame.
 */
final class Rmap {
    /** One mapping of a frame: the mm, the VMA and the address. */
    record Mapping(AddressSpace mm, Vma vma, long addr) { }

    private Rmap() { }

    /** vma_address(): where {@code vma} maps page index {@code index}, or -1 outside it. */
    static long vmaAddress(Vma vma, long index) {
        long off = index - vma.pgoff;
        if (off < 0 || off >= vma.pages()) return -1;
        return vma.start + (off << AddressSpace.PAGE_SHIFT);
    }

    /** Whether {@code vma} is linked (through its anon_vma_chain) to anon_vma {@code av}. */
    static boolean linked(Vma vma, int av) {
        if (vma.anonVma == av) return true;
        for (int a : vma.ancestors) if (a == av) return true;
        return false;
    }

    /** rmap_walk(): every PTE mapping {@code pfn}. */
    static List<Mapping> walk(Pgdat node, int pfn) {
        List<Mapping> out = new ArrayList<>();
        MemMap m = node.map;
        MemMap.Kind k = m.kind[pfn];
        if (k != MemMap.Kind.ANON && k != MemMap.Kind.FILE) return out;
        for (AddressSpace mm : node.mms) {
            for (Vma v : mm.vmas) {
                boolean candidate = k == MemMap.Kind.ANON ? linked(v, m.owner[pfn]) : v.file != null && v.file.id() == m.owner[pfn];
                if (!candidate) continue;
                long a = vmaAddress(v, m.index[pfn]);
                if (a < 0) continue;
                long pte = mm.pt.pte(a);
                if (Pte.present(pte) && Pte.pfn(pte) == pfn) out.add(new Mapping(mm, v, a));
            }
        }
        return out;
    }
}
