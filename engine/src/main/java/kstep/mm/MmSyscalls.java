package kstep.mm;

import java.util.List;

/**
 * The address-space system calls with Linux 6.18's checks, merges, splits and error codes: mmap (mm/mmap.c
 * do_mmap, mm/vma.c __mmap_region), munmap, mprotect (mm/mprotect.c), mlock/munlock (mm/mlock.c), madvise
 * (mm/madvise.c), mremap (mm/mremap.c), brk, and a user access that faults (mm/memory.c). Each returns 0 (or
 * the address it mapped) or -errno, never throws for the caller's mistakes.
 */
public final class MmSyscalls {
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int PROT_EXEC = 4;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_LOCKED = 0x2000;
    public static final int MAP_GROWSDOWN = 0x0100;
    public static final int MREMAP_MAYMOVE = 1;
    public static final int MREMAP_FIXED = 2;
    public static final int MADV_DONTNEED = 4;
    public static final int MADV_DONTFORK = 10;
    public static final int MADV_DOFORK = 11;
    public static final int MADV_MERGEABLE = 12;
    public static final int MADV_UNMERGEABLE = 13;

    private static final long PAGE_MASK = ~(AddressSpace.PAGE_SIZE - 1);

    private MmSyscalls() { }

    static long pageAlign(long len) {
        return (len + AddressSpace.PAGE_SIZE - 1) & PAGE_MASK;
    }

    /** a > b, as the kernel compares its unsigned longs. */
    static boolean above(long a, long b) {
        return Long.compareUnsigned(a, b) > 0;
    }

    static boolean aligned(long addr) {
        return (addr & (AddressSpace.PAGE_SIZE - 1)) == 0;
    }

    // ------------------------------------------------------------------ mmap
    /**
     * Follows mm/mmap.c do_mmap() and mm/vma.c __mmap_region(): {@code file} null for anonymous memory, else
     * mapped from byte offset {@code off}. Returns the address, or -errno.
     */
    public static long mmap(AddressSpace mm, long addr, long len, int prot, int flags, MappedFile file, long off) {
        try {
            return doMmap(mm, addr, len, prot, flags, file, off);
        } catch (MmError e) {
            return -e.errno;
        }
    }

    private static long doMmap(AddressSpace mm, long addr, long len, int prot, int flags, MappedFile file, long off) {
        if ((off & ~PAGE_MASK) != 0) return -Errno.EINVAL; // the x86-64 syscall: offset in bytes, page aligned
        long pgoff = off >>> AddressSpace.PAGE_SHIFT;
        if (len == 0) return -Errno.EINVAL;
        int type = flags & 0x0f;
        if (type != MAP_SHARED && type != MAP_PRIVATE) return -Errno.EINVAL;
        len = pageAlign(len);
        if (len == 0 || above(len, AddressSpace.TASK_SIZE)) return -Errno.ENOMEM;
        if (pgoff + (len >>> AddressSpace.PAGE_SHIFT) < pgoff) return -Errno.EOVERFLOW;
        if (mm.mapCount() > mm.maxMapCount) return -Errno.ENOMEM;
        // __get_unmapped_area()
        if ((flags & MAP_FIXED) != 0) {
            if (above(addr, AddressSpace.TASK_SIZE - len)) return -Errno.ENOMEM;
            if (!aligned(addr)) return -Errno.EINVAL;
        } else {
            // a hint that is free is taken; else the highest gap below mmap_base (mmap_min_addr 0x10000)
            long hint = addr & PAGE_MASK;
            long a = hint >= 0x10000 && !above(hint, AddressSpace.TASK_SIZE - len) && mm.findVmaIntersection(hint, hint + len) == null
                ? hint : mm.findGapTopDown(len, 0x10000, mm.mmapBase());
            if (a < 0) return -Errno.ENOMEM;
            addr = a;
        }
        long vmFlags = VmFlags.ofProt(prot) | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC;
        if ((flags & MAP_LOCKED) != 0) vmFlags |= VmFlags.VM_LOCKED;
        if ((flags & MAP_GROWSDOWN) != 0) vmFlags |= VmFlags.VM_GROWSDOWN;
        if (file != null) {
            if (type == MAP_SHARED) {
                if ((prot & PROT_WRITE) != 0 && !file.writable()) return -Errno.EACCES;
                vmFlags |= VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE;
                if (!file.writable()) vmFlags &= ~(VmFlags.VM_MAYWRITE | VmFlags.VM_SHARED);
            }
        } else if (type == MAP_SHARED) {
            pgoff = 0;
            vmFlags |= VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE;
        } else {
            pgoff = addr >>> AddressSpace.PAGE_SHIFT;
        }
        if ((flags & MAP_NORESERVE) != 0) vmFlags |= VmFlags.VM_NORESERVE;
        return mmapRegion(mm, file, addr, len, vmFlags, pgoff);
    }

    /** accountable_mapping(): private writable memory is charged to the commit limit (VM_ACCOUNT). */
    private static boolean accountable(long vmFlags) {
        return (vmFlags & (VmFlags.VM_NORESERVE | VmFlags.VM_SHARED | VmFlags.VM_WRITE)) == VmFlags.VM_WRITE;
    }

    /**
     * Follows mm/vma.c __mmap_region(): unmap what [addr, addr + len) overlaps, try to expand a neighbour
     * with the same attributes, else insert a new VMA (shared anonymous memory gets its shmem file).
     */
    static long mmapRegion(AddressSpace mm, MappedFile file, long addr, long len, long vmFlags, long pgoff) {
        long end = addr + len;
        mm.munmapRange(addr, end);
        if (accountable(vmFlags)) vmFlags |= VmFlags.VM_ACCOUNT;
        Vma.VmOps ops = file == null ? Vma.VmOps.NONE : file.shmem() ? Vma.VmOps.SHMEM : Vma.VmOps.FILE;
        Vma vma = mm.mergeNew(VmaMerge.newRange(mm, addr, end, pgoff, vmFlags, file));
        if (vma == null) {
            MappedFile f = file;
            if (f == null && (vmFlags & VmFlags.VM_SHARED) != 0) {
                // shmem_zero_setup(): every shared anonymous mapping is its own deleted /dev/zero shmem file
                f = mm.newFile(MappedFile.DEV_ZERO, 0x1000 + mm.node.nextFileId, (len >>> AddressSpace.PAGE_SHIFT) + pgoff, true, true);
                ops = Vma.VmOps.SHMEM;
            }
            vma = new Vma(addr, end, pgoff, vmFlags, f, ops);
            mm.insert(vma);
        }
        if ((vmFlags & VmFlags.VM_LOCKED) != 0) Fault.populate(mm, addr, end, false);
        return addr;
    }

    /** The end of [addr, addr + len) for a device mapping there: page-aligned and free, or -EINVAL. */
    private static long freeRange(AddressSpace mm, long addr, long len) {
        if (!aligned(addr) || len <= 0) return -Errno.EINVAL;
        long end = addr + pageAlign(len);
        return mm.findVmaIntersection(addr, end) != null ? -Errno.EINVAL : end;
    }

    /** A shared device mapping's flags for {@code prot}: a driver's mmap handler sets VM_DONTEXPAND. */
    private static long deviceFlags(int prot) {
        return VmFlags.ofProt(prot) & ~VmFlags.VM_PKEY_BIT0 | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_SHARED
            | VmFlags.VM_MAYSHARE | VmFlags.VM_DONTEXPAND;
    }

    /**
     * mmap() of /dev/mem at a free, page-aligned {@code addr}: drivers/char/mem.c mmap_mem() calls
     * remap_pfn_range(), which marks the VMA VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP and fills every PTE
     * at once with special entries for frames that have no struct page to count (here reserved frames,
     * each holding a distinct word, 0xd0000000 + its index). GUP refuses such a VMA; vm_ops->access reads it.
     */
    static long mmapDevice(AddressSpace mm, long addr, long len, int prot) {
        long end = freeRange(mm, addr, len);
        if (end < 0) return end;
        long flags = deviceFlags(prot) | VmFlags.VM_IO | VmFlags.VM_PFNMAP | VmFlags.VM_DONTDUMP;
        long pages = (end - addr) >>> AddressSpace.PAGE_SHIFT;
        MappedFile dev = mm.newFile("/dev/mem", 1031, 1L << 20, false, true);
        int[] frames = new int[(int) pages];
        for (int i = 0; i < pages; i++) {
            frames[i] = PageAlloc.alloc(mm.node, MemMap.Kind.RESERVED);
            if (frames[i] < 0) return -Errno.ENOMEM;
            mm.node.map.flags[frames[i]] = MemMap.PG_RESERVED;
            mm.node.map.data[frames[i]] = 0xd0000000L + i;
        }
        Vma v = new Vma(addr, end, frames[0], flags, dev, Vma.VmOps.PFNMAP);
        mm.insert(v);
        for (int i = 0; i < pages; i++) {
            long page = addr + ((long) i << AddressSpace.PAGE_SHIFT);
            int table = mm.pt.pteTable(page, () -> PageAlloc.alloc(mm.node, MemMap.Kind.PAGETABLE));
            if (table < 0) return -Errno.ENOMEM;
            long bits = Pte.PRESENT | Pte.USER | Pte.ACCESSED | Pte.SPECIAL | Pte.NX | ((flags & VmFlags.VM_WRITE) != 0 ? Pte.RW | Pte.DIRTY : 0);
            mm.pt.set(table, page, Pte.make(frames[i], bits));
        }
        mm.node.log(String.format("remap_pfn_range: 0x%x-0x%x maps frames %d-%d (reserved, no struct page counts)", addr, end, frames[0], frames[frames.length - 1]));
        return addr;
    }

    /**
     * mmap() of a buggy driver's device at a free, page-aligned {@code addr}: a VM_MIXEDMAP|VM_DONTEXPAND
     * mapping with no PTEs, whose ->fault always answers VM_FAULT_RETRY without dropping the mmap lock, even
     * when the fault may not be retried. GUP on it pins nothing.
     */
    static long mmapRetryDevice(AddressSpace mm, long addr, long len, int prot) {
        long end = freeRange(mm, addr, len);
        if (end < 0) return end;
        long flags = deviceFlags(prot) | VmFlags.VM_MIXEDMAP;
        MappedFile dev = mm.newFile("/dev/buggy", 1032, 1L << 20, false, true);
        mm.insert(new Vma(addr, end, 0, flags, dev, Vma.VmOps.RETRY_ALWAYS));
        return addr;
    }

    // ------------------------------------------------------------------ munmap
    /** Follows mm/vma.c do_vmi_munmap(). */
    public static long munmap(AddressSpace mm, long start, long len) {
        return mm.doMunmap(start, len);
    }

    /**
     * An end address for walking VMAs: anything above the user address space stands for "past every VMA",
     * which is all the kernel's unsigned comparisons need of it.
     */
    static long cap(long end) {
        long limit = 1L << 48;
        return above(end, limit) ? limit : end;
    }

    // ------------------------------------------------------------------ mprotect
    /**
     * Follows mm/mprotect.c do_mprotect_pkey(): each VMA of the range in turn, stopping at the first hole
     * (-ENOMEM) or refused permission (-EACCES); what was changed before stays changed.
     */
    public static long mprotect(AddressSpace mm, long start, long len, int prot) {
        if (!aligned(start)) return -Errno.EINVAL;
        if (len == 0) return 0;
        len = pageAlign(len);
        long end = start + len;
        if (!above(end, start)) return -Errno.ENOMEM;
        if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0) return -Errno.EINVAL;
        end = cap(end);
        Vma vma = mm.findVmaIntersection(start, end);
        if (vma == null || vma.start > start) return -Errno.ENOMEM;
        Vma prev = start > vma.start ? vma : mm.prev(vma);
        long nstart = start;
        long tmp = vma.start;
        try {
            while (vma != null && vma.start < end) {
                if (vma.start != tmp) return -Errno.ENOMEM;
                long newFlags = VmFlags.ofProt(prot) | (vma.flags & ~(VmFlags.VM_ACCESS_FLAGS | VmFlags.VM_PKEY_BIT0));
                // newflags >> 4 puts VM_MAY* where VM_* are: each wanted right needs its VM_MAY
                if ((newFlags & ~(newFlags >> 4) & VmFlags.VM_ACCESS_FLAGS) != 0) return -Errno.EACCES;
                tmp = Math.min(vma.end, end);
                Vma[] out = new Vma[1];
                mprotectFixup(mm, vma, prev, nstart, tmp, newFlags, out);
                prev = out[0];
                tmp = prev.end;
                nstart = tmp;
                vma = mm.next(prev);
            }
            return tmp < end ? -Errno.ENOMEM : 0;
        } catch (MmError e) {
            return -e.errno;
        }
    }

    /** Follows mm/mprotect.c mprotect_fixup(): accounting, the merge or split, and COW for locked private memory. */
    private static void mprotectFixup(AddressSpace mm, Vma vma, Vma prev, long start, long end, long newFlags, Vma[] pprev) {
        long oldFlags = vma.flags;
        if (newFlags == oldFlags) {
            pprev[0] = vma;
            return;
        }
        // a private mapping made writable is charged; made read-only again it is uncharged only while it
        // is anonymous memory nobody has written to yet
        if ((newFlags & VmFlags.VM_WRITE) != 0) {
            if ((oldFlags & (VmFlags.VM_ACCOUNT | VmFlags.VM_WRITE | VmFlags.VM_HUGETLB | VmFlags.VM_SHARED | VmFlags.VM_NORESERVE)) == 0)
                newFlags |= VmFlags.VM_ACCOUNT;
        } else if (mm.unaccountUnfaulted && (oldFlags & VmFlags.VM_ACCOUNT) != 0 && vma.isAnonymous() && vma.anonVma == 0) {
            newFlags &= ~VmFlags.VM_ACCOUNT;
        }
        Vma v = mm.modify(prev, vma, start, end, newFlags, vma.anonName);
        pprev[0] = v;
        v.flags = newFlags;
        Fault.changeProtection(mm, v, start, end);
        // a private VM_LOCKED VMA becoming writable: break COW now rather than take faults later
        if ((oldFlags & (VmFlags.VM_WRITE | VmFlags.VM_SHARED | VmFlags.VM_LOCKED)) == VmFlags.VM_LOCKED && (newFlags & VmFlags.VM_WRITE) != 0)
            Fault.populateVma(mm, v, start, end);
    }

    // ------------------------------------------------------------------ mlock
    /** Follows mm/mlock.c do_mlock(): lock the VMAs, then fault the range in; a failed fault is -ENOMEM. */
    public static long mlock(AddressSpace mm, long start, long len) {
        len = pageAlign(len + (start & ~PAGE_MASK));
        start &= PAGE_MASK;
        try {
            applyLockFlags(mm, start, len, VmFlags.VM_LOCKED);
        } catch (MmError e) {
            return -e.errno;
        }
        int err = Fault.populate(mm, start, cap(start + len), false);
        // __mlock_posix_error_return(): EFAULT and ENOMEM both become ENOMEM
        return err == -Errno.EFAULT ? -Errno.ENOMEM : err;
    }

    /** Follows mm/mlock.c sys_munlock(). */
    public static long munlock(AddressSpace mm, long start, long len) {
        len = pageAlign(len + (start & ~PAGE_MASK));
        start &= PAGE_MASK;
        try {
            applyLockFlags(mm, start, len, 0);
            return 0;
        } catch (MmError e) {
            return -e.errno;
        }
    }

    /** Follows mm/mlock.c apply_vma_lock_flags(): the range must start in a VMA and have no holes. */
    private static void applyLockFlags(AddressSpace mm, long start, long len, long lockFlags) {
        long end = start + len;
        if (above(start, end)) throw new MmError(Errno.EINVAL);
        if (end == start) return;
        end = cap(end);
        Vma vma = mm.vmaLookup(start);
        if (vma == null) throw new MmError(Errno.ENOMEM);
        Vma prev = start > vma.start ? vma : mm.prev(vma);
        long nstart = start;
        long tmp = vma.start;
        while (vma != null && vma.start < end) {
            if (vma.start != tmp) throw new MmError(Errno.ENOMEM);
            long newFlags = (vma.flags & ~VmFlags.VM_LOCKED_MASK) | lockFlags;
            tmp = Math.min(vma.end, end);
            prev = mlockFixup(mm, vma, prev, nstart, tmp, newFlags);
            tmp = prev.end;
            nstart = tmp;
            vma = mm.next(prev);
        }
        if (tmp < end) throw new MmError(Errno.ENOMEM);
    }

    /** Follows mm/mlock.c mlock_fixup(): special mappings are never locked. */
    private static Vma mlockFixup(AddressSpace mm, Vma vma, Vma prev, long start, long end, long newFlags) {
        if (newFlags == vma.flags || (vma.flags & VmFlags.VM_SPECIAL) != 0 || (vma.flags & VmFlags.VM_HUGETLB) != 0) return vma;
        Vma v = mm.modify(prev, vma, start, end, newFlags, vma.anonName);
        v.flags = newFlags;
        return v;
    }

    // ------------------------------------------------------------------ madvise
    /**
     * Follows mm/madvise.c do_madvise() and madvise_walk_vmas(): holes in the range are skipped and reported
     * as -ENOMEM at the end; an error on a VMA stops the walk.
     */
    public static long madvise(AddressSpace mm, long start, long lenIn, int behavior) {
        if (behavior != MADV_DONTNEED && behavior != MADV_DONTFORK && behavior != MADV_DOFORK && behavior != MADV_MERGEABLE
            && behavior != MADV_UNMERGEABLE) return -Errno.EINVAL;
        if (!aligned(start)) return -Errno.EINVAL;
        long len = pageAlign(lenIn);
        if (lenIn != 0 && len == 0) return -Errno.EINVAL;
        long end = start + len;
        if (above(start, end)) return -Errno.EINVAL;
        if (end == start) return 0;
        end = cap(end);
        int unmappedError = 0;
        Vma vma = mm.findVma(start);
        Vma prev = vma != null && start > vma.start ? vma : (vma == null ? mm.prevOf(start) : mm.prev(vma));
        try {
            for (;;) {
                if (vma == null) return -Errno.ENOMEM;
                if (start < vma.start) {
                    unmappedError = -Errno.ENOMEM;
                    start = vma.start;
                    if (start >= end) break;
                }
                long tmp = Math.min(vma.end, end);
                prev = madviseVma(mm, vma, prev, start, tmp, behavior);
                start = tmp;
                if (prev != null && start < prev.end) start = prev.end;
                if (start >= end) break;
                vma = prev != null ? mm.findVma(prev.end) : mm.findVma(start);
            }
        } catch (MmError e) {
            return -e.errno;
        }
        return unmappedError;
    }

    /** Follows mm/madvise.c madvise_vma_behavior() and madvise_update_vma(). */
    private static Vma madviseVma(AddressSpace mm, Vma vma, Vma prev, long start, long end, int behavior) {
        long newFlags = vma.flags;
        switch (behavior) {
            case MADV_DONTNEED -> {
                // madvise_dontneed_free_valid_vma(): not on locked or PFN mappings; the pages go, the VMA stays
                if ((vma.flags & (VmFlags.VM_LOCKED | VmFlags.VM_PFNMAP | VmFlags.VM_HUGETLB)) != 0) throw new MmError(Errno.EINVAL);
                Fault.zap(mm, vma, start, end);
                return vma;
            }
            case MADV_DONTFORK -> newFlags |= VmFlags.VM_DONTCOPY;
            case MADV_DOFORK -> {
                if ((vma.flags & VmFlags.VM_IO) != 0) throw new MmError(Errno.EINVAL);
                newFlags &= ~VmFlags.VM_DONTCOPY;
            }
            case MADV_MERGEABLE -> {
                // ksm_madvise(): vma_ksm_compatible() or the advice is ignored
                long never = VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE | VmFlags.VM_PFNMAP | VmFlags.VM_IO | VmFlags.VM_DONTEXPAND
                    | VmFlags.VM_HUGETLB | VmFlags.VM_MIXEDMAP;
                if ((vma.flags & never) == 0) newFlags |= VmFlags.VM_MERGEABLE;
            }
            case MADV_UNMERGEABLE -> newFlags &= ~VmFlags.VM_MERGEABLE;
            default -> throw new MmError(Errno.EINVAL);
        }
        if (newFlags == vma.flags) return vma;
        Vma v = mm.modify(prev, vma, start, end, newFlags, vma.anonName);
        v.flags = newFlags;
        return v;
    }

    // ------------------------------------------------------------------ brk
    /**
     * Follows mm/mmap.c SYSCALL_DEFINE1(brk) and do_brk_flags(): moves the program break; growing expands
     * the heap VMA (or makes it) with VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT, shrinking unmaps. Returns the new
     * break, or the old one when it cannot move (brk(2)'s way of failing).
     */
    public static long brk(AddressSpace mm, long brk) {
        if (Long.compareUnsigned(brk, mm.startBrk) < 0) return mm.brk;
        long newbrk = pageAlign(brk);
        long oldbrk = pageAlign(mm.brk);
        if (oldbrk == newbrk) {
            mm.brk = brk;
            return brk;
        }
        try {
            if (Long.compareUnsigned(brk, mm.brk) <= 0) {
                // shrinking: only if the range is the heap's
                Vma v = mm.findVmaIntersection(newbrk, oldbrk);
                if (v == null || v.start >= oldbrk) return mm.brk;
                mm.brk = brk;
                mm.munmapRange(newbrk, oldbrk);
                return brk;
            }
            // growing: the next VMA must leave a page's gap
            Vma next = mm.findVmaIntersection(oldbrk, newbrk + AddressSpace.PAGE_SIZE);
            if (next != null || above(newbrk, AddressSpace.TASK_SIZE)) return mm.brk;
            if (mm.mapCount() >= mm.maxMapCount) return mm.brk;
            long flags = VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC | VmFlags.VM_ACCOUNT;
            Vma prev = mm.prevOf(oldbrk);
            VmaMerge g = new VmaMerge();
            g.prev = prev != null && prev.end == oldbrk && prev.start >= mm.startBrk ? prev : null;
            g.start = oldbrk;
            g.end = newbrk;
            g.pgoff = oldbrk >>> AddressSpace.PAGE_SHIFT;
            g.flags = flags;
            Vma merged = g.prev == null ? null : mm.mergeNew(g);
            if (merged == null) mm.insert(new Vma(oldbrk, newbrk, g.pgoff, flags, null, Vma.VmOps.NONE));
            mm.brk = brk;
            return brk;
        } catch (MmError e) {
            return mm.brk;
        }
    }

    // ------------------------------------------------------------------ touch
    /** A user access of one byte at {@code addr}: 0, or -EFAULT where the process would get SIGSEGV or SIGBUS. */
    public static long touch(AddressSpace mm, long addr, boolean write) {
        return Fault.userAccess(mm, addr, write);
    }

    // ------------------------------------------------------------------ mremap
    /** Follows mm/mremap.c SYSCALL_DEFINE5(mremap) and do_mremap(). */
    public static long mremap(AddressSpace mm, long addr, long oldLen, long newLen, int flags, long newAddr) {
        try {
            return Mremap.mremap(mm, addr, oldLen, newLen, flags, newAddr);
        } catch (MmError e) {
            return -e.errno;
        }
    }

    /** The VMAs mmap would leave; used by callers that want to look without keeping a reference. */
    static List<Vma> snapshot(AddressSpace mm) {
        return mm.vmas();
    }
}
