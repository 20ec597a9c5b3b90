package kstep.mm;

/**
 * struct vm_area_struct, the fields the VMA layer uses: [start, end), vm_pgoff, vm_flags, vm_file, the
 * anon_vma (0: none yet; it is made on the first write fault) and whether its anon_vma_chain has more than one
 * entry (after fork; such VMAs do not merge), vm_ops (none for anonymous memory; whether it has a close hook,
 * which keeps a merge from deleting it) and the anon_vma_name. Mutable like the kernel's; the address space
 * copies it when the trace takes a checkpoint.
 */
public final class Vma {
    long start;
    long end;
    long pgoff;
    long flags;
    MappedFile file;
    int anonVma;
    boolean chainForked;
    /** The anon_vmas of the VMAs this one was forked from (its anon_vma_chain beyond its own), for the rmap. */
    int[] ancestors = NO_ANCESTORS;
    static final int[] NO_ANCESTORS = new int[0];
    VmOps ops;
    String anonName;
    /** The name of a special mapping ([vdso], [vvar], [vsyscall]), as a maps file gave it; else null. */
    String specialName;

    /** vm_operations_struct, as far as the VMA layer looks at it. */
    public enum VmOps {
        /** anonymous memory: vma_is_anonymous() */
        NONE(false),
        /** a regular file's (ext4_file_vm_ops: fault, map_pages, page_mkwrite) */
        FILE(false),
        /** shmem_vm_ops / shmem_anon_vm_ops */
        SHMEM(false),
        /** a driver's with a close hook (the kernel's VMA tests use one): never deleted by a merge */
        WITH_CLOSE(true),
        /** /dev/mem's mmap_mem_ops: remap_pfn_range() filled the PTEs; no fault handler, access = generic_access_phys */
        PFNMAP(false),
        /**
         * a buggy driver's: its ->fault answers VM_FAULT_RETRY even when the fault may not be retried
         * (no FAULT_FLAG_ALLOW_RETRY), keeping the mmap lock; what patch 3 of the 2023 GUP series catches
         */
        RETRY_ALWAYS(false);

        final boolean close;

        VmOps(boolean close) {
            this.close = close;
        }
    }

    Vma(long start, long end, long pgoff, long flags, MappedFile file, VmOps ops) {
        this.start = start;
        this.end = end;
        this.pgoff = pgoff;
        this.flags = flags;
        this.file = file;
        this.ops = ops;
    }

    Vma copy() {
        Vma v = new Vma(start, end, pgoff, flags, file, ops);
        v.anonVma = anonVma;
        v.chainForked = chainForked;
        v.ancestors = ancestors;
        v.anonName = anonName;
        v.specialName = specialName;
        return v;
    }

    public long start() {
        return start;
    }

    public long end() {
        return end;
    }

    public long pgoff() {
        return pgoff;
    }

    public long flags() {
        return flags;
    }

    public MappedFile file() {
        return file;
    }

    public int anonVma() {
        return anonVma;
    }

    public VmOps ops() {
        return ops;
    }

    public String anonName() {
        return anonName;
    }

    public long pages() {
        return (end - start) >>> AddressSpace.PAGE_SHIFT;
    }

    /** vma_is_anonymous(): no vm_ops. */
    public boolean isAnonymous() {
        return ops == VmOps.NONE;
    }

    @Override
    public String toString() {
        return String.format("[%x,%x) %x %s", start, end, pgoff, VmFlags.mnemonics(flags).strip());
    }
}
