package kstep.mm;

import java.util.Map;

import kstep.engine.Builtin;
import kstep.engine.Builtins;
import kstep.engine.Event;
import kstep.engine.Exec;
import kstep.engine.KObject;
import kstep.engine.StructType;
import kstep.engine.Value;

/**
 * The primitives mm/gup.kc stands on: what the kernel does in arch code, in the page-table walkers or in
 * the fault handler, each one expression. The models see a VMA as a {@code struct vm_area_struct} object
 * (a copy of kstep's VMA handed out by vma_lookup(), freed when a system call changes that VMA, so a pointer
 * kept across a dropped mmap lock is a use-after-free) and a page as its {@code struct page} address in
 * the x86-64 vmemmap ({@code 0xffffea0000000000 + pfn * 64}), so refcounts and pins are the frames' own.
 */
public final class GupBuiltins {
    /** VMEMMAP_START with 4-level paging and no KASLR; struct page is 64 bytes. */
    public static final long VMEMMAP_START = 0xffffea0000000000L;
    static final long STRUCT_PAGE_SIZE = 64;
    /** include/linux/page_ref.h: a pin of a small folio adds this to its refcount. */
    public static final int GUP_PIN_COUNTING_BIAS = 1 << 10;

    // include/linux/mm_types.h enum fault_flag and vm_fault_reason (the bits GUP uses)
    static final long FAULT_FLAG_WRITE = 1 << 0;
    static final long FAULT_FLAG_ALLOW_RETRY = 1 << 2;
    static final long FAULT_FLAG_RETRY_NOWAIT = 1 << 3;
    static final long FAULT_FLAG_TRIED = 1 << 5;
    static final long FAULT_FLAG_UNSHARE = 1 << 10;
    static final long VM_FAULT_OOM = 0x1;
    static final long VM_FAULT_SIGBUS = 0x2;
    static final long VM_FAULT_MAJOR = 0x4;
    static final long VM_FAULT_RETRY = 0x400;
    /** mm/mmap.c stack_guard_gap: 256 pages between a growing stack and the mapping below. */
    static final long STACK_GUARD_GAP = 256L << AddressSpace.PAGE_SHIFT;

    private GupBuiltins() { }

    public static long pageOf(int pfn) {
        return VMEMMAP_START + pfn * STRUCT_PAGE_SIZE;
    }

    /** The frame of a struct page address, or -1 if it is not one. */
    public static int pfnOf(long page, int frames) {
        long off = page - VMEMMAP_START;
        if (off < 0 || off % STRUCT_PAGE_SIZE != 0 || off / STRUCT_PAGE_SIZE >= frames) return -1;
        return (int) (off / STRUCT_PAGE_SIZE);
    }

    public static void register(Builtins b) {
        b.add("task_mm", 1, "tsk->mm: the struct mm_struct of the process the task runs in, or NULL", (x, a) -> {
            MmState st = state(x, "task_mm");
            String proc = st.processOf(a.obj(0).text("comm"));
            for (Map.Entry<Integer, String> e : st.mmObjects.entrySet()) if (e.getValue().equals(proc)) return new Value.Ref(e.getKey());
            return Value.Nil.NULL;
        });
        b.add("vma_lookup", 2, "vma_lookup(mm, addr): the VMA that contains addr, or NULL", (x, a) -> {
            MmState st = state(x, "vma_lookup");
            String proc = processOfMm(x, st, a.get(0));
            Vma v = st.mm(proc).vmaLookup(a.l(1));
            return v == null ? Value.Nil.NULL : mirror(x, st, proc, a.get(0), v);
        });
        b.add("find_vma_maple", 2, "find_vma(mm, addr) of a modern mm (named apart from the 2.3 mode's model of it): the first VMA that ends above addr, or NULL", (x, a) -> {
            MmState st = state(x, "find_vma_maple");
            String proc = processOfMm(x, st, a.get(0));
            Vma v = st.mm(proc).findVma(a.l(1));
            return v == null ? Value.Nil.NULL : mirror(x, st, proc, a.get(0), v);
        });
        b.add("expand_downwards", 2, "mm/mmap.c expand_downwards(vma, addr): grow a VM_GROWSDOWN stack down to addr; 0 or -ENOMEM",
            GupBuiltins::expandDownwards);
        b.add("follow_pte", 2, "the PTE that maps addr in the VMA's mm (0: none; no page table is allocated)", (x, a) -> {
            Found f = vma(x, a.get(0));
            return Value.of(f.mm.pte(a.l(1) & ~(AddressSpace.PAGE_SIZE - 1)));
        });
        // pte_present() and pte_dirty() are the 2.3 mode's: the present and dirty bits are the same on x86-64
        b.add("pte_protnone", 1, "a PROT_NONE PTE: present to the kernel, not to the CPU", (x, a) -> Value.bool(Pte.present(a.l(0)) && !Pte.hardwarePresent(a.l(0))));
        b.add("pte_write", 1, "the PTE's RW bit", (x, a) -> Value.bool((a.l(0) & Pte.RW) != 0));
        b.add("pte_pfn", 1, "the frame a PTE maps", (x, a) -> Value.of(Pte.pfn(a.l(0))));
        b.add("vm_normal_page", 3, "vm_normal_page(vma, addr, pte): the struct page, or 0 for a special PTE (the zero page, a VM_PFNMAP frame)",
            (x, a) -> Value.of((a.l(2) & Pte.SPECIAL) != 0 ? 0 : pageOf(Pte.pfn(a.l(2)))));
        b.add("pfn_to_page", 1, "the struct page of a frame", (x, a) -> Value.of(pageOf((int) a.l(0))));
        b.add("is_zero_pfn", 1, "the frame is the shared zero page", (x, a) -> Value.bool(a.l(0) == Pgdat.ZERO_PFN));
        b.add("is_zero_page", 1, "the page is the shared zero page", (x, a) -> Value.bool(pfn(x, a.get(0)) == Pgdat.ZERO_PFN));
        b.add("PageAnon", 1, "an anonymous page", (x, a) -> Value.bool(map(x).kind[pfn(x, a.get(0))] == MemMap.Kind.ANON));
        b.add("PageAnonExclusive", 1, "only this mm maps the anonymous page (it may be pinned or written without a copy)",
            (x, a) -> Value.bool(map(x).test(pfn(x, a.get(0)), MemMap.PG_ANON_EXCLUSIVE)));
        b.add("folio_test_large", 1, "a large folio (kstep's folios are all small pages: 0)", (x, a) -> {
            pfn(x, a.get(0));
            return Value.ZERO;
        });
        b.add("page_ref_count", 1, "the page's reference count", (x, a) -> Value.of(map(x).refcount[pfn(x, a.get(0))]));
        b.add("page_ref_add", 2, "page_ref_add(page, n): n more references (a pin adds GUP_PIN_COUNTING_BIAS)", (x, a) -> {
            int pfn = pfn(x, a.get(0));
            MemMap m = map(x);
            refChange(x, pfn, m.refcount[pfn], m.refcount[pfn] + (int) a.l(1));
            m.refcount[pfn] += (int) a.l(1);
            return Value.ZERO;
        });
        b.add("folio_put_refs", 2, "folio_put_refs(page, n): drop n references; the last frees the frame", (x, a) -> {
            int pfn = pfn(x, a.get(0));
            MemMap m = map(x);
            int n = (int) a.l(1);
            if (n > m.refcount[pfn]) throw x.error("folio_put_refs(" + n + ") on frame " + pfn + " with refcount " + m.refcount[pfn]);
            refChange(x, pfn, m.refcount[pfn], m.refcount[pfn] - n);
            m.refcount[pfn] -= n - 1;
            Zap.put(state(x, "folio_put_refs").node, pfn);
            if (m.kind[pfn] == MemMap.Kind.FREE) x.emit(Event.say(Event.Kind.SET, "pages", "frame " + pfn + " freed (its last reference)"));
            return Value.ZERO;
        });
        b.proc("mark_page_accessed", 1, "folio_mark_accessed(): referenced, or promoted to the active list", (x, a) -> {
            int pfn = pfn(x, a.get(0));
            if (map(x).kind[pfn] != MemMap.Kind.ZERO) Fault.markAccessed(state(x, "mark_page_accessed").node, pfn);
        });
        b.proc("set_page_dirty", 1, "folio_mark_dirty(): the page must be written back (or to swap) before it is reclaimed", (x, a) -> {
            int pfn = pfn(x, a.get(0));
            if (map(x).kind[pfn] != MemMap.Kind.ZERO) map(x).set(pfn, MemMap.PG_DIRTY);
        });
        b.add("__handle_mm_fault", 3, "mm/memory.c __handle_mm_fault(vma, addr, fault_flags) for GUP: a vm_fault_t (0, VM_FAULT_RETRY, VM_FAULT_OOM, VM_FAULT_SIGBUS)",
            GupBuiltins::handleMmFault);
        b.proc("copy_from_user_page", 5, "copy_from_user_page(vma, page, addr, dst, len): the page's contents into *dst (kstep's pages hold one word)",
            (x, a) -> x.store(a.get(3), Value.of(map(x).data[pfn(x, a.get(1))])));
        b.proc("copy_to_user_page", 5, "copy_to_user_page(vma, page, addr, src, len): *src into the page", (x, a) -> {
            int pfn = pfn(x, a.get(1));
            long v = x.asLong(x.load(a.get(3)));
            x.emit(Event.change(Event.Kind.SET, "pages", "frame " + pfn, "0x" + Long.toHexString(map(x).data[pfn]), "0x" + Long.toHexString(v)));
            map(x).data[pfn] = v;
        });
        b.proc("memcpy_fromio", 3, "memcpy_fromio(dst, pfn, len): a device frame's word into *dst", (x, a) -> x.store(a.get(0), Value.of(map(x).data[(int) a.l(1)])));
        b.proc("memcpy_toio", 3, "memcpy_toio(pfn, src, len): *src into a device frame", (x, a) -> map(x).data[(int) a.l(0)] = x.asLong(x.load(a.get(1))));
        b.add("mmap_device", 3, "mmap(addr, len, prot) of /dev/mem: the driver's remap_pfn_range() maps reserved frames VM_IO|VM_PFNMAP; the address or -errno",
            (x, a) -> MmBuiltins.syscall(x, "mmap_device", a, mm -> MmSyscalls.mmapDevice(mm, a.l(0), a.l(1), (int) a.l(2))));
        // include/linux/err.h: an error travels in a pointer as -errno, the top 4095 values of the address space
        b.add("ERR_PTR", 1, "an errno as a pointer", (x, a) -> Value.of(a.l(0)));
        b.add("PTR_ERR", 1, "the errno in an error pointer", (x, a) -> Value.of(x.asLong(a.get(0))));
        b.add("IS_ERR", 1, "an error pointer", (x, a) -> Value.bool(isErr(x.asLong(a.get(0)))));
        b.add("IS_ERR_OR_NULL", 1, "NULL or an error pointer", (x, a) -> Value.bool(x.asLong(a.get(0)) == 0 || isErr(x.asLong(a.get(0)))));
        b.add("folio_pincount_add", 2, "a large folio's _pincount (kstep has no large folios, so no caller reaches it)", (x, a) -> {
            throw x.error("folio_pincount_add() on frame " + pfn(x, a.get(0)) + ", a small folio: its pins are GUP_PIN_COUNTING_BIAS references");
        });
        b.add("page_word", 1, "the word a page holds (kstep's pages hold one)", (x, a) -> Value.of(map(x).data[pfn(x, a.get(0))]));
        b.proc("__replace_page", 4, "kernel/events/uprobes.c __replace_page(vma, addr, old_page, opcode): a new anonymous copy holding the opcode takes old_page's place",
            (x, a) -> {
                Found f = vma(x, a.get(0));
                int old = pfn(x, a.get(2));
                MmBuiltins.call(x, state(x, "__replace_page"), f.process, "__replace_page", a, mm -> Fault.replacePage(mm, f.vma, a.l(1), old, a.l(3)));
            });
        b.proc("pr_warn_stack_growth", 3, "gup_vma_lookup()'s warning: \"GUP no longer grows the stack in COMM (PID): START-END (ADDR)\" and a stack dump",
            (x, a) -> {
                KObject ts = x.currentTaskStruct();
                x.note("printk", String.format("GUP no longer grows the stack in %s (%d): %x-%x (%x)", ts.text("comm"), ts.getLong("pid"), a.l(0), a.l(1), a.l(2)));
            });
        b.add("mmap_driver_retry", 3, "mmap(addr, len, prot) of a buggy driver whose ->fault always answers VM_FAULT_RETRY and keeps the mmap lock; the address or -errno",
            (x, a) -> MmBuiltins.syscall(x, "mmap_driver_retry", a, mm -> MmSyscalls.mmapRetryDevice(mm, a.l(0), a.l(1), (int) a.l(2))));
        b.add("breakpoint_check", 4, "breakpoint_check(mm, addr, opcode, ret): a caller was told the write succeeded (ret 0); is the opcode in the page the process sees?",
            GupBuiltins::breakpointCheck);
    }

    static boolean isErr(long p) {
        return p < 0 && p >= -4095;
    }

    private record Found(String process, AddressSpace mm, Vma vma, KObject obj) { }

    private static MmState state(Exec x, String what) {
        MmState st = x.ext(MmState.KEY, MmState.class);
        if (st == null) throw x.error(what + "() needs the mm section in the scenario");
        return st;
    }

    private static MemMap map(Exec x) {
        return state(x, "page").node.map;
    }

    private static int pfn(Exec x, Value page) {
        long p = x.asLong(page);
        if (p == 0) throw x.error("NULL struct page pointer");
        int pfn = pfnOf(p, map(x).frames);
        if (pfn < 0) throw x.error("0x" + Long.toHexString(p) + " is not a struct page (an ERR_PTR?)");
        return pfn;
    }

    private static void refChange(Exec x, int pfn, int before, int after) {
        x.emit(Event.change(Event.Kind.SET, "pages", "frame " + pfn + " refcount", Integer.toString(before), Integer.toString(after)));
    }

    private static String processOfMm(Exec x, MmState st, Value mm) {
        KObject o = x.deref(mm);
        String proc = st.mmObjects.get(o.id());
        if (proc == null) throw x.error(o.name() + " is not a process's mm_struct");
        if (st.mm(proc) == null) throw x.error("process " + proc + " has no address space yet (it is made by fork())");
        return proc;
    }

    /** The struct vm_area_struct the models get for {@code v}: the live copy made earlier, or a new one. */
    private static Value mirror(Exec x, MmState st, String proc, Value mm, Vma v) {
        for (Map.Entry<Integer, String> e : st.vmaObjects.entrySet()) {
            KObject o = x.world().object(e.getKey());
            if (e.getValue().equals(proc) && !o.freed() && o.getLong("vm_start") == v.start) return new Value.Ref(o.id());
        }
        StructType t = x.program().struct("vm_area_struct");
        if (t == null) throw x.error("the models declare no struct vm_area_struct");
        KObject o = x.allocate(t, String.format("vma_%x", v.start));
        st.vmaObjects.put(o.id(), proc);
        x.setField(o, "vm_mm", mm);
        sync(x, st, o, v);
        return new Value.Ref(o.id());
    }

    private static void sync(Exec x, MmState st, KObject o, Vma v) {
        x.setField(o, "vm_start", v.start);
        x.setField(o, "vm_end", v.end);
        x.setField(o, "vm_pgoff", v.pgoff);
        x.setField(o, "vm_flags", v.flags);
        int ops = v.ops == Vma.VmOps.PFNMAP ? st.memVmOps : v.ops == Vma.VmOps.SHMEM ? st.shmemVmOps : v.file != null ? st.fileVmOps : -1;
        x.setField(o, "vm_ops", ops < 0 ? Value.Nil.NULL : new Value.Ref(ops));
    }

    /**
     * After a system call changed {@code proc}'s VMAs: the vm_area_struct copies of VMAs that are gone or
     * different are freed (the kernel frees or rewrites the struct under the mmap write lock).
     */
    static void vmasChanged(Exec x, MmState st, String proc) {
        AddressSpace mm = st.mm(proc);
        for (Map.Entry<Integer, String> e : st.vmaObjects.entrySet()) {
            KObject o = x.world().object(e.getKey());
            if (!e.getValue().equals(proc) || o.freed()) continue;
            Vma v = mm == null ? null : mm.vmaLookup(o.getLong("vm_start"));
            if (v == null || v.start != o.getLong("vm_start") || v.end != o.getLong("vm_end") || v.flags != o.getLong("vm_flags")) x.free(o);
        }
    }

    private static Found vma(Exec x, Value ref) {
        MmState st = state(x, "vma");
        KObject o = x.deref(ref, "vm_start", false);
        String proc = st.vmaObjects.get(o.id());
        if (proc == null) throw x.error(o.name() + " is not a VMA from vma_lookup()");
        AddressSpace mm = st.mm(proc);
        Vma v = mm.vmaLookup(o.getLong("vm_start"));
        if (v == null || v.start != o.getLong("vm_start")) throw x.error(o.name() + " is no longer in " + proc + "'s address space");
        return new Found(proc, mm, v, o);
    }

    /** Follows mm/mmap.c expand_downwards(): the stack VMA grows down to addr, keeping stack_guard_gap above the VMA below. */
    private static Value expandDownwards(Exec x, Builtin.Args a) {
        Found f = vma(x, a.get(0));
        long addr = a.l(1) & ~(AddressSpace.PAGE_SIZE - 1);
        Vma v = f.vma;
        if ((v.flags & VmFlags.VM_GROWSDOWN) == 0 || addr >= v.start) return Value.of(-Errno.EFAULT);
        Vma prev = f.mm.prevOf(v.start);
        if (prev != null && (prev.flags & VmFlags.VM_GROWSDOWN) == 0 && addr - prev.end < STACK_GUARD_GAP) return Value.of(-Errno.ENOMEM);
        long grow = (v.start - addr) >>> AddressSpace.PAGE_SHIFT;
        MmState st = state(x, "expand_downwards");
        long old = v.start;
        f.mm.setRange(v, addr, v.end, v.pgoff - grow);
        // the kernel's vma struct itself grows (vma->vm_start = address), so the models' copy follows
        sync(x, st, f.obj, v);
        x.emit(Event.say(Event.Kind.SET, "mm:" + f.process, String.format("expand_downwards: the stack %x-%x grows down to %x-%x", old, v.end, v.start, v.end)));
        return Value.ZERO;
    }

    /**
     * __handle_mm_fault() as GUP's faultin_page() calls it: a page that must be read (swap, file) with
     * FAULT_FLAG_ALLOW_RETRY and not yet TRIED starts the read and answers VM_FAULT_RETRY (the model's
     * handle_mm_fault() then drops the mmap lock, unless RETRY_NOWAIT); otherwise the fault is handled.
     */
    private static Value handleMmFault(Exec x, Builtin.Args a) {
        Found f = vma(x, a.get(0));
        MmState st = state(x, "handle_mm_fault");
        long addr = a.l(1);
        long flags = a.l(2);
        long page = addr & ~(AddressSpace.PAGE_SIZE - 1);
        boolean write = (flags & FAULT_FLAG_WRITE) != 0;
        st.lastAccess = new MmState.Access(f.process, addr, write, x.world().stepNo());
        Vma v = f.vma;
        if (v.ops == Vma.VmOps.PFNMAP) return Value.of(VM_FAULT_SIGBUS);
        if (v.ops == Vma.VmOps.RETRY_ALWAYS) {
            // the buggy driver: "try again" whatever the flags allow, and the lock stays held
            x.emit(Event.say(Event.Kind.SET, "pages:" + f.process, String.format("the driver's ->fault at 0x%x answers VM_FAULT_RETRY%s", page,
                (flags & FAULT_FLAG_ALLOW_RETRY) == 0 ? " though FAULT_FLAG_ALLOW_RETRY is not set, and keeps the mmap lock" : "")));
            return Value.of(VM_FAULT_RETRY);
        }
        return MmBuiltins.call(x, st, f.process, "handle_mm_fault", a, mm -> {
            if ((flags & FAULT_FLAG_ALLOW_RETRY) != 0 && (flags & FAULT_FLAG_TRIED) == 0 && Fault.needsRead(mm, v, page)) {
                if (!Fault.startRead(mm, v, page)) return VM_FAULT_OOM;
                mm.node.log(String.format("0x%x must be read first: the read is started, VM_FAULT_RETRY%s", page,
                    (flags & FAULT_FLAG_RETRY_NOWAIT) != 0 ? " (RETRY_NOWAIT: the mmap lock stays held)" : ""));
                return VM_FAULT_RETRY | VM_FAULT_MAJOR;
            }
            if (Fault.beyondFile(v, page)) return VM_FAULT_SIGBUS;
            Fault.Result r = (flags & FAULT_FLAG_UNSHARE) != 0 ? Fault.unshare(mm, v, page) : Fault.handle(mm, v, page, write);
            if (r.ret() == -Errno.ENOMEM) return VM_FAULT_OOM;
            return r.ret() < 0 ? VM_FAULT_SIGBUS : 0;
        });
    }

    /** kstep's check on a caller's word: told "installed" (0) while the process still runs the old instruction. */
    private static Value breakpointCheck(Exec x, Builtin.Args a) {
        MmState st = state(x, "breakpoint_check");
        String proc = processOfMm(x, st, a.get(0));
        long addr = a.l(1);
        if (a.l(3) != 0) return Value.ZERO;
        AddressSpace mm = st.mm(proc);
        long pte = mm.pte(addr & ~(AddressSpace.PAGE_SIZE - 1));
        long now = Pte.present(pte) ? st.node.map.data[Pte.pfn(pte)] : -1;
        if (now == a.l(2)) return Value.ZERO;
        x.finding("silent-failure", String.format("the caller returned 0 (success) but wrote nothing: %s's page at 0x%x holds %s, not the opcode 0x%x;%n"
            + "get_user_page_vma_remote() returned NULL and IS_ERR_OR_NULL() turned it into 0", proc, addr,
            now < 0 ? "no page" : "0x" + Long.toHexString(now), a.l(2)));
        return Value.ONE;
    }
}
