package kstep.debug;

import java.util.List;

import kstep.engine.Finding;
import kstep.engine.StepRecord;
import kstep.engine.World;
import kstep.scenario.Session;

/**
 * One step as breakpoints see it: its record, and the worlds before and after it, replayed only when a
 * breakpoint asks (line, watch and event breakpoints read the record alone, so scanning a long trace is cheap).
 */
public final class StepContext {
    private final Session session;
    private final int n;
    private World before;
    private World after;

    StepContext(Session session, int n) {
        this.session = session;
        this.n = n;
    }

    public StepRecord record() {
        return session.trace().step(n);
    }

    public World before() {
        if (before == null) before = session.worldAt(n - 1);
        return before;
    }

    public World after() {
        if (after == null) after = session.worldAt(n);
        return after;
    }

    public List<Finding> findings() {
        return session.findings();
    }
}
