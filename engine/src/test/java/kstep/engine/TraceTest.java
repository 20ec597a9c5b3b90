package kstep.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class TraceTest {
    private static final String LOOPS = String.join("\n",
        "int a;",
        "int b;",
        "void pinger(void) { for (;;) { a = a + 1; if (a % 7 == 0) cond_resched(); } }",
        "void ponger(void) { for (;;) { b = b + a; if (b > 1000) b = 0; cond_resched(); } }");

    @Test
    void everyStepRebuildsTheStateThatWasRecorded() {
        Program p = TestModels.program(LOOPS);
        Machine m = TestModels.machine(p);
        World init = TestModels.world(p, 2, new String[] {"ping", "0", "pinger"}, new String[] {"pong", "1", "ponger"},
            new String[] {"hog", "0", "cpu_hog"});
        Trace t = new Trace(m, init);
        World shadow = init.copy();
        List<StateHash> seen = new ArrayList<>();
        seen.add(StateHash.of(shadow));
        RandomPolicy rp = new RandomPolicy(7);
        for (int i = 0; i < 3 * Trace.CHECKPOINT_EVERY + 17; i++) {
            Choice c = rp.next(t.head(), m.enabled(t.head()), m);
            t.append(c, null);
            m.step(shadow, c, false);
            seen.add(StateHash.of(shadow));
        }
        Random r = new Random(3);
        for (int k = 0; k < 200; k++) {
            int n = r.nextInt(t.length() + 1);
            assertEquals(seen.get(n), StateHash.of(t.worldAt(n)), "step " + n);
        }
        for (int n = t.length(); n >= t.length() - 300; n--) assertEquals(seen.get(n), StateHash.of(t.worldAt(n)), "back to " + n);
    }

    @Test
    void truncatingDropsTheFutureAndRecordsAnotherOne() {
        Program p = TestModels.program(LOOPS);
        Machine m = TestModels.machine(p);
        World init = TestModels.world(p, 2, new String[] {"ping", "0", "pinger"}, new String[] {"pong", "1", "ponger"});
        Trace t = Runner.run(m, init, new RandomPolicy(1), null, 600, true).trace();
        StateHash at300 = StateHash.of(t.worldAt(300));
        t.truncate(300);
        assertEquals(300, t.length());
        assertEquals(at300, StateHash.of(t.head()));
        t.append(Choice.step(1), null);
        assertEquals(301, t.length());
        World expect = t.worldAt(300);
        m.step(expect, Choice.step(1), false);
        assertEquals(StateHash.of(expect), StateHash.of(t.worldAt(301)));
    }

    @Test
    void theSameSeedGivesTheSameTraceEventForEvent() {
        Program p = TestModels.program(LOOPS);
        Machine m = TestModels.machine(p);
        World init = TestModels.world(p, 2, new String[] {"ping", "0", "pinger"}, new String[] {"pong", "1", "ponger"});
        Trace a = Runner.run(m, init, new RandomPolicy(42), null, 2000, true).trace();
        Trace b = Runner.run(m, init, new RandomPolicy(42), null, 2000, true).trace();
        assertEquals(a.steps(), b.steps());
        Trace c = Runner.run(m, init, new RandomPolicy(43), null, 2000, true).trace();
        assertEquals(false, a.schedule().equals(c.schedule()), "another seed, another schedule");
    }
}
