package kstep.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ExplorerTest {
    private static final String RACY = String.join("\n",
        "int counter;",
        "int finished;",
        "void worker(void) {",
        "#ifdef ATOMIC",
        "\tatomic {",
        "#endif",
        "\tint tmp = counter;",
        "\tcounter = tmp + 1;",
        "#ifdef ATOMIC",
        "\t}",
        "#endif",
        "\tatomic {",
        "\t\tfinished++;",
        "\t\tif (finished == 2)",
        "\t\t\tWARN_ON(counter != 2);",
        "\t}",
        "}");

    private static World twoWorkers(Program p) {
        return TestModels.world(p, 2, new String[] {"a", "0", "worker"}, new String[] {"b", "1", "worker"});
    }

    @Test
    void findsTheLostUpdateWithAShortestSchedule() {
        Program p = TestModels.program(RACY);
        Explorer.Result r = Explorer.explore(TestModels.machine(p), twoWorkers(p), 50, null, 100_000);
        assertNotNull(r.finding());
        assertEquals("warning", r.finding().kind());
        // both read 0 before either writes: six steps is the fewest that lose an update; breadth-first order
        // (cpu0 before cpu1 at every depth) makes this the one found
        assertEquals(List.of(Choice.step(0), Choice.step(1), Choice.step(0), Choice.step(0), Choice.step(1), Choice.step(1)), r.schedule());
        assertEquals(6, r.finding().step());
        assertTrue(r.finding().message().startsWith("------------[ cut here ]------------\nWARNING: CPU: 1 PID: 101 at test.kc:15 worker"));
    }

    @Test
    void theReplayedScheduleReachesTheSameFinding() {
        Program p = TestModels.program(RACY);
        Machine m = TestModels.machine(p);
        Explorer.Result r = Explorer.explore(m, twoWorkers(p), 50, null, 100_000);
        Runner.Result run = Runner.run(m, twoWorkers(p), new ListPolicy(r.schedule()), null, 100, true);
        assertEquals(Runner.Outcome.FINDING, run.outcome());
        assertEquals(r.finding(), run.trace().findings().get(0));
    }

    @Test
    void exhaustsTheSpaceWhenTheUpdateIsAtomic() {
        Program p = TestModels.program(RACY, "ATOMIC");
        Explorer.Result r = Explorer.explore(TestModels.machine(p), twoWorkers(p), 50, null, 100_000);
        assertNull(r.finding());
        assertTrue(r.exhausted());
        assertEquals(0, r.frontierAtBound(), "every reachable state was visited, not just the first 50 steps");
        assertTrue(r.exploredStates() > 10);
    }

    @Test
    void aTightBoundIsReportedAsABoundedSearch() {
        Program p = TestModels.program(RACY);
        Explorer.Result r = Explorer.explore(TestModels.machine(p), twoWorkers(p), 4, null, 100_000);
        assertNull(r.finding(), "no schedule of 4 steps loses the update");
        assertTrue(r.exhausted());
        assertTrue(r.frontierAtBound() > 0);
    }
}
