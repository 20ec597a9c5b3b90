package kstep.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The recorded run: step 0 is the initial World, step n the World after n choices. Every step keeps its
 * record (choice, position, events); every {@link #CHECKPOINT_EVERY} steps a full copy of the World is kept,
 * and any other World is rebuilt by replaying the choices from the nearest checkpoint before it. Replays are
 * deterministic, so stepping back and forth always gives identical states.
 */
public final class Trace {
    public static final int CHECKPOINT_EVERY = 256;

    private final Machine machine;
    private final ArrayList<StepRecord> steps = new ArrayList<>();
    private final ArrayList<World> checkpoints = new ArrayList<>();
    private final ArrayList<Finding> findings = new ArrayList<>();
    private World head;
    private World cached;
    private int cachedAt = -1;

    public Trace(Machine machine, World initial) {
        this.machine = machine;
        this.checkpoints.add(initial.copy());
        this.head = initial.copy();
    }

    public Machine machine() {
        return machine;
    }

    /** Number of steps taken (the last step's number). */
    public int length() {
        return steps.size();
    }

    /** The record of step {@code n}, 1 &lt;= n &lt;= length(). */
    public StepRecord step(int n) {
        return steps.get(n - 1);
    }

    public List<StepRecord> steps() {
        return Collections.unmodifiableList(steps);
    }

    public List<Finding> findings() {
        return Collections.unmodifiableList(findings);
    }

    /** The World after the last step. Do not change it; use {@link #append}. */
    public World head() {
        return head;
    }

    /** The choices of steps 1..length(), the schedule that reproduces this trace. */
    public List<Choice> schedule() {
        List<Choice> out = new ArrayList<>(steps.size());
        for (StepRecord r : steps) out.add(r.choice());
        return out;
    }

    /** Performs {@code c} on the head, records it, and returns what it did. */
    public StepResult append(Choice c, String note) {
        StepResult r = machine.step(head, c, true);
        int n = steps.size() + 1;
        String name = r.task() < 0 ? "-" : Machine.taskName(head, head.task(r.task()));
        long pid = r.task() < 0 ? -1 : Machine.pidOf(head, head.task(r.task()));
        steps.add(new StepRecord(n, c, r.cpu(), name, pid, r.where(), List.copyOf(r.events()), note));
        for (Finding f : r.findings()) findings.add(f.withStep(n));
        if (n % CHECKPOINT_EVERY == 0) checkpoints.add(head.copy());
        return r;
    }

    /** Adds {@code note} (if not null) to step {@code n}'s note. */
    public void addNote(int n, String note) {
        if (note == null || note.isEmpty()) return;
        StepRecord r = steps.get(n - 1);
        String joined = r.note() == null ? note : r.note() + "\n" + note;
        steps.set(n - 1, new StepRecord(r.n(), r.choice(), r.cpu(), r.taskName(), r.pid(), r.where(), r.events(), joined));
    }

    /** A fresh copy of the World at step {@code n} (0 = initial). */
    public World worldAt(int n) {
        if (n < 0 || n > steps.size()) throw new IndexOutOfBoundsException("step " + n + " of " + steps.size());
        int cp = n / CHECKPOINT_EVERY;
        World w;
        int from;
        if (cached != null && cachedAt <= n && cachedAt / CHECKPOINT_EVERY == cp) {
            w = cached.copy();
            from = cachedAt;
        } else {
            w = checkpoints.get(cp).copy();
            from = cp * CHECKPOINT_EVERY;
        }
        for (int i = from; i < n; i++) machine.step(w, steps.get(i).choice(), false);
        cached = w.copy();
        cachedAt = n;
        return w;
    }

    /** Drops every step after {@code n}; the next {@link #append} continues from step {@code n}. */
    public void truncate(int n) {
        if (n >= steps.size()) return;
        World w = worldAt(n);
        while (steps.size() > n) steps.remove(steps.size() - 1);
        while (checkpoints.size() > n / CHECKPOINT_EVERY + 1) checkpoints.remove(checkpoints.size() - 1);
        findings.removeIf(f -> f.step() > n);
        head = w;
        cached = null;
        cachedAt = -1;
    }
}
