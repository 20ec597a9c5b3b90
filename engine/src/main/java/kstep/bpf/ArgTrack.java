package kstep.bpf;

import java.util.Arrays;

/**
 * One value of the arg-tracking dataflow (struct arg_track of kernel/bpf/liveness.c in the stack-arguments
 * series): where a register, spill slot or stack-argument slot may point. The lattice, from most to least
 * precise: a frame with up to four byte offsets from its frame pointer, a frame with an unknown offset
 * ({@code offs} empty), a set of frames ({@link #IMPRECISE} with {@code mask}), and {@link #NONE} (not
 * derived from any frame pointer). {@link #UNVISITED} marks what the dataflow has not reached yet.
 */
public record ArgTrack(int frame, int mask, short[] offs) {
    public static final int NONE = -1, UNVISITED = -2, IMPRECISE = -3;
    /** MAX_ARG_OFFSETS. */
    static final int MAX_OFFSETS = 4;

    static final ArgTrack NONE_VALUE = new ArgTrack(NONE, 0, new short[0]);
    static final ArgTrack UNVISITED_VALUE = new ArgTrack(UNVISITED, 0, new short[0]);

    static ArgTrack single(int frame, int off) {
        return new ArgTrack(frame, 0, new short[] {(short) off});
    }

    static ArgTrack frameUnknownOffset(int frame) {
        return new ArgTrack(frame, 0, new short[0]);
    }

    static ArgTrack imprecise(int mask) {
        return new ArgTrack(IMPRECISE, mask, new short[0]);
    }

    public boolean visited() {
        return frame != UNVISITED;
    }

    /** arg_is_fp(): derived from some frame's pointer. */
    public boolean isFp() {
        return frame >= 0 || frame == IMPRECISE;
    }

    int offCnt() {
        return offs.length;
    }

    /** verbose_arg_track(): "_", "?", "IMP3", "fp0 ?", "fp0-8|fp0+0". */
    @Override
    public String toString() {
        switch (frame) {
            case NONE: return "_";
            case UNVISITED: return "?";
            case IMPRECISE: return "IMP" + Integer.toHexString(mask);
            default:
                if (offs.length == 0) return "fp" + frame + " ?";
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < offs.length; i++) {
                    if (i > 0) b.append('|');
                    b.append("fp").append(frame).append(offs[i] >= 0 ? "+" : "").append(offs[i]);
                }
                return b.toString();
        }
    }

    /** arg_track_eq(). */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ArgTrack b)) return false;
        if (frame != b.frame) return false;
        if (frame == IMPRECISE) return mask == b.mask;
        if (frame < 0) return true;
        return Arrays.equals(offs, b.offs);
    }

    @Override
    public int hashCode() {
        return frame * 31 + (frame == IMPRECISE ? mask : frame >= 0 ? Arrays.hashCode(offs) : 0);
    }

    /** arg_merge_offsets(): the sorted union, or the frame with an unknown offset past four. */
    static ArgTrack mergeOffsets(ArgTrack a, ArgTrack b) {
        short[] out = new short[MAX_OFFSETS];
        int i = 0, j = 0, k = 0;
        while (i < a.offs.length || j < b.offs.length) {
            short v;
            if (j >= b.offs.length || (i < a.offs.length && a.offs[i] <= b.offs[j])) {
                v = a.offs[i++];
                if (j < b.offs.length && v == b.offs[j]) j++;
            } else {
                v = b.offs[j++];
            }
            if (k > 0 && out[k - 1] == v) continue;
            if (k >= MAX_OFFSETS) return frameUnknownOffset(a.frame);
            out[k++] = v;
        }
        return new ArgTrack(a.frame, 0, Arrays.copyOf(out, k));
    }

    /** arg_join_imprecise(): every frame either side may point into. */
    static ArgTrack joinImprecise(ArgTrack a, ArgTrack b) {
        int m = 0;
        if (a.frame >= 0) m |= 1 << a.frame;
        else if (a.frame == IMPRECISE) m |= a.mask;
        if (b.frame >= 0) m |= 1 << b.frame;
        else if (b.frame == IMPRECISE) m |= b.mask;
        return imprecise(m);
    }

    /** __arg_track_join(): the least value covering both, at a merge point. */
    static ArgTrack join(ArgTrack a, ArgTrack b) {
        if (!b.visited()) return a;
        if (!a.visited()) return b;
        if (a.frame == b.frame && a.frame >= 0) {
            if (a.offs.length == 0 || b.offs.length == 0) return frameUnknownOffset(a.frame);
            return mergeOffsets(a, b);
        }
        if (a.frame == NONE && b.frame == NONE) return a;
        // a single fp-N joined with "not a pointer" gains a fake fp+0: still a possible read, never a certain write
        if (a.frame >= 0 && b.frame == NONE) return a.offs.length == 1 ? mergeOffsets(a, single(a.frame, 0)) : a;
        if (b.frame >= 0 && a.frame == NONE) return b.offs.length == 1 ? mergeOffsets(b, single(b.frame, 0)) : b;
        return joinImprecise(a, b);
    }

    /** arg_track_alu64(): {@code dst op= src} for an operation that loses the offset. */
    static ArgTrack alu64(ArgTrack dst, ArgTrack src) {
        if (dst.frame >= 0 && (src.frame == NONE || src.frame == dst.frame)) return frameUnknownOffset(dst.frame);
        if (src.frame >= 0 && dst.frame == NONE) return frameUnknownOffset(src.frame);
        if (dst.frame == NONE && src.frame == NONE) return dst;
        return joinImprecise(dst, src);
    }

    /** arg_padd(): every offset moved by {@code delta}; any that leaves s16 loses them all. */
    ArgTrack plus(long delta) {
        if (frame < 0 || offs.length == 0) return this;
        short[] out = new short[offs.length];
        for (int i = 0; i < offs.length; i++) {
            long v = offs[i] + delta;
            if (delta != (short) delta || v != (short) v) return frameUnknownOffset(frame);
            out[i] = (short) v;
        }
        return new ArgTrack(frame, 0, out);
    }
}
