package kstep.views;

import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kstep.engine.Event;
import kstep.engine.Finding;
import kstep.engine.Program;
import kstep.engine.StepRecord;
import kstep.engine.Trace;
import kstep.engine.World;

/**
 * Everything a view draws for one step, read-only: the World at the step and the one before (for what
 * changed), the step's record, the findings so far, the note to show (written for step {@code noteStep}, this
 * step or the last one before it that has a note), the program and which model lines differ
 * between the scenario's variants, and the trace (for views that look back: since when a lock is held).
 */
public record StepView(int step, int length, World world, World previous, StepRecord record, List<Finding> findings,
                       String note, int noteStep, Program program, Map<String, BitSet> differingLines, String variant,
                       Trace trace) {

    /** The events of this step (none at step 0). */
    public List<Event> events() {
        return record == null ? List.of() : record.events();
    }

    /** "vpe0.resident", "cpu0.preempt_count", "vcpu0", "cpu0": subjects and subject.field pairs that changed. */
    public Set<String> changed() {
        Set<String> out = new HashSet<>();
        for (Event e : events()) {
            out.add(e.subject());
            if (e.field() != null) out.add(e.subject() + "." + e.field());
        }
        return out;
    }

    public boolean changed(String subject) {
        for (Event e : events()) if (e.subject().equals(subject)) return true;
        return false;
    }

    public boolean changed(String subject, String field) {
        for (Event e : events()) if (e.subject().equals(subject) && field.equals(e.field())) return true;
        return false;
    }
}
