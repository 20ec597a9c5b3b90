package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The arg-tracking lattice's joins and transfers, as the stack-arguments series describes them. */
class ArgTrackTest {
    private static final ArgTrack NONE = ArgTrack.NONE_VALUE;

    @Test
    void aMergePointKeepsEveryOffsetOfTheSameFrameSorted() {
        assertEquals("fp0-16|fp0-8", ArgTrack.join(ArgTrack.single(0, -8), ArgTrack.single(0, -16)).toString());
        assertEquals("fp0-8", ArgTrack.join(ArgTrack.single(0, -8), ArgTrack.single(0, -8)).toString());
    }

    @Test
    void aFifthOffsetLosesTheOffsetButKeepsTheFrame() {
        ArgTrack a = ArgTrack.single(1, -8);
        for (int off = -16; off >= -32; off -= 8) a = ArgTrack.join(a, ArgTrack.single(1, off));
        assertEquals("fp1-32|fp1-24|fp1-16|fp1-8", a.toString());
        assertEquals("fp1 ?", ArgTrack.join(a, ArgTrack.single(1, -40)).toString());
    }

    @Test
    void aPointerMeetingNoPointerGainsAFakeZeroOffsetSoItIsNeverACertainWrite() {
        assertEquals("fp0-8|fp0+0", ArgTrack.join(ArgTrack.single(0, -8), NONE).toString());
        assertEquals("fp0-8|fp0+0", ArgTrack.join(NONE, ArgTrack.single(0, -8)).toString());
        assertEquals("_", ArgTrack.join(NONE, NONE).toString());
    }

    @Test
    void differentFramesBecomeAMaskOfFrames() {
        ArgTrack j = ArgTrack.join(ArgTrack.single(0, -8), ArgTrack.single(2, -8));
        assertEquals("IMP5", j.toString());
        assertEquals("IMP7", ArgTrack.join(j, ArgTrack.single(1, -16)).toString());
    }

    @Test
    void whatTheDataflowHasNotReachedIsNoConstraint() {
        assertEquals("fp0-8", ArgTrack.join(ArgTrack.UNVISITED_VALUE, ArgTrack.single(0, -8)).toString());
        assertEquals("?", ArgTrack.UNVISITED_VALUE.toString());
    }

    @Test
    void arithmeticOnAPointerKeepsItsFrameAndLosesItsOffset() {
        assertEquals("fp0 ?", ArgTrack.alu64(ArgTrack.single(0, -8), NONE).toString());
        assertEquals("fp1 ?", ArgTrack.alu64(NONE, ArgTrack.single(1, -8)).toString());
        assertEquals("IMP3", ArgTrack.alu64(ArgTrack.single(0, -8), ArgTrack.single(1, -8)).toString());
        assertEquals("_", ArgTrack.alu64(NONE, NONE).toString());
    }

    @Test
    void addingAConstantMovesEveryOffsetUnlessOneLeavesSixteenBits() {
        ArgTrack two = ArgTrack.join(ArgTrack.single(0, -8), ArgTrack.single(0, -16));
        assertEquals("fp0-12|fp0-4", two.plus(4).toString());
        assertEquals("fp0 ?", two.plus(40000).toString());
        assertEquals("fp0 ?", ArgTrack.single(0, -32000).plus(-1000).toString());
    }
}
