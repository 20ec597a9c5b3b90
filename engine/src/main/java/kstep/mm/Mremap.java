package kstep.mm;

/**
 * mremap(2) as Linux 6.18 does it (mm/mremap.c): shrink in place, expand in place (merging with what follows),
 * move (MREMAP_MAYMOVE, MREMAP_FIXED), and the move of several VMAs at once that MREMAP_FIXED without a size
 * change allows since 6.17.
 */
final class Mremap {
    private Mremap() { }

    /** The state of one remap, as struct vma_remap_struct keeps it. */
    private static final class Remap {
        long addr;
        long oldLen;
        long newLen;
        int flags;
        long newAddr;
        Vma vma;
        boolean populateExpand;

        long delta() {
            return MmSyscalls.above(oldLen, newLen) ? oldLen - newLen : newLen - oldLen;
        }

        boolean expands() {
            return MmSyscalls.above(newLen, oldLen);
        }

        boolean shrinks() {
            return MmSyscalls.above(oldLen, newLen);
        }

        boolean impliesNewAddr() {
            return (flags & MmSyscalls.MREMAP_FIXED) != 0;
        }
    }

    /** Follows do_mremap(): lengths page-aligned, check_mremap_params(), then the move-only path or one VMA. */
    static long mremap(AddressSpace mm, long addr, long oldLen, long newLen, int flags, long newAddr) {
        if ((flags & ~(MmSyscalls.MREMAP_FIXED | MmSyscalls.MREMAP_MAYMOVE)) != 0) return -Errno.EINVAL;
        Remap r = new Remap();
        r.addr = addr;
        r.oldLen = MmSyscalls.pageAlign(oldLen);
        r.newLen = MmSyscalls.pageAlign(newLen);
        r.flags = flags;
        r.newAddr = newAddr;
        long err = checkParams(mm, r);
        if (err != 0) return err;
        long res;
        if (r.impliesNewAddr() && r.oldLen == r.newLen) {
            res = remapMove(mm, r);
        } else {
            r.vma = mm.vmaLookup(r.addr);
            err = checkPrepVma(mm, r);
            if (err != 0) return err;
            res = r.impliesNewAddr() ? mremapTo(mm, r) : mremapAt(mm, r);
        }
        // an mlock()ed VMA that grew: fault in the new part
        if (res >= 0 && r.populateExpand) Fault.populate(mm, r.newAddr + r.oldLen, r.newAddr + r.oldLen + r.delta(), true);
        return res;
    }

    private static long checkParams(AddressSpace mm, Remap r) {
        if (!MmSyscalls.aligned(r.addr)) return -Errno.EINVAL;
        // a zero old length duplicates a shared mapping; a zero new length is nonsense
        if (r.newLen == 0) return -Errno.EINVAL;
        if (MmSyscalls.above(r.newLen, AddressSpace.TASK_SIZE)) return -Errno.EINVAL;
        if (!r.impliesNewAddr()) return 0;
        if (MmSyscalls.above(r.newAddr, AddressSpace.TASK_SIZE - r.newLen)) return -Errno.EINVAL;
        if (!MmSyscalls.aligned(r.newAddr)) return -Errno.EINVAL;
        if ((r.flags & MmSyscalls.MREMAP_MAYMOVE) == 0) return -Errno.EINVAL;
        if (MmSyscalls.above(r.addr + r.oldLen, r.newAddr) && MmSyscalls.above(r.newAddr + r.newLen, r.addr)) return -Errno.EINVAL;
        // both VMAs may split in three before the unmaps: stay clear of the limit
        if (mm.mapCount() + 2 >= mm.maxMapCount - 3) return -Errno.ENOMEM;
        return 0;
    }

    /** check_prep_vma(). */
    private static long checkPrepVma(AddressSpace mm, Remap r) {
        Vma vma = r.vma;
        if (vma == null) return -Errno.EFAULT;
        if (!r.impliesNewAddr()) r.newAddr = r.addr;
        if (!r.expands() && !r.impliesNewAddr()) return 0;
        if (r.oldLen == 0 && (vma.flags & (VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE)) == 0) return -Errno.EINVAL;
        // the range must not run past the VMA's end; a shrinking move only keeps (and checks) the new length
        long kept = Long.compareUnsigned(r.oldLen, r.newLen) < 0 ? r.oldLen : r.newLen;
        if (MmSyscalls.above(kept, vma.end - r.addr)) return -Errno.EFAULT;
        if (!r.expands()) return 0;
        if ((vma.flags & VmFlags.VM_LOCKED) != 0) r.populateExpand = true;
        long pgoff = ((r.addr - vma.start) >>> AddressSpace.PAGE_SHIFT) + vma.pgoff;
        if (pgoff + (r.newLen >>> AddressSpace.PAGE_SHIFT) < pgoff) return -Errno.EINVAL;
        if ((vma.flags & (VmFlags.VM_DONTEXPAND | VmFlags.VM_PFNMAP)) != 0) return -Errno.EFAULT;
        return 0;
    }

    /** mremap_at(): no new address asked for. */
    private static long mremapAt(AddressSpace mm, Remap r) {
        if (r.oldLen == r.newLen) return r.addr;
        if (r.shrinks()) {
            // shrink_vma(): unmap the tail, whatever VMAs it covers
            long err = mm.doMunmap(r.addr + r.newLen, r.oldLen - r.newLen);
            return err != 0 ? err : r.addr;
        }
        return expandVma(mm, r);
    }

    /** expand_vma(): in place if [addr, addr + old_len) ends the VMA and the space after it is free, else move. */
    private static long expandVma(AddressSpace mm, Remap r) {
        Vma vma = r.vma;
        long delta = r.delta();
        if (vma.end - r.addr == r.oldLen && mm.findVmaIntersection(vma.end, vma.end + delta) == null
            && vma.end + delta <= AddressSpace.TASK_SIZE) {
            // vma_merge_extend(): the extension merges into vma, and on into next when they now touch
            VmaMerge g = VmaMerge.ofVma(vma, vma, vma.end, vma.end + delta);
            g.vma = null;
            g.next = mm.nextFrom(vma.end + delta);
            Vma v = mm.mergeNew(g);
            if (v == null) return -Errno.ENOMEM;
            r.vma = v;
            return r.addr;
        }
        if ((r.flags & MmSyscalls.MREMAP_MAYMOVE) == 0) return -Errno.ENOMEM;
        long at = mm.findGapTopDown(r.newLen, 0x10000, mm.mmapBase());
        if (at < 0) return -Errno.ENOMEM;
        r.newAddr = at;
        return moveVma(mm, r);
    }

    /** mremap_to(): MREMAP_FIXED. The destination is unmapped first, then the source shrunk, then moved. */
    private static long mremapTo(AddressSpace mm, Remap r) {
        long err = mm.doMunmap(r.newAddr, r.newLen);
        if (err != 0) return err;
        r.vma = mm.vmaLookup(r.addr);
        if (r.vma == null) return -Errno.EFAULT;
        if (r.shrinks()) {
            // shrink_vma(): the split may have left vma's struct on the unmapped side, so look it up again
            err = mm.doMunmap(r.addr + r.newLen, r.oldLen - r.newLen);
            if (err != 0) return err;
            r.oldLen = r.newLen;
            r.vma = mm.vmaLookup(r.addr);
        }
        return moveVma(mm, r);
    }

    /**
     * remap_move(): MREMAP_FIXED with an unchanged size moves every VMA of the range, keeping the gaps between
     * them; no gap may start the range. (Anonymous, shmem and regular-file VMAs may all move together:
     * vma_multi_allowed() only refuses userfaultfd and drivers with their own get_unmapped_area.)
     */
    private static long remapMove(AddressSpace mm, Remap r) {
        long start = r.addr;
        long end = r.addr + r.oldLen;
        long target = r.newAddr;
        long res = -Errno.EFAULT;
        long lastEnd = 0;
        boolean seen = false;
        Vma vma = mm.findVmaIntersection(start, end);
        while (vma != null) {
            long addr = Math.max(vma.start, start);
            long len = Math.min(end, vma.end) - addr;
            if (!seen && start < vma.start) return -Errno.EFAULT;
            long offset = seen ? vma.start - lastEnd : 0;
            lastEnd = vma.end;
            Remap one = new Remap();
            one.vma = vma;
            one.addr = addr;
            one.newAddr = target + offset;
            one.oldLen = one.newLen = len;
            one.flags = r.flags;
            long err = checkPrepVma(mm, one);
            long moved = err != 0 ? err : mremapTo(mm, one);
            if (moved < 0) return moved;
            if (!seen) res = moved;
            seen = true;
            target = moved + one.newLen;
            vma = mm.findVmaIntersection(addr + len, end);
        }
        return res;
    }

    /** move_vma(): copy the VMA to new_addr (merging there if it can), then unmap the source range. */
    private static long moveVma(AddressSpace mm, Remap r) {
        if (mm.mapCount() >= mm.maxMapCount - 3) return -Errno.ENOMEM;
        Vma vma = r.vma;
        long newPgoff = vma.pgoff + ((r.addr - vma.start) >>> AddressSpace.PAGE_SHIFT);
        long vmaStart = vma.start;
        Vma moved = copyVma(mm, vma, r.newAddr, r.newLen, newPgoff);
        mm.movePages(r.addr, r.oldLen, r.newAddr);
        // copy_vma() may have merged the source into its copy (an unfaulted anonymous VMA moved next to itself)
        if (vmaStart >= moved.start && vmaStart < moved.end) vma = moved;
        unmapSource(mm, vma, r.addr, r.oldLen);
        return r.newAddr;
    }

    /** Follows mm/vma.c copy_vma(): an unfaulted anonymous VMA takes the pgoff of its new place, to merge there. */
    private static Vma copyVma(AddressSpace mm, Vma vma, long addr, long len, long pgoff) {
        if (vma.isAnonymous() && vma.anonVma == 0) pgoff = addr >>> AddressSpace.PAGE_SHIFT;
        VmaMerge g = VmaMerge.ofVma(null, vma, addr, addr + len);
        g.vma = null;
        g.pgoff = pgoff;
        g.prev = mm.prevOf(addr);
        g.next = mm.nextFrom(addr + len);
        Vma merged = mm.mergeNew(g);
        if (merged != null) return merged;
        Vma n = vma.copy();
        n.start = addr;
        n.end = addr + len;
        n.pgoff = pgoff;
        mm.insert(n);
        return n;
    }

    /**
     * Follows unmap_source_vma(): VM_ACCOUNT is cleared for the unmap (the move was charged already) and set
     * again on what is left of the source VMA either side.
     */
    private static void unmapSource(AddressSpace mm, Vma vma, long addr, long len) {
        boolean accountable = (vma.flags & VmFlags.VM_ACCOUNT) != 0;
        long vmStart = vma.start;
        long vmEnd = vma.end;
        if (accountable) vma.flags &= ~VmFlags.VM_ACCOUNT;
        long end = addr + len;
        // do_vmi_munmap() refuses an empty range (mremap with old_len 0 duplicated a shared mapping): the
        // source stays (without VM_ACCOUNT, as the kernel leaves it; shared mappings have none anyway)
        if (mm.doMunmap(addr, len) != 0) return;
        if (accountable) {
            if (vmStart < addr) {
                Vma prev = mm.prevOf(addr);
                if (prev != null) prev.flags |= VmFlags.VM_ACCOUNT;
            }
            if (vmEnd > end) {
                Vma next = mm.nextFrom(end);
                if (next != null) next.flags |= VmFlags.VM_ACCOUNT;
            }
        }
    }
}
