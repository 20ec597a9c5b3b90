package kstep.mm;

import java.util.Map;

/**
 * /proc/PID/maps and /proc/PID/smaps for an address space (fs/proc/task_mmu.c show_map_vma(), show_smap()):
 * "start-end perms offset major:minor inode", padded to column 73 before the name; smaps adds the
 * per-VMA sizes from the resident pages, ProtectionKey (x86 with protection keys) and VmFlags.
 */
public final class ProcMaps {
    private ProcMaps() { }

    /** The name /proc/PID/maps prints for {@code v}, or null. */
    public static String name(AddressSpace mm, Vma v) {
        if (v.file != null) return v.file.name();
        if (v.specialName != null) return v.specialName;
        if (v.anonName != null) return "[anon:" + v.anonName + "]";
        if (mm.brk > mm.startBrk && v.start <= mm.brk && v.end >= mm.startBrk) return "[heap]";
        if (mm.startStack != 0 && v.start <= mm.startStack && v.end >= mm.startStack) return "[stack]";
        return null;
    }

    /** show_vma_header_prefix() and the name: one line of /proc/PID/maps, without its newline. */
    public static String line(AddressSpace mm, Vma v) {
        StringBuilder b = new StringBuilder();
        String dev = v.file == null ? "00:00" : v.file.dev();
        long ino = v.file == null ? 0 : v.file.inode();
        long off = v.file == null ? 0 : v.pgoff << AddressSpace.PAGE_SHIFT;
        b.append(String.format("%08x-%08x %s %08x %s %d ", v.start, v.end, VmFlags.perms(v.flags), off, dev, ino));
        String name = name(mm, v);
        if (name != null) {
            // seq_pad(): spaces up to the width set (25 + 6 * sizeof(void *) - 1 = 72 on 64-bit), one more, the name
            while (b.length() < 72) b.append(' ');
            b.append(' ').append(name);
        }
        return b.toString();
    }

    public static String maps(AddressSpace mm) {
        StringBuilder b = new StringBuilder();
        for (Vma v : mm.vmas) b.append(line(mm, v)).append('\n');
        return b.toString();
    }

    private static void kb(StringBuilder b, String label, long kb) {
        b.append(String.format("%-16s%8d kB\n", label, kb));
    }

    /** show_smap() for one VMA. */
    public static String smap(AddressSpace mm, Vma v) {
        long rss = 0;
        long dirty = 0;
        long anon = 0;
        for (Map.Entry<Long, Page> e : mm.pages(v.start, v.end).entrySet()) {
            rss++;
            if (e.getValue().dirty()) dirty++;
            if (e.getValue().anon()) anon++;
        }
        long page = AddressSpace.PAGE_SIZE / 1024;
        StringBuilder b = new StringBuilder(line(mm, v)).append('\n');
        kb(b, "Size:", v.pages() * page);
        kb(b, "KernelPageSize:", page);
        kb(b, "MMUPageSize:", page);
        kb(b, "Rss:", rss * page);
        // one process maps each page once: Pss is Rss, nothing is shared
        kb(b, "Pss:", rss * page);
        kb(b, "Pss_Dirty:", dirty * page);
        kb(b, "Shared_Clean:", 0);
        kb(b, "Shared_Dirty:", 0);
        kb(b, "Private_Clean:", (rss - dirty) * page);
        kb(b, "Private_Dirty:", dirty * page);
        kb(b, "Referenced:", rss * page);
        kb(b, "Anonymous:", anon * page);
        kb(b, "KSM:", 0);
        kb(b, "LazyFree:", 0);
        kb(b, "AnonHugePages:", 0);
        kb(b, "ShmemPmdMapped:", 0);
        kb(b, "FilePmdMapped:", 0);
        kb(b, "Shared_Hugetlb:", 0);
        kb(b, "Private_Hugetlb:", 0);
        kb(b, "Swap:", 0);
        kb(b, "SwapPss:", 0);
        kb(b, "Locked:", (v.flags & VmFlags.VM_LOCKED) != 0 ? rss * page : 0);
        // THP is "madvise" here: only MADV_HUGEPAGE anonymous memory is eligible
        boolean thp = v.isAnonymous() && (v.flags & VmFlags.VM_HUGEPAGE) != 0;
        b.append(String.format("THPeligible:    %8d\n", thp ? 1 : 0));
        b.append(String.format("ProtectionKey:  %8d\n", (v.flags & VmFlags.VM_PKEY_BIT0) != 0 ? 1 : 0));
        b.append("VmFlags: ").append(VmFlags.mnemonics(v.flags)).append('\n');
        return b.toString();
    }

    public static String smaps(AddressSpace mm) {
        StringBuilder b = new StringBuilder();
        for (Vma v : mm.vmas) b.append(smap(mm, v));
        return b.toString();
    }
}
