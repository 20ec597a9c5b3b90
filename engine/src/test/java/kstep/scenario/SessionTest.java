package kstep.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import kstep.engine.Choice;
import kstep.engine.StateHash;

class SessionTest {
    static final Scenario SAMPLE = ScenarioLoader.loadSample("vgic/doorbell-preemption");

    @Test
    void steppingBackAndForthGivesIdenticalStates() {
        Session s = new Session(SAMPLE, "buggy");
        assertEquals(0, s.cursor());
        StateHash[] forward = new StateHash[s.length() + 1];
        forward[0] = StateHash.of(s.world());
        while (s.stepForward()) forward[s.cursor()] = StateHash.of(s.world());
        assertEquals(s.length(), s.cursor());
        assertFalse(s.stepForward(), "the end of a scripted trace");
        while (s.stepBack()) assertEquals(forward[s.cursor()], StateHash.of(s.world()), "back at " + s.cursor());
        s.jump(117);
        assertEquals(forward[117], StateHash.of(s.world()));
    }

    @Test
    void nextFindingJumpsToTheFindingStep() {
        Session s = new Session(SAMPLE, "buggy");
        assertTrue(s.nextFinding());
        assertEquals(s.findings().get(0).step(), s.cursor());
        assertEquals(1, s.findingsSoFar().size());
        s.stepBack();
        assertTrue(s.findingsSoFar().isEmpty());
        assertTrue(s.nextFinding());
        assertFalse(s.nextFinding(), "there is only one");
    }

    @Test
    void switchingVariantKeepsTheCursorAndReplaysTheScript() {
        Session s = new Session(SAMPLE, "buggy");
        s.jump(100);
        s.switchVariant("fixed");
        assertEquals("fixed", s.variant());
        assertEquals(100, s.cursor());
        assertTrue(s.findings().isEmpty());
        assertEquals(kstep.engine.Runner.Outcome.END, s.outcome());
    }

    @Test
    void interactiveChoicesReplaceTheFuture() {
        Session s = new Session(SAMPLE, "buggy");
        s.jump(10);
        s.interactive();
        List<Choice> cs = s.choices();
        assertEquals(List.of(Choice.step(0), Choice.event("msi")), cs, "the vCPU thread steps, or the device fires");
        s.choose(Choice.step(0));
        assertEquals(11, s.cursor());
        assertEquals(11, s.length(), "the rest of the script was dropped");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.choose(Choice.irq(0)));
        assertEquals("irq:cpu0 is not possible here: no interrupt is pending on cpu0", e.getMessage());
        assertTrue(s.stepForward(), "at the end of an interactive trace, step forward takes the first choice");
        assertEquals(12, s.length());
    }

    @Test
    void interactiveSchedulesReplayOnTheOtherVariant() {
        Session s = new Session(SAMPLE, "buggy");
        s.jump(50);
        s.interactive();
        s.choose(Choice.step(0));
        List<Choice> before = s.trace().schedule();
        s.switchVariant("fixed");
        assertEquals(before.subList(0, Math.min(before.size(), s.length())), s.trace().schedule());
    }

    @Test
    void notesComeFromTheScriptAndTheLastOneStaysInView() {
        Session s = new Session(SAMPLE, "buggy");
        int first = s.lastNoteStep(s.length());
        assertTrue(first > 0);
        assertTrue(s.noteAt(s.length()).startsWith("The passthrough NIC raises its MSI"));
        int noted = 0;
        for (int i = 1; i <= s.length(); i++) if (!s.noteAt(i).isEmpty()) noted++;
        assertEquals(6, noted, "six script lines with notes run before the finding stops the run");
        assertEquals(s.lastNoteStep(100), s.lastNoteStep(s.lastNoteStep(100)));
    }

    @Test
    void aCopyHasTheSameTraceAndCursorAndMovesOnItsOwn() {
        Session s = new Session(ScenarioLoader.loadSample("locks/abba"), "buggy");
        for (String c : List.of("cpu1", "cpu0", "cpu1")) s.choose(Choice.parse(c));
        s.jump(2);
        Session c = s.copy();
        assertEquals(Session.Mode.INTERACTIVE, c.mode());
        assertEquals(2, c.cursor());
        assertEquals(s.trace().schedule(), c.trace().schedule());
        for (int n = 0; n <= s.length(); n++) assertEquals(StateHash.of(s.worldAt(n)), StateHash.of(c.worldAt(n)));
        c.jump(0);
        assertEquals(2, s.cursor(), "the original stays where it was");
        Session seeded = new Session(ScenarioLoader.loadSample("locks/abba"), "fixed");
        seeded.seeded(11);
        assertEquals(seeded.trace().schedule(), seeded.copy().trace().schedule());
        assertEquals(11, seeded.copy().seed());
    }
}
