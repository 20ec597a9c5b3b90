package kstep.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * The FOLL_ flags, public (include/linux/mm_types.h) and internal (mm/internal.h), as Linux 6.6 and 6.7
 * number them; FOLL_MADV_POPULATE came in 6.9.
 */
public final class GupFlags {
    private GupFlags() { }

    /** One flag: its name, value, whether only GUP itself may set it, and whether it is set in the value decoded. */
    public record Bit(String name, long value, boolean internal, boolean set) { }

    private static final String[] PUBLIC = {"FOLL_WRITE", "FOLL_GET", "FOLL_DUMP", "FOLL_FORCE", "FOLL_NOWAIT", "FOLL_NOFAULT", "FOLL_HWPOISON",
        "FOLL_ANON", "FOLL_LONGTERM", "FOLL_SPLIT_PMD", "FOLL_PCI_P2PDMA", "FOLL_INTERRUPTIBLE", "FOLL_HONOR_NUMA_FAULT"};
    private static final String[] INTERNAL = {"FOLL_TOUCH", "FOLL_TRIED", "FOLL_REMOTE", "FOLL_PIN", "FOLL_FAST_ONLY", "FOLL_UNLOCKABLE",
        "FOLL_MADV_POPULATE"};

    /** Every flag with whether {@code flags} has it, public ones first. */
    public static List<Bit> decode(long flags) {
        List<Bit> out = new ArrayList<>();
        for (int i = 0; i < PUBLIC.length; i++) out.add(new Bit(PUBLIC[i], 1L << i, false, (flags & (1L << i)) != 0));
        for (int i = 0; i < INTERNAL.length; i++) out.add(new Bit(INTERNAL[i], 1L << (16 + i), true, (flags & (1L << (16 + i))) != 0));
        return out;
    }

    /** "FOLL_FORCE|FOLL_TOUCH|FOLL_REMOTE", or "0". */
    public static String names(long flags) {
        StringBuilder b = new StringBuilder();
        for (Bit x : decode(flags)) if (x.set()) b.append(b.length() == 0 ? "" : "|").append(x.name());
        return b.length() == 0 ? "0" : b.toString();
    }
}
