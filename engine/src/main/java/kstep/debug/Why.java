package kstep.debug;

import java.util.ArrayList;
import java.util.List;

import kstep.engine.StepRecord;
import kstep.scenario.Session;

/**
 * "Why is it so": the steps that made a value what it is at the cursor, newest first: each write to the
 * object or field, with the CPU, the task and the model line that did it (for a lock's owner, who took it and
 * where; for a vPE's resident, which load or put).
 */
public final class Why {
    /** Step {@code step}: {@code task} on {@code cpu} at {@code where} did {@code what}. */
    public record Cause(int step, int cpu, String task, String where, String what) {
        @Override
        public String toString() {
            return "step " + step + "  " + (cpu < 0 ? "hw" : "cpu" + cpu) + "  " + task + "  " + where + "  " + what;
        }
    }

    private Why() { }

    /** Every write to {@code target} (an object or OBJECT.FIELD) up to step {@code upTo}, the latest first. */
    public static List<Cause> history(Session s, String target, int upTo) {
        Breakpoint w = Breakpoints.parse("watch " + target, s.worldAt(0));
        List<Cause> out = new ArrayList<>();
        for (int n = Math.min(upTo, s.length()); n >= 1; n--) {
            Debugger.Hit h = Debugger.at(s, List.of(w), n);
            if (h == null) continue;
            StepRecord r = s.trace().step(n);
            boolean model = r.where() != null && r.where() != kstep.lang.SourcePos.NONE;
            out.add(new Cause(n, r.cpu(), r.taskName(), model ? r.where().fileLine() : "the device", h.why()));
        }
        return out;
    }
}
