package kstep.bpf;

/**
 * A scalar register as the verifier tracks it (struct bpf_reg_state for SCALAR_VALUE): a tnum and signed
 * and unsigned 64- and 32-bit bounds, with the kernel's ALU transfer functions (kernel/bpf/verifier.c
 * adjust_scalar_min_max_vals() and the scalar(32)_min_max_* helpers), its bounds synchronisation
 * (reg_bounds_sync()) and its log text (print_scalar_ranges(): "scalar(smin=smin32=0,smax=umax=255,...)").
 */
public final class Scalar {
    static final long S64_MIN = Long.MIN_VALUE, S64_MAX = Long.MAX_VALUE, U64_MAX = -1L;
    static final int S32_MIN = Integer.MIN_VALUE, S32_MAX = Integer.MAX_VALUE, U32_MAX = -1;

    Tnum varOff;
    long smin, smax, umin, umax;
    int s32min, s32max, u32min, u32max;

    private Scalar() { }

    /** __mark_reg_unknown(): anything. */
    public static Scalar unknown() {
        Scalar s = new Scalar();
        s.varOff = Tnum.UNKNOWN;
        s.unbound64();
        s.unbound32();
        return s;
    }

    /** __mark_reg_known(): exactly {@code v}. */
    public static Scalar known(long v) {
        Scalar s = new Scalar();
        s.varOff = Tnum.constant(v);
        s.smin = s.smax = s.umin = s.umax = v;
        s.s32min = s.s32max = s.u32min = s.u32max = (int) v;
        return s;
    }

    public Scalar copy() {
        Scalar s = new Scalar();
        s.copyFrom(this);
        return s;
    }

    /** __mark_reg_unbounded(): no bounds at all, the tnum kept. */
    void unbound() {
        unbound64();
        unbound32();
    }

    private void unbound64() {
        smin = S64_MIN;
        smax = S64_MAX;
        umin = 0;
        umax = U64_MAX;
    }

    private void unbound32() {
        s32min = S32_MIN;
        s32max = S32_MAX;
        u32min = 0;
        u32max = U32_MAX;
    }

    static long umaxOf(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    static long uminOf(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }

    static int u32maxOf(int a, int b) {
        return Integer.compareUnsigned(a, b) >= 0 ? a : b;
    }

    static int u32minOf(int a, int b) {
        return Integer.compareUnsigned(a, b) <= 0 ? a : b;
    }

    // ---------------------------------------------------------------- bounds synchronisation
    private void updateBounds32() {
        Tnum v = varOff.subreg();
        s32min = Math.max(s32min, (int) (v.value() | (v.mask() & 0x80000000L)));
        s32max = Math.min(s32max, (int) (v.value() | (v.mask() & 0x7fffffffL)));
        u32min = u32maxOf(u32min, (int) v.value());
        u32max = u32minOf(u32max, (int) (v.value() | v.mask()));
    }

    private void updateBounds64() {
        smin = Math.max(smin, varOff.value() | (varOff.mask() & S64_MIN));
        smax = Math.min(smax, varOff.value() | (varOff.mask() & S64_MAX));
        umin = umaxOf(umin, varOff.value());
        umax = uminOf(umax, varOff.value() | varOff.mask());
        // the u64 range and the tnum may have a single value in common: then that is the value
        long next = varOff.step(umin);
        boolean uminIn = (umin & ~varOff.mask()) == varOff.value();
        long tmax = varOff.value() | varOff.mask();
        if (uminIn && Long.compareUnsigned(next, umax) > 0) {
            setKnown(umin);
        } else if (!uminIn && next == tmax) {
            setKnown(tmax);
        } else if (!uminIn && Long.compareUnsigned(next, umax) <= 0 && Long.compareUnsigned(varOff.step(next), umax) > 0) {
            setKnown(next);
        }
    }

    /** ___mark_reg_known(). */
    private void setKnown(long v) {
        varOff = Tnum.constant(v);
        smin = smax = umin = umax = v;
        s32min = s32max = u32min = u32max = (int) v;
    }

    void updateBounds() {
        updateBounds32();
        updateBounds64();
    }

    private void deduce32() {
        if ((umin >>> 32) == (umax >>> 32)) {
            u32min = u32maxOf(u32min, (int) umin);
            u32max = u32minOf(u32max, (int) umax);
            if ((int) umin <= (int) umax) {
                s32min = Math.max(s32min, (int) umin);
                s32max = Math.min(s32max, (int) umax);
            }
        }
        if ((smin >> 32) == (smax >> 32)) {
            if (Integer.compareUnsigned((int) smin, (int) smax) <= 0) {
                u32min = u32maxOf(u32min, (int) smin);
                u32max = u32minOf(u32max, (int) smax);
            }
            if ((int) smin <= (int) smax) {
                s32min = Math.max(s32min, (int) smin);
                s32max = Math.min(s32max, (int) smax);
            }
        }
        if ((int) (umin >>> 32) + 1 == (int) (umax >>> 32) && (int) umin < 0 && (int) umax >= 0) {
            s32min = Math.max(s32min, (int) umin);
            s32max = Math.min(s32max, (int) umax);
        }
        if ((int) (smin >> 32) + 1 == (int) (smax >> 32) && (int) smin < 0 && (int) smax >= 0) {
            s32min = Math.max(s32min, (int) smin);
            s32max = Math.min(s32max, (int) smax);
        }
        if (u32min <= u32max) {
            s32min = Math.max(s32min, u32min);
            s32max = Math.min(s32max, u32max);
        }
        if (Integer.compareUnsigned(s32min, s32max) <= 0) {
            u32min = u32maxOf(s32min, u32min);
            u32max = u32minOf(s32max, u32max);
        } else if (Integer.compareUnsigned(u32max, s32min) < 0) {
            // the s32 range crosses the sign boundary and the u32 range meets only its non-negative part
            s32min = u32min;
            u32max = u32minOf(u32max, s32max);
        } else if (Integer.compareUnsigned(s32max, u32min) < 0) {
            // ... or only its negative part
            s32max = u32max;
            u32min = u32maxOf(u32min, s32min);
        }
    }

    private void deduce64() {
        if (Long.compareUnsigned(smin, smax) <= 0) {
            umin = umaxOf(smin, umin);
            umax = uminOf(smax, umax);
        } else {
            if (Long.compareUnsigned(umax, smin) < 0) {
                smin = umin;
                umax = uminOf(umax, smax);
            } else if (Long.compareUnsigned(smax, umin) < 0) {
                smax = umax;
                umin = umaxOf(umin, smin);
            }
        }
        if (umin <= umax) {
            smin = Math.max(smin, umin);
            smax = Math.min(smax, umax);
        }
    }

    private void deduceMixed() {
        long newUmin = (umin & ~0xffffffffL) | (u32min & 0xffffffffL);
        long newUmax = (umax & ~0xffffffffL) | (u32max & 0xffffffffL);
        umin = umaxOf(umin, newUmin);
        umax = uminOf(umax, newUmax);
        long newSmin = (smin & ~0xffffffffL) | (u32min & 0xffffffffL);
        long newSmax = (smax & ~0xffffffffL) | (u32max & 0xffffffffL);
        smin = Math.max(smin, newSmin);
        smax = Math.min(smax, newSmax);
        if (s32min >= 0 && smin >= S32_MIN && smax <= S32_MAX) {
            smin = s32min;
            smax = s32max;
            umin = s32min;
            umax = s32max;
            varOff = varOff.intersect(Tnum.range(smin, smax));
        }
    }

    private void deduce() {
        deduce32();
        deduce64();
        deduceMixed();
    }

    private void boundOffset() {
        Tnum v64 = varOff.intersect(Tnum.range(umin, umax));
        Tnum v32 = v64.subreg().intersect(Tnum.range(u32min & 0xffffffffL, u32max & 0xffffffffL));
        varOff = v64.clearSubreg().or(v32);
    }

    /** reg_bounds_sync(). */
    void sync() {
        updateBounds();
        deduce();
        deduce();
        deduce();
        boundOffset();
        updateBounds();
    }

    // ---------------------------------------------------------------- ALU
    /** dst OP= src (src a known constant for BPF_K), as adjust_scalar_min_max_vals() does; {@code alu32} for the 32-bit class. */
    public void alu(int op, Scalar src, boolean alu32) {
        int bits = alu32 ? 32 : 64;
        if ((op == Insn.LSH || op == Insn.RSH || op == Insn.ARSH)) {
            boolean known = alu32 ? src.varOff.subregIsConst() : src.varOff.isConst();
            long amount = alu32 ? src.u32max & 0xffffffffL : src.umax;
            if (!known || Long.compareUnsigned(amount, bits) >= 0) {
                Scalar u = unknown();
                copyFrom(u);
                if (alu32) zext();
                sync();
                return;
            }
        }
        switch (op) {
            case Insn.ADD -> {
                add32(src);
                add64(src);
                varOff = varOff.add(src.varOff);
            }
            case Insn.SUB -> {
                sub32(src);
                sub64(src);
                varOff = varOff.sub(src.varOff);
            }
            case Insn.NEG -> {
                Scalar old = copy();
                copyFrom(known(0));
                sub32(old);
                sub64(old);
                varOff = old.varOff.neg();
            }
            case Insn.MUL -> {
                varOff = varOff.mul(src.varOff);
                mul32(src);
                mul64(src);
            }
            case Insn.AND -> {
                varOff = varOff.and(src.varOff);
                and32(src);
                and64(src);
            }
            case Insn.OR -> {
                varOff = varOff.or(src.varOff);
                or32(src);
                or64(src);
            }
            case Insn.XOR -> {
                varOff = varOff.xor(src.varOff);
                xor32(src);
                xor64(src);
            }
            case Insn.LSH -> {
                if (alu32) lsh32(src);
                else lsh64(src);
            }
            case Insn.RSH -> {
                if (alu32) rsh32(src);
                else rsh64(src);
            }
            case Insn.ARSH -> {
                if (alu32) arsh32(src);
                else arsh64(src);
            }
            default -> throw new IllegalArgumentException("not a scalar ALU operation: " + op);
        }
        if (alu32) zext();
        sync();
    }

    void copyFrom(Scalar s) {
        varOff = s.varOff;
        smin = s.smin;
        smax = s.smax;
        umin = s.umin;
        umax = s.umax;
        s32min = s.s32min;
        s32max = s.s32max;
        u32min = s.u32min;
        u32max = s.u32max;
    }

    /** zext_32_to_64(): a 32-bit result fills the register, upper half zero. */
    void zext() {
        varOff = varOff.subreg();
        umin = u32min & 0xffffffffL;
        umax = u32max & 0xffffffffL;
        if (s32min >= 0 && s32max >= 0) {
            smin = s32min;
            smax = s32max;
        } else {
            smin = 0;
            smax = 0xffffffffL;
        }
    }

    private void add32(Scalar s) {
        long a = (long) s32min + s.s32min, b = (long) s32max + s.s32max;
        if (a != (int) a || b != (int) b) {
            s32min = S32_MIN;
            s32max = S32_MAX;
        } else {
            s32min = (int) a;
            s32max = (int) b;
        }
        long lo = (u32min & 0xffffffffL) + (s.u32min & 0xffffffffL), hi = (u32max & 0xffffffffL) + (s.u32max & 0xffffffffL);
        boolean minOver = lo > 0xffffffffL, maxOver = hi > 0xffffffffL;
        u32min = (int) lo;
        u32max = (int) hi;
        if (!minOver && maxOver) {
            u32min = 0;
            u32max = U32_MAX;
        }
    }

    private void add64(Scalar s) {
        long a = smin + s.smin, b = smax + s.smax;
        boolean over = ((smin ^ a) & (s.smin ^ a)) < 0 || ((smax ^ b) & (s.smax ^ b)) < 0;
        if (over) {
            smin = S64_MIN;
            smax = S64_MAX;
        } else {
            smin = a;
            smax = b;
        }
        long lo = umin + s.umin, hi = umax + s.umax;
        boolean minOver = Long.compareUnsigned(lo, umin) < 0, maxOver = Long.compareUnsigned(hi, umax) < 0;
        umin = lo;
        umax = hi;
        if (!minOver && maxOver) {
            umin = 0;
            umax = U64_MAX;
        }
    }

    private void sub32(Scalar s) {
        long a = (long) s32min - s.s32max, b = (long) s32max - s.s32min;
        if (a != (int) a || b != (int) b) {
            s32min = S32_MIN;
            s32max = S32_MAX;
        } else {
            s32min = (int) a;
            s32max = (int) b;
        }
        boolean minUnder = Integer.compareUnsigned(u32min, s.u32max) < 0, maxUnder = Integer.compareUnsigned(u32max, s.u32min) < 0;
        u32min = u32min - s.u32max;
        u32max = u32max - s.u32min;
        if (minUnder && !maxUnder) {
            u32min = 0;
            u32max = U32_MAX;
        }
    }

    private void sub64(Scalar s) {
        long a = smin - s.smax, b = smax - s.smin;
        boolean over = ((smin ^ s.smax) & (smin ^ a)) < 0 || ((smax ^ s.smin) & (smax ^ b)) < 0;
        if (over) {
            smin = S64_MIN;
            smax = S64_MAX;
        } else {
            smin = a;
            smax = b;
        }
        boolean minUnder = Long.compareUnsigned(umin, s.umax) < 0, maxUnder = Long.compareUnsigned(umax, s.umin) < 0;
        umin = umin - s.umax;
        umax = umax - s.umin;
        if (minUnder && !maxUnder) {
            umin = 0;
            umax = U64_MAX;
        }
    }

    private void mul32(Scalar s) {
        long hi = (u32max & 0xffffffffL) * (s.u32max & 0xffffffffL), lo = (u32min & 0xffffffffL) * (s.u32min & 0xffffffffL);
        if (Long.compareUnsigned(hi, 0xffffffffL) > 0 || Long.compareUnsigned(lo, 0xffffffffL) > 0) {
            u32min = 0;
            u32max = U32_MAX;
        } else {
            u32max = (int) hi;
            u32min = (int) lo;
        }
        long[] p = {(long) s32min * s.s32min, (long) s32min * s.s32max, (long) s32max * s.s32min, (long) s32max * s.s32max};
        boolean over = false;
        for (long x : p) if (x != (int) x) over = true;
        if (over) {
            s32min = S32_MIN;
            s32max = S32_MAX;
        } else {
            s32min = (int) Math.min(Math.min(p[0], p[1]), Math.min(p[2], p[3]));
            s32max = (int) Math.max(Math.max(p[0], p[1]), Math.max(p[2], p[3]));
        }
    }

    private void mul64(Scalar s) {
        boolean uOver = mulOverflowsUnsigned(umax, s.umax) || mulOverflowsUnsigned(umin, s.umin);
        if (uOver) {
            umin = 0;
            umax = U64_MAX;
        } else {
            umax = umax * s.umax;
            umin = umin * s.umin;
        }
        long[][] pairs = {{smin, s.smin}, {smin, s.smax}, {smax, s.smin}, {smax, s.smax}};
        long lo = S64_MAX, hi = S64_MIN;
        boolean over = false;
        for (long[] q : pairs) {
            long r;
            try {
                r = Math.multiplyExact(q[0], q[1]);
            } catch (ArithmeticException e) {
                over = true;
                break;
            }
            lo = Math.min(lo, r);
            hi = Math.max(hi, r);
        }
        if (over) {
            smin = S64_MIN;
            smax = S64_MAX;
        } else {
            smin = lo;
            smax = hi;
        }
    }

    private static boolean mulOverflowsUnsigned(long a, long b) {
        return a != 0 && Long.compareUnsigned(Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a), 0) != 0;
    }

    private void signedFromUnsigned32() {
        if (u32min <= u32max) {
            s32min = u32min;
            s32max = u32max;
        } else {
            s32min = S32_MIN;
            s32max = S32_MAX;
        }
    }

    private void signedFromUnsigned64() {
        if (umin <= umax) {
            smin = umin;
            smax = umax;
        } else {
            smin = S64_MIN;
            smax = S64_MAX;
        }
    }

    private void and32(Scalar s) {
        Tnum v = varOff.subreg();
        if (s.varOff.subregIsConst() && varOff.subregIsConst()) {
            markKnown32((int) v.value());
            return;
        }
        u32min = (int) v.value();
        u32max = u32minOf(u32max, s.u32max);
        signedFromUnsigned32();
    }

    private void and64(Scalar s) {
        if (s.varOff.isConst() && varOff.isConst()) {
            copyFrom(known(varOff.value()));
            return;
        }
        umin = varOff.value();
        umax = uminOf(umax, s.umax);
        signedFromUnsigned64();
    }

    private void or32(Scalar s) {
        Tnum v = varOff.subreg();
        if (s.varOff.subregIsConst() && varOff.subregIsConst()) {
            markKnown32((int) v.value());
            return;
        }
        u32min = u32maxOf(u32min, s.u32min);
        u32max = (int) (v.value() | v.mask());
        signedFromUnsigned32();
    }

    private void or64(Scalar s) {
        if (s.varOff.isConst() && varOff.isConst()) {
            copyFrom(known(varOff.value()));
            return;
        }
        umin = umaxOf(umin, s.umin);
        umax = varOff.value() | varOff.mask();
        signedFromUnsigned64();
    }

    private void xor32(Scalar s) {
        Tnum v = varOff.subreg();
        if (s.varOff.subregIsConst() && varOff.subregIsConst()) {
            markKnown32((int) v.value());
            return;
        }
        u32min = (int) v.value();
        u32max = (int) (v.value() | v.mask());
        signedFromUnsigned32();
    }

    private void xor64(Scalar s) {
        if (s.varOff.isConst() && varOff.isConst()) {
            copyFrom(known(varOff.value()));
            return;
        }
        umin = varOff.value();
        umax = varOff.value() | varOff.mask();
        signedFromUnsigned64();
    }

    private void markKnown32(int v) {
        s32min = s32max = u32min = u32max = v;
    }

    private void lsh32Bounds(long minS, long maxS) {
        s32min = S32_MIN;
        s32max = S32_MAX;
        if (maxS > 31 || Long.compareUnsigned(u32max & 0xffffffffL, 1L << (31 - maxS)) > 0) {
            u32min = 0;
            u32max = U32_MAX;
        } else {
            u32min <<= minS;
            u32max <<= maxS;
        }
    }

    private void lsh32(Scalar s) {
        int mn = s.u32min, mx = s.u32max;
        Tnum sub = varOff.subreg();
        lsh32Bounds(mn & 0xffffffffL, mx & 0xffffffffL);
        varOff = sub.lshift(mn).subreg();
        unbound64();
        updateBounds32();
    }

    private void lsh64(Scalar s) {
        long mn = s.umin, mx = s.umax;
        if (mn == 32 && mx == 32 && s32max >= 0) smax = (long) s32max << 32;
        else smax = S64_MAX;
        if (mn == 32 && mx == 32 && s32min >= 0) smin = (long) s32min << 32;
        else smin = S64_MIN;
        if (Long.compareUnsigned(umax, 1L << (63 - mx)) > 0) {
            umin = 0;
            umax = U64_MAX;
        } else {
            umin <<= mn;
            umax <<= mx;
        }
        lsh32Bounds(mn, mx);
        varOff = varOff.lshift((int) mn);
        updateBounds();
    }

    private void rsh32(Scalar s) {
        Tnum sub = varOff.subreg();
        int mn = s.u32min, mx = s.u32max;
        s32min = S32_MIN;
        s32max = S32_MAX;
        varOff = sub.rshift(mn);
        u32min = u32min >>> mx;
        u32max = u32max >>> mn;
        unbound64();
        updateBounds32();
    }

    private void rsh64(Scalar s) {
        long mn = s.umin, mx = s.umax;
        smin = S64_MIN;
        smax = S64_MAX;
        varOff = varOff.rshift((int) mn);
        umin = umin >>> mx;
        umax = umax >>> mn;
        unbound32();
        updateBounds();
    }

    private void arsh32(Scalar s) {
        int mn = s.u32min;
        s32min = s32min >> mn;
        s32max = s32max >> mn;
        varOff = varOff.subreg().arshift(mn, 32);
        u32min = 0;
        u32max = U32_MAX;
        unbound64();
        updateBounds32();
    }

    private void arsh64(Scalar s) {
        int mn = (int) s.umin;
        smin >>= mn;
        smax >>= mn;
        varOff = varOff.arshift(mn, 64);
        umin = 0;
        umax = U64_MAX;
        unbound32();
        updateBounds();
    }

    // ---------------------------------------------------------------- the log's text
    /** The log prints a number in decimal when it fits in 16 bits (U16_MAX, S16_MIN..S16_MAX), else in hex. */
    static boolean unumDecimal(long v) {
        return Long.compareUnsigned(v, 0xffff) <= 0;
    }

    static boolean snumDecimal(long v) {
        return v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
    }

    static String unum(long v) {
        return unumDecimal(v) ? Long.toString(v) : "0x" + Long.toHexString(v);
    }

    static String snum(long v) {
        return snumDecimal(v) ? Long.toString(v) : "0x" + Long.toHexString(v);
    }

    /** The register's value as the verifier log prints it: "2", "0xffff8000", or "scalar(...)". */
    public String text() {
        if (varOff.isConst()) return snum(varOff.value());
        return "scalar(" + ranges("") + ")";
    }

    /** print_scalar_ranges() and the var_off part, each item after {@code sep} then ","; "" when nothing is known. */
    String ranges(String sep) {
        String[] names = {"smin", "smax", "umin", "umax", "smin32", "smax32", "umin32", "umax32"};
        long[] vals = {smin, smax, umin, umax,
            snumDecimal(s32min) ? s32min : s32min & 0xffffffffL, snumDecimal(s32max) ? s32max : s32max & 0xffffffffL,
            u32min & 0xffffffffL, u32max & 0xffffffffL};
        boolean[] omit = {smin == S64_MIN, smax == S64_MAX, umin == 0, umax == U64_MAX, s32min == S32_MIN, s32max == S32_MAX,
            u32min == 0, u32max == U32_MAX};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (omit[i]) continue;
            boolean neg1 = names[i].charAt(0) == 's' && vals[i] < 0;
            b.append(sep).append(names[i]).append('=');
            sep = ",";
            for (int j = i + 2; j < 8; j += 2) {
                if (omit[j] || vals[j] != vals[i]) continue;
                boolean neg2 = names[j].charAt(0) == 's' && vals[j] < 0;
                if (neg2 != neg1) continue;
                omit[j] = true;
                b.append(names[j]).append('=');
            }
            b.append(names[i].charAt(0) == 's' ? snum(vals[i]) : unum(vals[i]));
        }
        if (!varOff.isUnknown()) b.append(sep).append("var_off=").append(varOff.text());
        return b.toString();
    }
}
