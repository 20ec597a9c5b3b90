package kstep.mm;

/**
 * vm_flags bits (include/linux/mm.h, x86-64) and their smaps mnemonics (fs/proc/task_mmu.c
 * show_smap_vma_flags(), printed in bit order). Soft-dirty is not configured on the kernel kstep follows,
 * so VM_SOFTDIRTY is never set.
 */
public final class VmFlags {
    public static final long VM_READ = 1L;
    public static final long VM_WRITE = 1L << 1;
    public static final long VM_EXEC = 1L << 2;
    public static final long VM_SHARED = 1L << 3;
    public static final long VM_MAYREAD = 1L << 4;
    public static final long VM_MAYWRITE = 1L << 5;
    public static final long VM_MAYEXEC = 1L << 6;
    public static final long VM_MAYSHARE = 1L << 7;
    public static final long VM_GROWSDOWN = 1L << 8;
    public static final long VM_UFFD_MISSING = 1L << 9;
    public static final long VM_PFNMAP = 1L << 10;
    public static final long VM_UFFD_WP = 1L << 12;
    public static final long VM_LOCKED = 1L << 13;
    public static final long VM_IO = 1L << 14;
    public static final long VM_SEQ_READ = 1L << 15;
    public static final long VM_RAND_READ = 1L << 16;
    public static final long VM_DONTCOPY = 1L << 17;
    public static final long VM_DONTEXPAND = 1L << 18;
    public static final long VM_LOCKONFAULT = 1L << 19;
    public static final long VM_ACCOUNT = 1L << 20;
    public static final long VM_NORESERVE = 1L << 21;
    public static final long VM_HUGETLB = 1L << 22;
    public static final long VM_SYNC = 1L << 23;
    public static final long VM_ARCH_1 = 1L << 24;
    public static final long VM_WIPEONFORK = 1L << 25;
    public static final long VM_DONTDUMP = 1L << 26;
    public static final long VM_SOFTDIRTY = 1L << 27;
    public static final long VM_MIXEDMAP = 1L << 28;
    public static final long VM_HUGEPAGE = 1L << 29;
    public static final long VM_NOHUGEPAGE = 1L << 30;
    public static final long VM_MERGEABLE = 1L << 31;
    /**
     * VM_PKEY_BIT0 (VM_HIGH_ARCH_0): x86 with protection keys gives execute-only memory the mm's
     * execute-only key (1), which denies data reads. smaps prints it as ProtectionKey, not in VmFlags; it
     * does keep an execute-only VMA from sharing an anon_vma with its neighbours.
     */
    public static final long VM_PKEY_BIT0 = 1L << 32;

    public static final long VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
    public static final long VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;
    public static final long VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;

    private static final String[] MNEMONIC = new String[64];

    static {
        String[][] m = {
            {"0", "rd"}, {"1", "wr"}, {"2", "ex"}, {"3", "sh"}, {"4", "mr"}, {"5", "mw"}, {"6", "me"}, {"7", "ms"},
            {"8", "gd"}, {"9", "um"}, {"10", "pf"}, {"12", "uw"}, {"13", "lo"}, {"14", "io"}, {"15", "sr"},
            {"16", "rr"}, {"17", "dc"}, {"18", "de"}, {"19", "lf"}, {"20", "ac"}, {"21", "nr"}, {"22", "ht"},
            {"23", "sf"}, {"24", "ar"}, {"25", "wf"}, {"26", "dd"}, {"27", "sd"}, {"28", "mm"}, {"29", "hg"},
            {"30", "nh"}, {"31", "mg"},
        };
        for (String[] e : m) MNEMONIC[Integer.parseInt(e[0])] = e[1];
    }

    private VmFlags() { }

    /** smaps' "VmFlags:" value: each set flag's two letters and a space, in bit order ("rd wr mr mw me ac "). */
    public static String mnemonics(long flags) {
        StringBuilder b = new StringBuilder();
        for (int bit = 0; bit < 64; bit++) {
            if ((flags & (1L << bit)) != 0 && MNEMONIC[bit] != null) b.append(MNEMONIC[bit]).append(' ');
        }
        return b.toString();
    }

    /**
     * The bit of a VmFlags mnemonic ("rd" is VM_READ), or 0. Mnemonics this table does not model (protection
     * keys, shadow stacks, sealing, newer kernels' additions) are accepted as bit 40, which means nothing here.
     */
    public static long ofMnemonic(String m) {
        for (int bit = 0; bit < 64; bit++) if (m.equals(MNEMONIC[bit])) return 1L << bit;
        return m.matches("[a-z0-9]{2}") ? 1L << 40 : 0;
    }

    /**
     * calc_vm_prot_bits(): PROT_READ, PROT_WRITE, PROT_EXEC (1, 2, 4) to VM_READ, VM_WRITE, VM_EXEC, and the
     * execute-only protection key for PROT_EXEC alone (do_mmap(), arch_override_mprotect_pkey()).
     */
    public static long ofProt(int prot) {
        long f = (prot & 1) * VM_READ | ((prot >> 1) & 1) * VM_WRITE | ((prot >> 2) & 1) * VM_EXEC;
        return prot == 4 ? f | VM_PKEY_BIT0 : f;
    }

    /** The "rw-p" of /proc/PID/maps. */
    public static String perms(long flags) {
        return ((flags & VM_READ) != 0 ? "r" : "-") + ((flags & VM_WRITE) != 0 ? "w" : "-") + ((flags & VM_EXEC) != 0 ? "x" : "-")
            + ((flags & VM_MAYSHARE) != 0 ? "s" : "p");
    }
}
