package kstep.mm;

/**
 * User accesses and the page faults they take (arch/x86/mm/fault.c, mm/memory.c handle_mm_fault()). The
 * "hardware" looks at the PTE first: present and, for a write, writable, the access just sets the accessed
 * (and dirty) bit. Otherwise the fault handler finds the VMA, checks the access (access_error()), allocates
 * the page-table levels it needs and handles the PTE: demand-zero (the zero page for a read), a file page
 * through the page cache, copy-on-write, or swap-in. Populating a range (mlock, MAP_LOCKED) faults each page
 * as get_user_pages() does.
 */
final class Fault {
    /** What an access did: 0 or -errno (-EFAULT for SIGSEGV and SIGBUS, -ENOMEM for out of memory), and the frame. */
    record Result(long ret, int pfn) {
        static final Result SEGV = new Result(-Errno.EFAULT, -1);
        static final Result OOM = new Result(-Errno.ENOMEM, -1);
    }

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
        return linearIndex(vma, addr) >= vma.file.pages();
    }

    /** linear_page_index(): the page's index in the VMA's pgoff space (the file offset, for a file). */
    static long linearIndex(Vma vma, long addr) {
        return vma.pgoff + ((addr - vma.start) >>> AddressSpace.PAGE_SHIFT);
    }

    /** The fault of one access at {@code addr}: 0 or -EFAULT (SIGSEGV, SIGBUS), -ENOMEM. */
    static long userAccess(AddressSpace mm, long addr, boolean write) {
        return access(mm, addr, write).ret();
    }

    /** One user access: the PTE as the CPU sees it, and the fault if it cannot be used. */
    static Result access(AddressSpace mm, long addr, boolean write) {
        long page = addr & ~(AddressSpace.PAGE_SIZE - 1);
        Vma vma = mm.vmaLookup(addr);
        long pte = mm.pt.pte(page);
        // the CPU: present, writable for a write, and a protection key that allows data access
        if (vma != null && Pte.hardwarePresent(pte) && (!write || (pte & Pte.RW) != 0) && (pte & Pte.PKEY_BIT0) == 0) {
            touched(mm, page, pte, write);
            return new Result(0, Pte.pfn(pte));
        }
        mm.node.count("pgfault");
        if (vma == null || !accessAllowed(vma, write)) return Result.SEGV;
        return handle(mm, vma, page, write);
    }

    /** The CPU sets the accessed bit on every access through a PTE, and the dirty bit on a write. */
    private static void touched(AddressSpace mm, long page, long pte, boolean write) {
        long bits = Pte.ACCESSED | (write ? Pte.DIRTY : 0);
        if ((pte & bits) != bits) mm.pt.set(page, pte | bits);
    }

    /**
     * Follows mm/memory.c __handle_mm_fault() and handle_pte_fault() for an access the VMA allows. A write to
     * private memory prepares the anon_vma first (before a file page is read, so even a write past the end
     * of the file, which is SIGBUS, leaves one behind).
     */
    static Result handle(AddressSpace mm, Vma vma, long page, boolean write) {
        if (vma.ops == Vma.VmOps.PFNMAP || vma.ops == Vma.VmOps.RETRY_ALWAYS) return Result.SEGV; // no page to give: SIGBUS
        boolean shared = (vma.flags & VmFlags.VM_SHARED) != 0;
        if (write && !shared) mm.anonVmaPrepare(vma);
        int table = mm.pt.pteTable(page, () -> PageAlloc.alloc(mm.node, MemMap.Kind.PAGETABLE));
        if (table < 0) return Result.OOM;
        long pte = mm.pt.table(table)[Pte.index(page, 1)];
        if (Pte.none(pte)) {
            if (beyondFile(vma, page)) return Result.SEGV;
            if (vma.file == null) return doAnonymousPage(mm, vma, table, page, write);
            if (!write) return doReadFault(mm, vma, table, page);
            return shared ? doSharedFault(mm, vma, table, page) : doCowFault(mm, vma, table, page);
        }
        if (!Pte.present(pte)) return doSwapPage(mm, vma, table, page, pte, write);
        if (write && (pte & Pte.RW) == 0) return doWpPage(mm, vma, table, page, pte);
        // a spurious fault (another CPU fixed it first, or only the accessed bit was missing)
        touched(mm, page, pte, write);
        return new Result(0, Pte.pfn(pte));
    }

    /** vm_get_page_prot(): the PTE bits a VMA's pages get (private and writenotify mappings start read-only). */
    static long prot(Vma vma) {
        long f = vma.flags;
        if ((f & VmFlags.VM_ACCESS_FLAGS) == 0) return Pte.PROTNONE | Pte.ACCESSED;
        long bits = Pte.PRESENT | Pte.USER | Pte.ACCESSED;
        if ((f & VmFlags.VM_EXEC) == 0) bits |= Pte.NX;
        if ((f & VmFlags.VM_PKEY_BIT0) != 0) bits |= Pte.PKEY_BIT0;
        // a shared writable mapping of shmem is writable at once; a regular file's is write-protected so
        // the first write can mark the page dirty (vma_wants_writenotify())
        if ((f & VmFlags.VM_SHARED) != 0 && (f & VmFlags.VM_WRITE) != 0 && (vma.file == null || vma.file.shmem())) bits |= Pte.RW;
        return bits;
    }

    /** do_anonymous_page()'s new PTE: writable and dirty, if the VMA may be written. */
    private static long mkwriteDirty(Vma vma, long bits) {
        return (vma.flags & VmFlags.VM_WRITE) != 0 ? bits | Pte.RW | Pte.DIRTY : bits;
    }

    /**
     * maybe_mkwrite(pte_mkdirty()) of a write fault's copy (wp_page_copy, do_cow_fault): always dirty, writable
     * only if the VMA is. A FOLL_FORCE write through a read-only private mapping leaves a dirty read-only PTE.
     */
    private static long dirtyMaybeWrite(Vma vma, long bits) {
        return bits | Pte.DIRTY | ((vma.flags & VmFlags.VM_WRITE) != 0 ? Pte.RW : 0);
    }

    // ------------------------------------------------------------------ anonymous memory
    /** Follows mm/memory.c do_anonymous_page(): a read maps the zero page; a write a new zeroed page. */
    private static Result doAnonymousPage(AddressSpace mm, Vma vma, int table, long page, boolean write) {
        if (!write) {
            long pte = Pte.make(Pgdat.ZERO_PFN, (prot(vma) & ~Pte.RW) | Pte.SPECIAL);
            mm.pt.set(table, page, pte);
            mm.node.log(String.format("do_anonymous_page: read fault at 0x%x maps the zero page", page));
            return new Result(0, Pgdat.ZERO_PFN);
        }
        int pfn = newAnonFolio(mm, vma, page, 0);
        if (pfn < 0) return Result.OOM;
        mm.pt.set(table, page, Pte.make(pfn, mkwriteDirty(vma, prot(vma))));
        mm.node.log(String.format("do_anonymous_page: write fault at 0x%x: a zeroed page in frame %d", page, pfn));
        return new Result(0, pfn);
    }

    /**
     * A new anonymous folio for {@code page} holding {@code data}: folio_add_new_anon_rmap() (exclusive to this
     * mm, under the VMA's anon_vma at its linear index) and folio_add_lru_vma() (new anonymous folios start on
     * the inactive list since 5.9; a VM_LOCKED VMA's are unevictable). One mapping, one reference.
     */
    static int newAnonFolio(AddressSpace mm, Vma vma, long page, long data) {
        int pfn = PageAlloc.alloc(mm.node, MemMap.Kind.ANON);
        if (pfn < 0) return -1;
        MemMap m = mm.node.map;
        m.owner[pfn] = vma.anonVma;
        m.index[pfn] = linearIndex(vma, page);
        m.data[pfn] = data;
        m.flags[pfn] = MemMap.PG_UPTODATE | MemMap.PG_SWAPBACKED | MemMap.PG_ANON_EXCLUSIVE;
        m.mapcount[pfn] = 1;
        if ((vma.flags & VmFlags.VM_LOCKED) != 0) m.set(pfn, MemMap.PG_UNEVICTABLE | MemMap.PG_MLOCKED);
        mm.node.lru.add(m, pfn);
        mm.rss[AddressSpace.MM_ANONPAGES]++;
        return pfn;
    }

    // ------------------------------------------------------------------ files
    /**
     * Follows mm/filemap.c filemap_fault(): the file's page from the page cache, read from the disk into a
     * new folio on a miss (a major fault; the folio joins the inactive file list). The cache holds a reference.
     */
    static int filePage(AddressSpace mm, Vma vma, long page) {
        Pgdat node = mm.node;
        int file = vma.file.id();
        long index = linearIndex(vma, page);
        int pfn = node.cache.lookup(file, index);
        if (pfn >= 0) {
            markAccessed(node, pfn);
            return pfn;
        }
        pfn = PageAlloc.alloc(node, MemMap.Kind.FILE);
        if (pfn < 0) return -1;
        MemMap m = node.map;
        m.owner[pfn] = file;
        m.index[pfn] = index;
        m.data[pfn] = node.cache.read(file, index);
        m.flags[pfn] = MemMap.PG_UPTODATE | (vma.file.shmem() ? MemMap.PG_SWAPBACKED : 0);
        node.cache.add(file, index, pfn);
        node.lru.add(m, pfn);
        node.count("pgmajfault");
        node.log("filemap_fault: " + vma.file.name() + " page " + index + " read into frame " + pfn + " (page cache)");
        return pfn;
    }

    /**
     * folio_mark_accessed(): an unreferenced folio becomes referenced; a referenced inactive one is moved
     * to the active list.
     */
    static void markAccessed(Pgdat node, int pfn) {
        MemMap m = node.map;
        if (!m.test(pfn, MemMap.PG_REFERENCED)) {
            m.set(pfn, MemMap.PG_REFERENCED);
        } else if (!m.test(pfn, MemMap.PG_ACTIVE) && m.test(pfn, MemMap.PG_LRU) && !m.test(pfn, MemMap.PG_UNEVICTABLE)) {
            node.lru.del(m, pfn);
            m.set(pfn, MemMap.PG_ACTIVE);
            m.clear(pfn, MemMap.PG_REFERENCED);
            node.lru.add(m, pfn);
            node.count("pgactivate");
        }
    }

    /** A PTE now maps file folio {@code pfn}: folio_add_file_rmap_pte() and a reference. */
    private static void mapFile(AddressSpace mm, int pfn) {
        MemMap m = mm.node.map;
        m.mapcount[pfn]++;
        m.refcount[pfn]++;
        mm.rss[Zap.counterOf(m, pfn)]++;
    }

    /** Follows mm/memory.c do_read_fault(): map the page cache page, read-only unless the mapping is shared shmem. */
    private static Result doReadFault(AddressSpace mm, Vma vma, int table, long page) {
        int pfn = filePage(mm, vma, page);
        if (pfn < 0) return Result.OOM;
        mapFile(mm, pfn);
        mm.pt.set(table, page, Pte.make(pfn, prot(vma)));
        mm.node.log(String.format("do_read_fault: 0x%x maps the page cache's frame %d", page, pfn));
        return new Result(0, pfn);
    }

    /** Follows mm/memory.c do_cow_fault(): a private copy of the file's page, written at once. */
    private static Result doCowFault(AddressSpace mm, Vma vma, int table, long page) {
        int src = filePage(mm, vma, page);
        if (src < 0) return Result.OOM;
        int pfn = newAnonFolio(mm, vma, page, mm.node.map.data[src]);
        if (pfn < 0) return Result.OOM;
        mm.pt.set(table, page, Pte.make(pfn, dirtyMaybeWrite(vma, prot(vma))));
        mm.node.log(String.format("do_cow_fault: 0x%x gets frame %d, a private copy of frame %d", page, pfn, src));
        return new Result(0, pfn);
    }

    /** Follows mm/memory.c do_shared_fault(): the page cache page, made dirty (page_mkwrite) and writable. */
    private static Result doSharedFault(AddressSpace mm, Vma vma, int table, long page) {
        int pfn = filePage(mm, vma, page);
        if (pfn < 0) return Result.OOM;
        mapFile(mm, pfn);
        mm.node.map.set(pfn, MemMap.PG_DIRTY);
        mm.pt.set(table, page, Pte.make(pfn, prot(vma) | Pte.RW | Pte.DIRTY));
        mm.node.log(String.format("do_shared_fault: 0x%x maps frame %d writable; the page is dirty", page, pfn));
        return new Result(0, pfn);
    }

    // ------------------------------------------------------------------ write-protect faults
    /**
     * Follows mm/memory.c do_wp_page(): a write to a present read-only page. A shared file page is made dirty
     * and writable (wp_page_shared); an anonymous page only this mm maps is reused (wp_page_reuse); anything
     * else, the zero page included, is copied (wp_page_copy) and the old mapping dropped.
     */
    private static Result doWpPage(AddressSpace mm, Vma vma, int table, long page, long pte) {
        Pgdat node = mm.node;
        MemMap m = node.map;
        int old = Pte.pfn(pte);
        boolean zero = (pte & Pte.SPECIAL) != 0;
        if (!zero && (vma.flags & VmFlags.VM_SHARED) != 0) {
            m.set(old, MemMap.PG_DIRTY);
            mm.pt.set(table, page, pte | Pte.RW | Pte.DIRTY | Pte.ACCESSED);
            node.log(String.format("wp_page_shared: 0x%x: frame %d made writable and dirty", page, old));
            return new Result(0, old);
        }
        if (!zero && m.kind[old] == MemMap.Kind.ANON && (m.test(old, MemMap.PG_ANON_EXCLUSIVE) || canReuseAnon(node, old))) {
            m.set(old, MemMap.PG_ANON_EXCLUSIVE);
            mm.pt.set(table, page, dirtyMaybeWrite(vma, pte | Pte.ACCESSED));
            node.log(String.format("wp_page_reuse: 0x%x: frame %d is this mm's alone, %s", page, old,
                (vma.flags & VmFlags.VM_WRITE) != 0 ? "made writable" : "dirty, still read-only (the VMA is not writable)"));
            return new Result(0, old);
        }
        int pfn = newAnonFolio(mm, vma, page, zero ? 0 : m.data[old]);
        if (pfn < 0) return Result.OOM;
        mm.pt.set(table, page, Pte.make(pfn, dirtyMaybeWrite(vma, prot(vma))));
        if (!zero) Zap.unmapFrame(mm, old, false);
        node.count("cow_fault");
        node.log(String.format("wp_page_copy: 0x%x: copy-on-write of %s into frame %d", page, zero ? "the zero page" : "frame " + old, pfn));
        return new Result(0, pfn);
    }

    /**
     * wp_can_reuse_anon_folio(): only this PTE refers to the folio. A swap-cache folio whose slot nobody
     * else uses leaves the swap cache first (folio_free_swap()).
     */
    private static boolean canReuseAnon(Pgdat node, int pfn) {
        MemMap m = node.map;
        if (m.mapcount[pfn] != 1) return false;
        if (m.test(pfn, MemMap.PG_SWAPCACHE)) {
            long slot = m.swap[pfn];
            if (node.swap.references(slot) > 0 || m.refcount[pfn] != 2) return false;
            Zap.deleteFromSwapCache(node, pfn);
            Zap.put(node, pfn);
        }
        return m.refcount[pfn] == 1;
    }

    // ------------------------------------------------------------------ swap
    /**
     * Follows mm/memory.c do_swap_page(): the folio from the swap cache, or read back from the slot into a
     * new one (a major fault, which joins the swap cache). The PTE's swap entry gives up its slot reference;
     * a folio that was exclusive when it went out (the swap PTE's exclusive bit) is mapped writable if the
     * VMA is, and leaves the swap cache on a write fault, when swap is more than half full or the VMA locked
     * (should_try_to_free_swap()).
     */
    private static Result doSwapPage(AddressSpace mm, Vma vma, int table, long page, long pte, boolean write) {
        Pgdat node = mm.node;
        MemMap m = node.map;
        SwapSpace swap = node.swap;
        long slot = Pte.swapOffset(pte);
        Integer cached = swap.cache.get(slot);
        int pfn;
        if (cached != null) {
            pfn = cached;
            node.count("swap_ra_hit");
        } else {
            pfn = swapRead(mm, vma, page, slot);
            if (pfn < 0) return Result.OOM;
        }
        boolean exclusive = (pte & Pte.SWP_EXCLUSIVE) != 0;
        swap.put(slot);
        m.mapcount[pfn]++;
        m.refcount[pfn]++;
        mm.rss[AddressSpace.MM_SWAPENTS]--;
        mm.rss[AddressSpace.MM_ANONPAGES]++;
        long bits = prot(vma);
        if (exclusive) {
            m.set(pfn, MemMap.PG_ANON_EXCLUSIVE);
            if ((vma.flags & VmFlags.VM_WRITE) != 0) bits |= Pte.RW | (write ? Pte.DIRTY : 0);
        }
        // should_try_to_free_swap(): a write fault the folio alone serves, swap more than half full, or mlocked
        boolean swapFull = swap.free() * 2 < swap.slots() - 1;
        if (m.test(pfn, MemMap.PG_SWAPCACHE) && swap.references(slot) == 0
            && ((write && m.refcount[pfn] == 2) || swapFull || (vma.flags & VmFlags.VM_LOCKED) != 0)) {
            Zap.deleteFromSwapCache(node, pfn);
            Zap.put(node, pfn);
        }
        mm.pt.set(table, page, Pte.make(pfn, bits));
        node.log(String.format("do_swap_page: 0x%x: swap slot %d back in frame %d%s", page, slot, pfn, cached != null ? " (found in the swap cache)" : " (read from swap)"));
        if (write && (bits & Pte.RW) == 0) return doWpPage(mm, vma, table, page, mm.pt.table(table)[Pte.index(page, 1)]);
        return new Result(0, pfn);
    }

    /** swap_read_folio() into a new folio that joins the swap cache (a major fault); the frame, or -1 without memory. */
    static int swapRead(AddressSpace mm, Vma vma, long page, long slot) {
        Pgdat node = mm.node;
        MemMap m = node.map;
        SwapSpace swap = node.swap;
        int pfn = PageAlloc.alloc(node, MemMap.Kind.ANON);
        if (pfn < 0) return -1;
        m.owner[pfn] = vma.anonVma;
        m.index[pfn] = linearIndex(vma, page);
        m.data[pfn] = swap.data[(int) slot];
        m.flags[pfn] = MemMap.PG_UPTODATE | MemMap.PG_SWAPBACKED | MemMap.PG_SWAPCACHE;
        m.swap[pfn] = slot;
        swap.cache.put(slot, pfn);
        swap.swapMap[(int) slot] |= SwapSpace.SWAP_HAS_CACHE;
        if ((vma.flags & VmFlags.VM_LOCKED) != 0) m.set(pfn, MemMap.PG_UNEVICTABLE | MemMap.PG_MLOCKED);
        node.lru.add(m, pfn);
        node.count("pgmajfault");
        node.count("pswpin");
        return pfn;
    }

    /**
     * Whether the fault at {@code page} must wait for a read: a swapped-out page not in the swap cache, or a
     * file page not in the page cache. With FAULT_FLAG_ALLOW_RETRY the kernel starts that read, drops the
     * mmap lock (unless RETRY_NOWAIT) and returns VM_FAULT_RETRY (folio_lock_or_retry(), filemap_fault()).
     */
    static boolean needsRead(AddressSpace mm, Vma vma, long page) {
        long pte = mm.pt.pte(page);
        if (!Pte.none(pte) && !Pte.present(pte)) return !mm.node.swap.cache.containsKey(Pte.swapOffset(pte));
        return Pte.none(pte) && vma.file != null && !beyondFile(vma, page) && mm.node.cache.lookup(vma.file.id(), linearIndex(vma, page)) < 0;
    }

    /** Starts the read {@link #needsRead} found necessary: the page lands in the swap or page cache, unmapped. */
    static boolean startRead(AddressSpace mm, Vma vma, long page) {
        long pte = mm.pt.pte(page);
        if (!Pte.none(pte)) return swapRead(mm, vma, page, Pte.swapOffset(pte)) >= 0;
        int pfn = filePage(mm, vma, page);
        return pfn >= 0;
    }

    /**
     * FAULT_FLAG_UNSHARE (do_wp_page() for a read-only FOLL_PIN of a shared anonymous page): the page is made
     * exclusive, reused if this mm is its only user, else copied; the PTE stays read-only and clean.
     */
    static Result unshare(AddressSpace mm, Vma vma, long page) {
        int table = mm.pt.pteTable(page, () -> PageAlloc.alloc(mm.node, MemMap.Kind.PAGETABLE));
        if (table < 0) return Result.OOM;
        long pte = mm.pt.table(table)[Pte.index(page, 1)];
        if (!Pte.present(pte) || (pte & Pte.SPECIAL) != 0) return handle(mm, vma, page, false);
        MemMap m = mm.node.map;
        int old = Pte.pfn(pte);
        if (m.kind[old] != MemMap.Kind.ANON || m.test(old, MemMap.PG_ANON_EXCLUSIVE)) return new Result(0, old);
        if (canReuseAnon(mm.node, old)) {
            m.set(old, MemMap.PG_ANON_EXCLUSIVE);
            mm.node.log(String.format("wp_page_reuse (unshare): 0x%x: frame %d is this mm's alone, now exclusive", page, old));
            return new Result(0, old);
        }
        mm.anonVmaPrepare(vma);
        int pfn = newAnonFolio(mm, vma, page, m.data[old]);
        if (pfn < 0) return Result.OOM;
        mm.pt.set(table, page, Pte.make(pfn, prot(vma) & ~Pte.RW));
        Zap.unmapFrame(mm, old, false);
        mm.node.log(String.format("wp_page_copy (unshare): 0x%x: frame %d is shared, copied into frame %d, still read-only", page, old, pfn));
        return new Result(0, pfn);
    }

    /**
     * uprobes' __replace_page(): a new anonymous page holding {@code data} replaces frame {@code old} at
     * {@code addr}, mapped with the VMA's protection (read-only text stays read-only). 0, or -errno.
     */
    static long replacePage(AddressSpace mm, Vma vma, long addr, int old, long data) {
        long page = addr & ~(AddressSpace.PAGE_SIZE - 1);
        long pte = mm.pt.pte(page);
        if (!Pte.present(pte) || Pte.pfn(pte) != old) return -Errno.EAGAIN;
        mm.anonVmaPrepare(vma);
        int table = mm.pt.pteTable(page, () -> -1);
        int pfn = newAnonFolio(mm, vma, page, data);
        if (pfn < 0) return -Errno.ENOMEM;
        mm.pt.set(table, page, Pte.make(pfn, prot(vma)));
        Zap.unmapFrame(mm, old, false);
        mm.node.log(String.format("__replace_page: 0x%x now maps frame %d (a copy with the opcode); frame %d is unmapped", page, pfn, old));
        return 0;
    }

    // ------------------------------------------------------------------ populating
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
            long pte = mm.pt.pte(a);
            // follow_page_pte(): a page already mapped as needed is not faulted again
            if (Pte.hardwarePresent(pte) && (!write || (pte & Pte.RW) != 0)) continue;
            Result r = handle(mm, vma, a, write);
            if (r.ret() < 0) return (int) r.ret();
        }
        return 0;
    }

    /** MADV_DONTNEED: the range's pages go (untouched anonymous memory reads as zeroes again); the VMA stays. */
    static void zap(AddressSpace mm, Vma vma, long start, long end) {
        mm.dropPages(start, end);
    }

    /**
     * Follows mm/mprotect.c change_protection() for the PTEs of [start, end) after {@code vma} got new
     * flags: PROT_NONE takes the present bit away (keeping the frame), write permission removed clears RW
     * (write permission added is left to the next write fault), and NX follows VM_EXEC.
     */
    static void changeProtection(AddressSpace mm, Vma vma, long start, long end) {
        long base = prot(vma);
        java.util.List<long[]> found = new java.util.ArrayList<>();
        mm.pt.forEach(start, end, (a, pte) -> {
            if (Pte.present(pte)) found.add(new long[] {a, pte});
        });
        for (long[] e : found) {
            long pte = e[1];
            long keep = pte & (Pte.PFN_MASK | Pte.ACCESSED | Pte.DIRTY | Pte.SPECIAL);
            long bits = base & ~Pte.RW;
            if ((pte & Pte.RW) != 0 && (vma.flags & VmFlags.VM_WRITE) != 0 && (pte & Pte.SPECIAL) == 0) bits |= Pte.RW;
            if ((base & Pte.RW) != 0 && (pte & Pte.SPECIAL) == 0) bits |= Pte.RW;
            mm.pt.set(e[0], keep | bits);
        }
    }
}
