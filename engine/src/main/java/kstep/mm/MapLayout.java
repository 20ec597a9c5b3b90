package kstep.mm;

import java.util.List;

/**
 * Where the address-space map draws each VMA, in layout units along one axis. Linear mode is to scale, one
 * unit a page, except that a gap longer than {@link #COLLAPSE_PAGES} is drawn as a fixed break; log mode
 * gives each VMA log2(pages) + 1 units and every gap a break, so a 4 KiB guard page and a 1 GiB heap both
 * show. Computed in one pass, so it stays cheap at sysctl_max_map_count VMAs.
 */
public final class MapLayout {
    /** Gaps up to this many pages are drawn to scale in linear mode. */
    public static final long COLLAPSE_PAGES = 64;
    /** The width of a collapsed gap. */
    public static final double BREAK = 6;
    /** The least width of a VMA, so one page stays visible. */
    public static final double MIN = 1;

    public enum Mode { LINEAR, LOG }

    private final double[] from;
    private final double[] to;
    private final double[] gapAt;
    private final long[] gapPages;
    private final double total;

    private MapLayout(double[] from, double[] to, double[] gapAt, long[] gapPages, double total) {
        this.from = from;
        this.to = to;
        this.gapAt = gapAt;
        this.gapPages = gapPages;
        this.total = total;
    }

    public static MapLayout of(List<Vma> vmas, Mode mode) {
        int n = vmas.size();
        double[] from = new double[n];
        double[] to = new double[n];
        double[] gapAt = new double[n];
        long[] gapPages = new long[n];
        double x = 0;
        long prevEnd = -1;
        for (int i = 0; i < n; i++) {
            Vma v = vmas.get(i);
            if (prevEnd >= 0 && v.start > prevEnd) {
                long gap = (v.start - prevEnd) >>> AddressSpace.PAGE_SHIFT;
                gapPages[i] = gap;
                gapAt[i] = x;
                x += mode == Mode.LINEAR && gap <= COLLAPSE_PAGES ? gap : BREAK;
            } else {
                gapAt[i] = -1;
            }
            double w = mode == Mode.LINEAR ? Math.max(MIN, v.pages()) : Math.log(v.pages()) / Math.log(2) + 1;
            from[i] = x;
            to[i] = x + w;
            x += w;
            prevEnd = v.end;
        }
        return new MapLayout(from, to, gapAt, gapPages, x);
    }

    public int size() {
        return from.length;
    }

    public double from(int i) {
        return from[i];
    }

    public double to(int i) {
        return to[i];
    }

    /** Where the gap before VMA {@code i} starts, or -1 when it touches the one before. */
    public double gapAt(int i) {
        return gapAt[i];
    }

    /** The pages of the gap before VMA {@code i}. */
    public long gapPages(int i) {
        return gapPages[i];
    }

    /** Whether the gap before VMA {@code i} is drawn as a break rather than to scale. */
    public boolean collapsed(int i, Mode mode) {
        return gapAt[i] >= 0 && (mode == Mode.LOG || gapPages[i] > COLLAPSE_PAGES);
    }

    public double total() {
        return total;
    }

    /** The first VMA whose extent ends after {@code x} (binary search), for drawing only what is visible. */
    public int firstEndingAfter(double x) {
        int lo = 0;
        int hi = to.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (to[mid] <= x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** The VMA drawn at {@code x}, or -1. */
    public int at(double x) {
        int i = firstEndingAfter(x);
        return i < from.length && from[i] <= x ? i : -1;
    }
}
