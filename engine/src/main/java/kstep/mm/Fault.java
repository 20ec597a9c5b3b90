package kstep.mm;

/**
 * User accesses and the faults they take (mm/memory.c handle_mm_fault(), arch/x86/mm/fault.c access_error()),
 * and populating a range as mlock() does (mm/gup.c __mm_populate(), populate_vma_page_range()). What matters
 * to the VMA layer: a write fault on private memory gives the VMA its anon_vma, and an access the VMA does not
 * allow, or past the end of the mapped file, fails.
 */
final class Fault {
    private Fault() { }

    /**
     * Whether a data access may touch the VMA. x86: write needs VM_WRITE; a read is allowed with VM_READ or
     * VM_WRITE. An execute-only mapping has a protection key that denies data reads (x86 with PKU).
     */
    static boolean accessAllowed(Vma vma, boolean write) {
        if (write) return (vma.flags & VmFlags.VM_WRITE) != 0;
        return (vma.flags & (VmFlags.VM_READ | VmFlags.VM_WRITE)) != 0;
    }

    /** Past the end of the file: SIGBUS. */
    static boolean beyondFile(Vma vma, long addr) {
        if (vma.file == null) return false;
        long index = vma.pgoff + ((addr - vma.start) >>> AddressSpace.PAGE_SHIFT);
        return index >= vma.file.pages();
    }

    /** The fault of one access at {@code addr}: 0 or -EFAULT (SIGSEGV, SIGBUS). */
    static long userAccess(AddressSpace mm, long addr, boolean write) {
        Vma vma = mm.vmaLookup(addr);
        if (vma == null || !accessAllowed(vma, write)) return -Errno.EFAULT;
        // do_anonymous_page() / do_cow_fault(): private memory written gets an anon_vma, before the file page
        // is read, so even a write past the end of the file (SIGBUS) leaves one behind
        if (write && (vma.flags & VmFlags.VM_SHARED) == 0) mm.anonVmaPrepare(vma);
        if (beyondFile(vma, addr)) return -Errno.EFAULT;
        mapPage(mm, vma, addr & ~(AddressSpace.PAGE_SIZE - 1), write);
        return 0;
    }

    /**
     * Follows mm/gup.c __mm_populate(): fault in [start, end) VMA by VMA, skipping VM_IO and VM_PFNMAP; the
     * first failure ends it (unless {@code ignoreErrors}). Returns 0 or -errno.
     */
    static int populate(AddressSpace mm, long start, long end, boolean ignoreErrors) {
        long nstart = start;
        while (nstart < end) {
            Vma vma = mm.findVmaIntersection(nstart, end);
            if (vma == null) break;
            long nend = Math.min(end, vma.end);
            if ((vma.flags & (VmFlags.VM_IO | VmFlags.VM_PFNMAP)) == 0) {
                int r = populateVma(mm, vma, Math.max(nstart, vma.start), nend);
                if (r < 0 && !ignoreErrors) return r;
            }
            nstart = nend;
        }
        return 0;
    }

    /**
     * Follows mm/gup.c populate_vma_page_range(): writable private memory is faulted for write (breaking COW,
     * so it gets an anon_vma), the rest for read; PROT_NONE fails.
     */
    static int populateVma(AddressSpace mm, Vma vma, long start, long end) {
        if ((vma.flags & VmFlags.VM_LOCKONFAULT) != 0) return 0;
        boolean write = (vma.flags & (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) == VmFlags.VM_WRITE;
        boolean accessible = (vma.flags & VmFlags.VM_ACCESS_FLAGS) != 0;
        // check_vma_flags(): a read needs VM_READ, or FOLL_FORCE (given to any accessible VMA); then the
        // protection key, which an execute-only mapping has
        if (!write && (vma.flags & VmFlags.VM_READ) == 0 && !accessible) return -Errno.EFAULT;
        if (!write && !accessAllowed(vma, false)) return -Errno.EFAULT;
        for (long a = start; a < end; a += AddressSpace.PAGE_SIZE) {
            if (write) mm.anonVmaPrepare(vma);
            if (beyondFile(vma, a)) return -Errno.EFAULT;
            mapPage(mm, vma, a, write);
        }
        return 0;
    }

    /**
     * What the fault leaves mapped at {@code page}: a write to private memory an anonymous dirty page (a copy
     * of the file's, or zeroed); a write to shared memory the file's page, dirty; a read the file's page, or
     * for untouched anonymous memory the zero page, which is not kept.
     */
    static void mapPage(AddressSpace mm, Vma vma, long page, boolean write) {
        Page old = mm.pages.get(page);
        boolean shared = (vma.flags & VmFlags.VM_SHARED) != 0;
        if (write) {
            mm.pages.put(page, new Page(!shared, true));
        } else if (old == null && vma.file != null) {
            mm.pages.put(page, new Page(false, false));
        }
    }

    /** MADV_DONTNEED: the range's pages go (untouched anonymous memory reads as zeroes again); the VMA stays. */
    static void zap(AddressSpace mm, Vma vma, long start, long end) {
        mm.dropPages(start, end);
    }
}
