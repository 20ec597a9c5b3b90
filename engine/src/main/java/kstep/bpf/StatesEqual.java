package kstep.bpf;

/**
 * Whether a path's state is covered by a checkpoint already proven safe (states_equal(), func_states_equal(),
 * regsafe(), stacksafe() and check_ids()): live registers and slots only, imprecise scalars match anything,
 * precise ones by range, pointers by type, offset and range, ids consistently mapped. {@code exact} is the
 * EXACT comparison the infinite-loop check uses.
 */
final class StatesEqual {
    private final Verifier v;
    private final boolean exact;
    private final int[] oldIds = new int[600];
    private final int[] curIds = new int[600];
    private int used;
    private int tmpIdGen;

    StatesEqual(Verifier v, boolean exact) {
        this.v = v;
        this.exact = exact;
        this.tmpIdGen = v.idGen;
    }

    /** states_maybe_looping(): same frames, and the innermost frame's registers the same bit for bit. */
    static boolean maybeLooping(VerifierState old, VerifierState cur) {
        if (old.curframe != cur.curframe) return false;
        RegState[] a = old.cur().regs, b = cur.cur().regs;
        // memcmp() up to frameno: the ids too
        for (int i = 0; i < 11; i++) if (!sameBits(a[i], b[i]) || a[i].id != b[i].id) return false;
        return true;
    }

    /** The fields memcmp() compares up to the id (type, offset, the union, var_off, bounds). */
    private static boolean sameBits(RegState a, RegState b) {
        return a.type == b.type && a.maybeNull == b.maybeNull && a.off == b.off && a.range == b.range && a.map == b.map && a.memSize == b.memSize
            && sameScalar(a.s, b.s);
    }

    private static boolean sameScalar(Scalar a, Scalar b) {
        return a.varOff.equals(b.varOff) && a.smin == b.smin && a.smax == b.smax && a.umin == b.umin && a.umax == b.umax && a.s32min == b.s32min
            && a.s32max == b.s32max && a.u32min == b.u32min && a.u32max == b.u32max;
    }

    boolean states(VerifierState old, VerifierState cur) {
        if (old.curframe != cur.curframe) return false;
        // a speculative path's checkpoint never prunes a real one
        if (old.speculative && !cur.speculative) return false;
        for (int i = 0; i <= old.curframe; i++) {
            int insn = old.frameInsnIdx(i);
            if (old.frames.get(i).callsite != cur.frames.get(i).callsite) return false;
            if (!funcStates(old.frames.get(i), cur.frames.get(i), insn)) return false;
        }
        return true;
    }

    private boolean funcStates(FuncState old, FuncState cur, int insn) {
        int live = v.live.bits(insn);
        for (int i = 0; i < 11; i++) if ((live & (1 << i)) != 0 && !regsafe(old.regs[i], cur.regs[i])) return false;
        // the stack-args variant's outgoing slots: a callee still to read them sees the caller's values
        for (int i = 0; i < old.stackArgs.length; i++) if (!regsafe(old.stackArgs[i], cur.stackArgs[i])) return false;
        return stacksafe(old, cur);
    }

    /** check_ids(). */
    private boolean checkIds(int oldId, int curId) {
        if ((oldId != 0) != (curId != 0)) return false;
        if (oldId == 0) return true;
        for (int i = 0; i < used; i++) {
            if (oldIds[i] == oldId) return curIds[i] == curId;
            if (curIds[i] == curId) return false;
        }
        if (used == oldIds.length) return false;
        oldIds[used] = oldId;
        curIds[used] = curId;
        used++;
        return true;
    }

    private boolean checkScalarIds(int oldId, int curId) {
        oldId = oldId != 0 ? oldId : ++tmpIdGen;
        curId = curId != 0 ? curId : ++tmpIdGen;
        return checkIds(oldId, curId);
    }

    private static boolean rangeWithin(Scalar o, Scalar c) {
        return Long.compareUnsigned(o.umin, c.umin) <= 0 && Long.compareUnsigned(o.umax, c.umax) >= 0 && o.smin <= c.smin && o.smax >= c.smax
            && Integer.compareUnsigned(o.u32min, c.u32min) <= 0 && Integer.compareUnsigned(o.u32max, c.u32max) >= 0 && o.s32min <= c.s32min
            && o.s32max >= c.s32max;
    }

    private boolean regsExact(RegState o, RegState c) {
        return sameBits(o, c) && checkIds(o.id, c.id);
    }

    /** regsafe(). */
    boolean regsafe(RegState o, RegState c) {
        if (exact) return regsExact(o, c);
        if (o.type == RegType.NOT_INIT) return true;
        if (o.type != c.type || o.maybeNull != c.maybeNull) return false;
        switch (o.type) {
            case SCALAR -> {
                if (v.exploreAluLimits) return sameBits(o, c) && checkScalarIds(o.id, c.id);
                if (!o.precise) return true;
                // an old scalar without an id was independent: links in the current one only add constraints
                if (o.id != 0) {
                    if ((o.id & RegState.ADD_CONST) != (c.id & RegState.ADD_CONST)) return false;
                    if ((o.id & RegState.ADD_CONST) != 0 && o.off != c.off) return false;
                    if (!checkScalarIds(o.id, c.id)) return false;
                }
                return rangeWithin(o.s, c.s) && o.s.varOff.in(c.s.varOff);
            }
            case MAP_KEY, MAP_VALUE, MEM -> {
                return o.off == c.off && o.map == c.map && o.memSize == c.memSize && rangeWithin(o.s, c.s) && o.s.varOff.in(c.s.varOff)
                    && checkIds(o.id, c.id);
            }
            case PACKET, PACKET_META -> {
                if (o.range < 0 || c.range < 0) {
                    // at or beyond data_end: the same knowledge, or none
                    if (o.range != c.range) return false;
                } else if (o.range > c.range) {
                    return false;
                }
                if (o.off != c.off) return false;
                if (!checkIds(o.id, c.id)) return false;
                return rangeWithin(o.s, c.s) && o.s.varOff.in(c.s.varOff);
            }
            case STACK -> {
                return regsExact(o, c) && o.frameno == c.frameno;
            }
            default -> {
                return regsExact(o, c);
            }
        }
    }

    /** stacksafe(): byte by byte over the checkpoint's stack. */
    private boolean stacksafe(FuncState old, FuncState cur) {
        int oldSize = old.allocatedStack(), curSize = cur.allocatedStack();
        for (int i = 0; i < oldSize; i++) {
            int spi = i / 8, b = i % 8;
            StackSlot os = old.stack.get(spi);
            if (exact && (i >= curSize || os.types[b] != cur.stack.get(spi).types[b])) return false;
            if (os.types[b] == StackSlot.INVALID) continue;
            if (v.priv && os.types[b] == StackSlot.MISC) continue;
            if (i >= curSize) return false;
            StackSlot cs = cur.stack.get(spi);
            RegState oreg = scalarForStack(os, v.priv), creg = scalarForStack(cs, v.priv);
            if (oreg != null && creg != null) {
                if (!regsafe(oreg, creg)) return false;
                i += 7;
                continue;
            }
            if (os.types[b] == StackSlot.MISC && cs.types[b] == StackSlot.ZERO) continue;
            if (os.types[b] != cs.types[b]) return false;
            if (b != 7) continue;
            if (os.types[7] == StackSlot.SPILL) {
                if (!regsafe(os.spilled, cs.spilled)) return false;
            }
        }
        return true;
    }

    private static RegState scalarForStack(StackSlot s, boolean priv) {
        if (s.isSpilledScalar64()) return s.spilled;
        if (priv ? s.allMisc() : s.allMiscStrict()) {
            RegState r = new RegState();
            r.markUnknown();
            return r;
        }
        return null;
    }
}
