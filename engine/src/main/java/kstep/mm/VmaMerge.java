package kstep.mm;

/**
 * struct vma_merge_struct (mm/vma.h): a proposed range [start, end) with its pgoff and the attributes it would
 * have, next to {@code prev} and {@code next}; {@code vma} is the VMA being modified (null for a new range).
 */
final class VmaMerge {
    Vma prev;
    Vma next;
    Vma vma;
    long start;
    long end;
    long pgoff;
    long flags;
    MappedFile file;
    int anonVma;
    String anonName;

    /** VMG_STATE(): a new range [start, end) between the VMAs around it (the caller has unmapped it). */
    static VmaMerge newRange(AddressSpace mm, long start, long end, long pgoff, long flags, MappedFile file) {
        VmaMerge g = new VmaMerge();
        g.prev = mm.prevOf(start);
        g.next = mm.nextFrom(end);
        g.start = start;
        g.end = end;
        g.pgoff = pgoff;
        g.flags = flags;
        g.file = file;
        return g;
    }

    /** VMG_VMA_STATE(): the range [start, end) of {@code vma}, with vma's attributes. */
    static VmaMerge ofVma(Vma prev, Vma vma, long start, long end) {
        VmaMerge g = new VmaMerge();
        g.prev = prev;
        g.vma = vma;
        g.start = start;
        g.end = end;
        g.pgoff = vma.pgoff + ((start - vma.start) >>> AddressSpace.PAGE_SHIFT);
        g.flags = vma.flags;
        g.file = vma.file;
        g.anonVma = vma.anonVma;
        g.anonName = vma.anonName;
        return g;
    }

    long pages() {
        return (end - start) >>> AddressSpace.PAGE_SHIFT;
    }
}
