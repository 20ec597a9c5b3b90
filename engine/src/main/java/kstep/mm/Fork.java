package kstep.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * fork() and exit for an address space: dup_mmap() copies the VMAs (not VM_DONTCOPY ones; VM_LOCKED is not
 * inherited), links each child VMA to the parent's anon_vmas and gives it one of its own (anon_vma_fork()),
 * and copies the page tables where the child could not fault the pages back in by itself
 * (copy_page_range()): every PTE of a VMA with an anon_vma. A private writable page becomes copy-on-write,
 * write-protected in parent and child and no longer exclusive; the child's PTEs start old. exit_mmap() unmaps
 * everything and frees the page tables.
 */
final class Fork {
    private Fork() { }

    /** Follows mm/mmap.c dup_mmap(): a new mm in the same node, the child of {@code parent}. */
    static AddressSpace dupMmap(AddressSpace parent) {
        AddressSpace child = new AddressSpace(parent.node);
        child.maxMapCount = parent.maxMapCount;
        child.startBrk = parent.startBrk;
        child.brk = parent.brk;
        child.startStack = parent.startStack;
        child.mmapBase = parent.mmapBase;
        child.unaccountUnfaulted = parent.unaccountUnfaulted;
        int copied = 0;
        int cow = 0;
        for (Vma v : parent.vmas) {
            if ((v.flags & VmFlags.VM_DONTCOPY) != 0) continue;
            Vma c = v.copy();
            c.flags &= ~(VmFlags.VM_LOCKED | VmFlags.VM_LOCKONFAULT);
            boolean wipe = (v.flags & VmFlags.VM_WIPEONFORK) != 0;
            if (wipe || v.anonVma == 0) {
                c.anonVma = 0;
                c.ancestors = Vma.NO_ANCESTORS;
                c.chainForked = false;
            } else {
                anonVmaFork(parent, v, c);
            }
            child.insert(c);
            if (!wipe && v.anonVma != 0) {
                int[] n = copyPageRange(parent, child, v, c);
                copied += n[0];
                cow += n[1];
            }
        }
        parent.node.log("dup_mmap: " + child.vmas.size() + " VMAs, " + copied + " PTEs copied, " + cow + " made copy-on-write");
        return child;
    }

    /** anon_vma_fork(): the child VMA is linked to the parent's anon_vmas and gets a new one of its own. */
    private static void anonVmaFork(AddressSpace parent, Vma p, Vma c) {
        int[] chain = new int[p.ancestors.length + 1];
        chain[0] = p.anonVma;
        System.arraycopy(p.ancestors, 0, chain, 1, p.ancestors.length);
        c.ancestors = chain;
        c.anonVma = parent.newAnonVma();
        c.chainForked = true;
    }

    /**
     * Follows mm/memory.c copy_page_range() for one VMA: every PTE copied into the child's tables; present
     * pages gain a mapping and a reference (copy_present_ptes()), swap entries a swap count
     * (copy_nonpresent_pte()). Returns {PTEs copied, PTEs made copy-on-write}.
     */
    private static int[] copyPageRange(AddressSpace parent, AddressSpace child, Vma p, Vma c) {
        Pgdat node = parent.node;
        MemMap m = node.map;
        boolean isCow = (p.flags & (VmFlags.VM_SHARED | VmFlags.VM_MAYWRITE)) == VmFlags.VM_MAYWRITE;
        List<long[]> ptes = new ArrayList<>();
        parent.pt.forEach(p.start, p.end, (a, pte) -> ptes.add(new long[] {a, pte}));
        int cow = 0;
        for (long[] e : ptes) {
            long addr = e[0];
            long pte = e[1];
            int table = child.pt.pteTable(addr, () -> PageAlloc.alloc(node, MemMap.Kind.PAGETABLE));
            if (table < 0) throw new MmError(Errno.ENOMEM);
            if (!Pte.present(pte)) {
                // a swap entry: one more PTE refers to the slot; neither copy is exclusive any more
                node.swap.duplicate(Pte.swapOffset(pte));
                long shared = pte & ~Pte.SWP_EXCLUSIVE;
                parent.pt.set(addr, shared);
                child.pt.set(table, addr, shared);
                child.rss[AddressSpace.MM_SWAPENTS]++;
                continue;
            }
            long childPte = pte & ~Pte.ACCESSED;
            if ((pte & Pte.SPECIAL) == 0) {
                int pfn = Pte.pfn(pte);
                m.refcount[pfn]++;
                m.mapcount[pfn]++;
                m.clear(pfn, MemMap.PG_ANON_EXCLUSIVE);
                child.rss[Zap.counterOf(m, pfn)]++;
            }
            if (isCow && (pte & Pte.RW) != 0) {
                parent.pt.set(addr, pte & ~Pte.RW);
                childPte &= ~Pte.RW;
                cow++;
            }
            if ((p.flags & VmFlags.VM_SHARED) != 0) childPte &= ~Pte.DIRTY;
            child.pt.set(table, addr, childPte);
        }
        return new int[] {ptes.size(), cow};
    }

    /** Follows mm/mmap.c exit_mmap(): every VMA unmapped, the page tables freed, the mm empty. */
    static void exitMmap(AddressSpace mm) {
        int n = mm.vmas.size();
        for (Vma v : mm.vmas()) {
            Zap.range(mm, v.start, v.end);
            mm.remove(v);
        }
        mm.pt.freeAll();
        mm.node.log("exit_mmap: " + n + " VMAs unmapped, page tables freed");
    }
}
