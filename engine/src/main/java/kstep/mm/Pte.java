package kstep.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * x86-64 page-table entries (arch/x86/include/asm/pgtable_types.h, pgtable_64.h): the hardware bits, the
 * frame number in bits 12-51, and the swap entry a non-present PTE holds after reclaim. The swap offset is
 * stored inverted (the L1TF mitigation: a non-present PTE must not point at real memory) in bits 9-58 with
 * the swap type in bits 59-63, so swap offset 1 of swap type 0 reads 0x07fffffffffffc00.
 */
public final class Pte {
    public static final long PRESENT = 1L;
    public static final long RW = 1L << 1;
    public static final long USER = 1L << 2;
    public static final long PWT = 1L << 3;
    public static final long PCD = 1L << 4;
    public static final long ACCESSED = 1L << 5;
    public static final long DIRTY = 1L << 6;
    public static final long PSE = 1L << 7;
    public static final long GLOBAL = 1L << 8;
    /** _PAGE_PROTNONE: the global bit, which user PTEs never use, marks a PROT_NONE mapping (not present to the CPU). */
    public static final long PROTNONE = GLOBAL;
    /** _PAGE_SPECIAL (software bit 1): a frame with no struct page to count, here the zero page. */
    public static final long SPECIAL = 1L << 9;
    /** _PAGE_SOFT_DIRTY (software bit 3). */
    public static final long SOFT_DIRTY = 1L << 11;
    /** _PAGE_PKEY_BIT0: protection key 1, the one an execute-only mapping gets; PKRU denies data access to it. */
    public static final long PKEY_BIT0 = 1L << 59;
    public static final long NX = 1L << 63;
    public static final long PFN_MASK = ((1L << 52) - 1) & ~0xfffL;
    /** What the upper levels (PGD, PUD, PMD) hold for a table below: _KERNPG_TABLE | _PAGE_USER. */
    public static final long TABLE = PRESENT | RW | USER | ACCESSED | DIRTY;

    /** _PAGE_SWP_EXCLUSIVE (bit 3 of a swap PTE): the page was PageAnonExclusive when it was swapped out. */
    public static final long SWP_EXCLUSIVE = 1L << 3;

    static final int SWP_TYPE_BITS = 5;
    /** _PAGE_BIT_PROTNONE (8) + 1. */
    static final int SWP_OFFSET_FIRST_BIT = 9;
    static final int SWP_OFFSET_SHIFT = SWP_OFFSET_FIRST_BIT + SWP_TYPE_BITS;

    private Pte() { }

    /** pte_present(): mapping a frame, for the CPU (P) or only for the kernel (PROT_NONE). */
    public static boolean present(long pte) {
        return (pte & (PRESENT | PROTNONE)) != 0;
    }

    /** What the CPU can use without a fault. */
    public static boolean hardwarePresent(long pte) {
        return (pte & PRESENT) != 0;
    }

    public static boolean none(long pte) {
        return pte == 0;
    }

    /** A non-present, non-empty PTE: a swap entry. */
    public static boolean isSwap(long pte) {
        return pte != 0 && !present(pte);
    }

    public static int pfn(long pte) {
        return (int) ((pte & PFN_MASK) >>> 12);
    }

    public static long make(int pfn, long bits) {
        return ((long) pfn << 12) | bits;
    }

    /** __swp_entry(type, offset) as the PTE holds it. */
    public static long swapEntry(int type, long offset) {
        return ((~offset) << SWP_OFFSET_SHIFT >>> SWP_TYPE_BITS) | ((long) type << (64 - SWP_TYPE_BITS));
    }

    /** __swp_offset(). */
    public static long swapOffset(long pte) {
        return (~pte) << SWP_TYPE_BITS >>> SWP_OFFSET_SHIFT;
    }

    /** __swp_type(). */
    public static int swapType(long pte) {
        return (int) (pte >>> (64 - SWP_TYPE_BITS));
    }

    /** The bits set, as the page-table view lists them: "P RW US A D NX", or "swap 0:1", or "none". */
    public static String decode(long pte) {
        if (pte == 0) return "none";
        if (!present(pte)) return "swap " + swapType(pte) + ":" + swapOffset(pte) + ((pte & SWP_EXCLUSIVE) != 0 ? " exclusive" : "");
        if (!hardwarePresent(pte)) return "PROT_NONE pfn " + pfn(pte);
        List<String> b = new ArrayList<>();
        String[] names = {"P", "RW", "US", "PWT", "PCD", "A", "D", "PSE", "G", "SPECIAL", null, "SOFT_DIRTY"};
        // the PTE's frame is printed by the view; these are the flag bits
        for (int i = 0; i < names.length; i++) if (names[i] != null && (pte & (1L << i)) != 0) b.add(names[i]);
        if ((pte & PKEY_BIT0) != 0) b.add("PKEY1");
        if ((pte & NX) != 0) b.add("NX");
        return String.join(" ", b);
    }

    /** The index into the table of each level for {@code addr}: level 4 = PGD (bits 47-39) ... level 1 = PTE (20-12). */
    public static int index(long addr, int level) {
        return (int) ((addr >>> (12 + 9 * (level - 1))) & 511);
    }

    /** The level's name. */
    public static String levelName(int level) {
        return switch (level) {
            case 4 -> "PGD";
            case 3 -> "PUD";
            case 2 -> "PMD";
            default -> "PTE";
        };
    }
}
