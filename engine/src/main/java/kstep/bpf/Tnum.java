package kstep.bpf;

/**
 * A tracked number (kernel/bpf/tnum.c): the bits of {@code value} are known where {@code mask} is 0 and
 * unknown where it is 1. The operations are the kernel's, so the verifier's view of a scalar is its view.
 */
public record Tnum(long value, long mask) {
    public static final Tnum UNKNOWN = new Tnum(0, -1L);

    public static Tnum constant(long v) {
        return new Tnum(v, 0);
    }

    /** The smallest tnum holding every value of [min, max] (unsigned). */
    public static Tnum range(long min, long max) {
        long chi = min ^ max;
        int bits = 64 - Long.numberOfLeadingZeros(chi);
        if (bits > 63) return UNKNOWN;
        long delta = (1L << bits) - 1;
        return new Tnum(min & ~delta, delta);
    }

    public boolean isConst() {
        return mask == 0;
    }

    public boolean isUnknown() {
        return mask == -1L;
    }

    public Tnum lshift(int s) {
        return new Tnum(value << s, mask << s);
    }

    public Tnum rshift(int s) {
        return new Tnum(value >>> s, mask >>> s);
    }

    /** Arithmetic shift right, of the low 32 bits (zero-extended) when {@code bits} is 32. */
    public Tnum arshift(int s, int bits) {
        if (bits == 32) return new Tnum((((int) value) >> s) & 0xffffffffL, (((int) mask) >> s) & 0xffffffffL);
        return new Tnum(value >> s, mask >> s);
    }

    public Tnum add(Tnum b) {
        long sm = mask + b.mask, sv = value + b.value, sigma = sm + sv, chi = sigma ^ sv, mu = chi | mask | b.mask;
        return new Tnum(sv & ~mu, mu);
    }

    public Tnum sub(Tnum b) {
        long dv = value - b.value, alpha = dv + mask, beta = dv - b.mask, chi = alpha ^ beta, mu = chi | mask | b.mask;
        return new Tnum(dv & ~mu, mu);
    }

    public Tnum neg() {
        return constant(0).sub(this);
    }

    public Tnum and(Tnum b) {
        long alpha = value | mask, beta = b.value | b.mask, v = value & b.value;
        return new Tnum(v, alpha & beta & ~v);
    }

    public Tnum or(Tnum b) {
        long v = value | b.value, mu = mask | b.mask;
        return new Tnum(v, mu & ~v);
    }

    public Tnum xor(Tnum b) {
        long v = value ^ b.value, mu = mask | b.mask;
        return new Tnum(v & ~mu, mu);
    }

    /**
     * Long multiplication bit by bit (Linux 6.18's tnum_mul()): a known 1 in {@code this} adds the shifted
     * {@code b}; an unknown bit makes the sum either what it was or that plus {@code b}, their union.
     */
    public Tnum mul(Tnum b) {
        Tnum acc = constant(0);
        Tnum a = this;
        while (a.value != 0 || a.mask != 0) {
            if ((a.value & 1) != 0) acc = acc.add(b);
            else if ((a.mask & 1) != 0) acc = acc.union(acc.add(b));
            a = a.rshift(1);
            b = b.lshift(1);
        }
        return acc;
    }

    /** The smallest tnum holding every value of both. */
    public Tnum union(Tnum b) {
        long v = value & b.value, mu = (value ^ b.value) | mask | b.mask;
        return new Tnum(v & ~mu, mu);
    }

    public Tnum intersect(Tnum b) {
        long v = value | b.value, mu = mask & b.mask;
        return new Tnum(v & ~mu, mu);
    }

    /** The low 32 bits. */
    public Tnum subreg() {
        return new Tnum(value & 0xffffffffL, mask & 0xffffffffL);
    }

    public Tnum clearSubreg() {
        return rshift(32).lshift(32);
    }

    public boolean subregIsConst() {
        return (mask & 0xffffffffL) == 0;
    }

    /** Whether the concrete value {@code v} is one this tnum allows. */
    public boolean contains(long v) {
        return (v & ~mask) == value;
    }

    /** tnum_strn(): "(0x0; 0xff)", the kernel's %#llx printing 0 as 0x0. */
    public String text() {
        return "(0x" + Long.toHexString(value) + "; 0x" + Long.toHexString(mask) + ")";
    }

    /** tnum_in(): every value {@code b} allows, this one allows too. */
    public boolean in(Tnum b) {
        if ((b.mask & ~mask) != 0) return false;
        return value == (b.value & ~mask);
    }

    /** tnum_is_aligned(). */
    public boolean isAligned(long size) {
        if (size == 0) return true;
        return ((value | mask) & (size - 1)) == 0;
    }

    /** tnum_step(): the smallest value of this tnum above {@code z}, wrapping to the smallest one when there is none. */
    public long step(long z) {
        long tmax = value | mask;
        if (Long.compareUnsigned(z, tmax) >= 0) return tmax;
        if (Long.compareUnsigned(z, value) < 0) return value;
        long w = z + 1;
        long x = 0;
        int bump = -1;
        long bumpPrefix = 0;
        for (int i = 63; i >= 0; i--) {
            long b = 1L << i;
            long wb = w & b;
            if ((mask & b) != 0) {
                if (wb == 0) {
                    bump = i;
                    bumpPrefix = x;
                }
                x |= wb;
            } else {
                long fb = value & b;
                if (fb == wb) {
                    x |= fb;
                    continue;
                }
                if (fb != 0) return x | fb | (value & (b - 1));
                if (bump < 0) return value;
                long bb = 1L << bump;
                return bumpPrefix | bb | (value & (bb - 1));
            }
        }
        return x;
    }
}
