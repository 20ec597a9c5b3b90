package kstep.scenario;

import java.util.ArrayList;
import java.util.List;

import kstep.engine.Choice;
import kstep.engine.Finding;
import kstep.engine.ListPolicy;
import kstep.engine.RandomPolicy;
import kstep.engine.Runner;
import kstep.engine.SchedulePolicy;
import kstep.engine.StepRecord;
import kstep.engine.Trace;
import kstep.engine.World;

/**
 * What the window shows: one variant of a scenario, its trace and a cursor on it. The trace is recorded
 * ahead (script, seed or a given schedule); moving the cursor only rebuilds Worlds from the trace, so going
 * back and forth is exact. In interactive mode the user's choices extend the trace from the cursor, dropping
 * the old future. Switching variant replays the same schedule on the other kernel.
 */
public final class Session {
    /** Where the trace's choices come from. */
    public enum Mode { SCRIPT, SEED, INTERACTIVE }

    private final Scenario scenario;
    private Instance inst;
    private Trace trace;
    private Runner.Outcome outcome;
    private Mode mode;
    private long seed;
    private int cursor;
    private int maxSteps = 20_000;

    public Session(Scenario scenario, String variant) {
        this.scenario = scenario;
        this.inst = scenario.instantiate(variant);
        this.mode = inst.hasScript() ? Mode.SCRIPT : Mode.SEED;
        record(null);
    }

    private void record(List<Choice> replay) {
        SchedulePolicy p;
        if (replay != null) p = new LenientList(replay);
        else if (mode == Mode.SCRIPT) p = inst.scriptPolicy();
        else if (mode == Mode.SEED) p = new RandomPolicy(seed);
        else p = null;
        if (p == null) {
            trace = new Trace(inst.machine(), inst.initial());
            outcome = null;
        } else {
            Runner.Result r = inst.run(p, maxSteps);
            trace = r.trace();
            outcome = r.outcome();
        }
        cursor = Math.min(cursor, trace.length());
    }

    /** Replays a schedule, stopping quietly at the first choice this variant cannot make. */
    private static final class LenientList implements SchedulePolicy {
        private final List<Choice> choices;
        private int next;

        LenientList(List<Choice> c) {
            this.choices = c;
        }

        @Override
        public Choice next(World w, List<Choice> enabled, kstep.engine.Machine m) {
            if (next >= choices.size() || !enabled.contains(choices.get(next))) return null;
            return choices.get(next++);
        }
    }

    /** A session of its own with the same scenario, variant, schedule and cursor (exports draw it off screen). */
    public Session copy() {
        Session s = new Session(scenario, variant());
        if (mode == Mode.SEED) s.seeded(seed);
        else if (mode == Mode.INTERACTIVE) s.replay(trace.schedule());
        s.mode = mode;
        s.jump(cursor);
        return s;
    }

    /** The seed of the random schedule (Mode.SEED). */
    public long seed() {
        return seed;
    }

    public Scenario scenario() {
        return scenario;
    }

    public Instance instance() {
        return inst;
    }

    public String variant() {
        return inst.variant().name();
    }

    public Mode mode() {
        return mode;
    }

    public Trace trace() {
        return trace;
    }

    /** Why the recorded run stopped (null in interactive mode). */
    public Runner.Outcome outcome() {
        return outcome;
    }

    public int cursor() {
        return cursor;
    }

    public int length() {
        return trace.length();
    }

    /** The World at the cursor (a fresh copy each call). */
    public World world() {
        return trace.worldAt(cursor);
    }

    public World worldAt(int n) {
        return trace.worldAt(n);
    }

    /** The record of the step that led to the cursor, or null at step 0. */
    public StepRecord record() {
        return cursor == 0 ? null : trace.step(cursor);
    }

    public List<Finding> findings() {
        return trace.findings();
    }

    /** Findings reported at or before the cursor. */
    public List<Finding> findingsSoFar() {
        List<Finding> out = new ArrayList<>();
        for (Finding f : trace.findings()) if (f.step() <= cursor) out.add(f);
        return out;
    }

    /** The notes shown at step {@code n}: the scenario's notes for it and the script line's note. */
    public String noteAt(int n) {
        StringBuilder b = new StringBuilder();
        for (Scenario.NoteSpec s : scenario.notes()) {
            if (s.step() == n && (s.variant() == null || s.variant().equals(variant()))) {
                if (b.length() > 0) b.append('\n');
                b.append(s.text());
            }
        }
        if (n >= 1 && n <= trace.length() && trace.step(n).note() != null) {
            if (b.length() > 0) b.append('\n');
            b.append(trace.step(n).note());
        }
        return b.toString();
    }

    /** The most recent step at or before {@code n} that has a note (0 when none). */
    public int lastNoteStep(int n) {
        for (int i = Math.min(n, trace.length()); i >= 0; i--) if (!noteAt(i).isEmpty()) return i;
        return 0;
    }

    public boolean jump(int n) {
        int c = Math.max(0, Math.min(n, trace.length()));
        boolean moved = c != cursor;
        cursor = c;
        return moved;
    }

    /**
     * One step forward. At the end of the trace in interactive mode this takes the first possible choice
     * (the lowest CPU that can step); elsewhere it stops at the end.
     */
    public boolean stepForward() {
        if (cursor < trace.length()) {
            cursor++;
            return true;
        }
        if (mode == Mode.INTERACTIVE) {
            List<Choice> c = choices();
            if (!c.isEmpty()) {
                choose(c.get(0));
                return true;
            }
        }
        return false;
    }

    public boolean stepBack() {
        return jump(cursor - 1);
    }

    public void reset() {
        cursor = 0;
    }

    /** Moves to the next step (after the cursor) that reported a finding; false when there is none. */
    public boolean nextFinding() {
        for (Finding f : trace.findings()) {
            if (f.step() > cursor) {
                cursor = f.step();
                return true;
            }
        }
        return false;
    }

    /** The choices possible at the cursor (interactive mode offers these). */
    public List<Choice> choices() {
        World w = trace.worldAt(cursor);
        return inst.machine().enabled(w);
    }

    /** Why a choice is not possible at the cursor, in words. */
    public String whyNot(Choice c) {
        return inst.machine().whyNot(trace.worldAt(cursor), c);
    }

    /** Interactive: takes {@code c} at the cursor; the steps after the cursor are dropped. */
    public void choose(Choice c) {
        if (mode != Mode.INTERACTIVE) {
            mode = Mode.INTERACTIVE;
        }
        if (!choices().contains(c)) throw new IllegalArgumentException(c + " is not possible here: " + whyNot(c));
        trace.truncate(cursor);
        outcome = null;
        trace.append(c, null);
        cursor++;
    }

    /** Starts interactive mode at the cursor: the recorded steps stay until the user makes a different choice. */
    public void interactive() {
        mode = Mode.INTERACTIVE;
    }

    /** Re-records with the scenario's script (if it has one). */
    public void scripted() {
        if (!inst.hasScript()) return;
        mode = Mode.SCRIPT;
        record(null);
    }

    /** Re-records with a seeded random schedule. */
    public void seeded(long s) {
        mode = Mode.SEED;
        seed = s;
        record(null);
    }

    /** Re-records a given schedule (an explorer's), as far as it is possible. */
    public void replay(List<Choice> schedule) {
        mode = Mode.INTERACTIVE;
        record(schedule);
    }

    /**
     * Shows another variant under the same schedule: the script, the same seed, or the same choices (as far
     * as the other kernel allows them). The cursor stays where it was, within the new trace.
     */
    public void switchVariant(String variant) {
        List<Choice> replay = mode == Mode.INTERACTIVE ? trace.schedule() : null;
        inst = scenario.instantiate(variant);
        if (mode == Mode.SCRIPT && !inst.hasScript()) mode = Mode.SEED;
        record(replay);
    }
}
