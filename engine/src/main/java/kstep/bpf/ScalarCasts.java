package kstep.bpf;

/**
 * The verifier's casts of a scalar: a narrow load's zero extension (coerce_reg_to_size()), sign extension of
 * loads and moves (coerce_reg_to_size_sx(), coerce_subreg_to_size_sx()) and the byte swap of BPF_END
 * (scalar_byte_swap(), tracked through the tnum since Linux 6.18).
 */
final class ScalarCasts {
    private ScalarCasts() { }

    private static Tnum cast(Tnum t, int size) {
        long mask = size >= 8 ? -1L : (1L << (size * 8)) - 1;
        return new Tnum(t.value() & mask, t.mask() & mask);
    }

    /** coerce_reg_to_size(). */
    static void truncate(Scalar s, int size) {
        s.varOff = cast(s.varOff, size);
        long mask = (1L << (size * 8)) - 1;
        if ((s.umin & ~mask) == (s.umax & ~mask)) {
            s.umin &= mask;
            s.umax &= mask;
        } else {
            s.umin = 0;
            s.umax = mask;
        }
        s.smin = s.umin;
        s.smax = s.umax;
        if (size < 4) {
            s.s32min = Scalar.S32_MIN;
            s.s32max = Scalar.S32_MAX;
            s.u32min = 0;
            s.u32max = Scalar.U32_MAX;
        }
        s.sync();
    }

    private static long sx(long v, int size) {
        return switch (size) {
            case 1 -> (byte) v;
            case 2 -> (short) v;
            default -> (int) v;
        };
    }

    /** coerce_reg_to_size_sx(). */
    static void sext(Scalar s, int size) {
        if (s.varOff.isConst()) {
            long c = sx(s.varOff.value(), size);
            s.copyFrom(Scalar.known(c));
            return;
        }
        long lo32 = s.s32min, hi32 = s.s32max;
        if (size == 4 || (lo32 >= -(1L << (size * 8 - 1)) && hi32 <= (1L << (size * 8 - 1)) - 1)) {
            // the low 32 bits already fit the narrower signed type: sign extension keeps their range
            range(s, lo32, hi32);
            return;
        }
        int bits = size * 8;
        long topMax = (s.smax >>> bits) << bits, topMin = (s.smin >>> bits) << bits;
        if (topMax == topMin) {
            long a = sx(s.smax, size), b = sx(s.smin, size);
            long mx = Math.max(a, b), mn = Math.min(a, b);
            if ((mx >= 0) == (mn >= 0)) {
                s.smin = mn;
                s.s32min = (int) mn;
                s.smax = mx;
                s.s32max = (int) mx;
                s.umin = mn;
                s.u32min = (int) mn;
                s.umax = mx;
                s.u32max = (int) mx;
                s.varOff = Tnum.range(mn, mx);
                return;
            }
        }
        defaults(s, size);
    }

    /** The register holds a value of [lo, hi] (signed), in 64 and 32 bits. */
    private static void range(Scalar s, long lo, long hi) {
        s.smin = lo;
        s.smax = hi;
        s.s32min = (int) lo;
        s.s32max = (int) hi;
        boolean sameSign = (lo >= 0) == (hi >= 0);
        s.umin = sameSign ? lo : 0;
        s.umax = sameSign ? hi : -1L;
        // the low 32 bits do not change, nor do their unsigned bounds
        s.varOff = Tnum.UNKNOWN;
        s.sync();
    }

    private static void defaults(Scalar s, int size) {
        long lo = size == 1 ? Byte.MIN_VALUE : size == 2 ? Short.MIN_VALUE : Integer.MIN_VALUE;
        long hi = size == 1 ? Byte.MAX_VALUE : size == 2 ? Short.MAX_VALUE : Integer.MAX_VALUE;
        s.smin = lo;
        s.s32min = (int) lo;
        s.smax = hi;
        s.s32max = (int) hi;
        s.umin = 0;
        s.u32min = 0;
        s.umax = -1L;
        s.u32max = Scalar.U32_MAX;
        s.varOff = Tnum.UNKNOWN;
    }

    /** coerce_subreg_to_size_sx(): the 32-bit move's sign extension of the low 8 or 16 bits. */
    static void sextSubreg(Scalar s, int size) {
        if (s.varOff.subregIsConst()) {
            int c = (int) sx(s.varOff.value(), size);
            s.varOff = Tnum.constant(c & 0xffffffffL);
            s.s32min = s.s32max = c;
            s.u32min = s.u32max = c;
            return;
        }
        int bits = size * 8;
        int topMax = (s.s32max >>> bits) << bits, topMin = (s.s32min >>> bits) << bits;
        if (topMax == topMin) {
            int a = (int) sx(s.s32max, size), b = (int) sx(s.s32min, size);
            int mx = Math.max(a, b), mn = Math.min(a, b);
            if ((mx >= 0) == (mn >= 0)) {
                s.s32min = mn;
                s.s32max = mx;
                s.u32min = mn;
                s.u32max = mx;
                s.varOff = s.varOff.clearSubreg().or(Tnum.range(mn & 0xffffffffL, mx & 0xffffffffL).subreg());
                return;
            }
        }
        s.s32min = size == 1 ? Byte.MIN_VALUE : Short.MIN_VALUE;
        s.s32max = size == 1 ? Byte.MAX_VALUE : Short.MAX_VALUE;
        s.u32min = 0;
        s.u32max = Scalar.U32_MAX;
        s.varOff = s.varOff.clearSubreg().or(new Tnum(0, 0xffffffffL));
    }

    private static long swap(long v, int bits) {
        return switch (bits) {
            case 16 -> Short.reverseBytes((short) v) & 0xffffL;
            case 32 -> Integer.reverseBytes((int) v) & 0xffffffffL;
            default -> Long.reverseBytes(v);
        };
    }

    /** scalar_byte_swap(): on a little-endian machine to_be and bswap swap, to_le only truncates. */
    static void byteSwap(Scalar s, Insn in) {
        boolean alu64 = in.cls() == Insn.ALU64;
        boolean toLe = !in.srcX();
        int bits = in.imm();
        if (alu64 || !toLe) {
            s.varOff = new Tnum(swap(s.varOff.value(), bits), swap(s.varOff.mask(), bits));
            s.unbound();
        }
        if (bits == 16 || bits == 32) truncate(s, bits / 8);
        else s.sync();
    }
}
