package kstep.mm;

/**
 * The page allocator's watermark rules for one order-0 page (mm/page_alloc.c get_page_from_freelist() and
 * __alloc_pages_slowpath()): the fast path takes a page while free memory stays above the low watermark;
 * below it kswapd is woken and the slow path may go down to the min watermark; below min the allocating
 * task reclaims by itself (direct reclaim) and tries once more. A memory without a fixed size never runs out.
 */
final class PageAlloc {
    private PageAlloc() { }

    /** A frame for {@code kind}, or -1 (out of memory). */
    static int alloc(Pgdat node, MemMap.Kind kind) {
        if (node.growable()) return node.allocFrame(kind);
        if (node.nrFree > node.low) return node.allocFrame(kind);
        if (node.kswapdWaker != null) node.kswapdWaker.run();
        if (node.nrFree > node.min) return node.allocFrame(kind);
        // __alloc_pages_direct_reclaim(): the task reclaims a batch itself
        node.count("allocstall");
        int freed = Reclaim.direct(node);
        node.log("direct reclaim: " + freed + " pages freed (free memory was at the min watermark " + node.min + ")");
        if (node.nrFree > node.min) return node.allocFrame(kind);
        node.count("oom");
        node.log("out of memory: " + node.nrFree + " pages free");
        return -1;
    }
}
