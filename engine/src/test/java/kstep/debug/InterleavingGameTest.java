package kstep.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import kstep.engine.Choice;
import kstep.scenario.ScenarioLoader;
import kstep.scenario.Session;

class InterleavingGameTest {
    @Test
    void thePlayerDrivesAbbaIntoItsDeadlockAndCountsMovesAsTheExplorerDoes() {
        Session s = new Session(ScenarioLoader.loadSample("locks/abba"), "buggy");
        InterleavingGame g = new InterleavingGame(s, InterleavingGame.goalOf(s));
        assertEquals("deadlock", g.goal());
        assertEquals(0, s.length(), "the game starts from nothing: the player schedules every step");
        assertEquals(8, g.run(Choice.parse("cpu0"), 8));
        assertEquals(4, g.run(Choice.parse("cpu1"), 4));
        assertEquals(1, g.moves() - 1, "two runs so far");
        assertNull(g.reached());
        g.run(Choice.parse("cpu0"), 12);
        g.run(Choice.parse("cpu1"), 100);
        assertEquals("deadlock", g.reached().kind());
        assertEquals(4, g.moves());
        assertEquals(4, InterleavingGame.segments(g.shortest().schedule()), "the explorer needs four moves too");
        g.showShortest();
        assertEquals(g.shortest().schedule(), s.trace().schedule());
        assertEquals(s.cursor(), g.reached().step());
    }

    @Test
    void aRunStopsWhenItsChoiceIsNoLongerPossible() {
        Session s = new Session(ScenarioLoader.loadSample("locks/abba"), "buggy");
        InterleavingGame g = new InterleavingGame(s, "deadlock");
        int n = g.run(Choice.parse("cpu0"), 1000);
        assertEquals(s.length(), n);
        assertEquals(false, s.choices().contains(Choice.parse("cpu0")), "worker-ab ran to its end: cpu0 has nothing left to run");
    }
}
