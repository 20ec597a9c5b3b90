package kstep.engine;

import java.util.List;

/** Replays a fixed list of choices (an explorer's schedule); a choice that is not possible is an error. */
public final class ListPolicy implements SchedulePolicy {
    private final List<Choice> choices;
    private int next;

    public ListPolicy(List<Choice> choices) {
        this.choices = List.copyOf(choices);
    }

    @Override
    public Choice next(World w, List<Choice> enabled, Machine m) {
        if (next >= choices.size()) return null;
        Choice c = choices.get(next);
        if (!enabled.contains(c))
            throw new IllegalArgumentException("schedule entry " + (next + 1) + " (" + c + ") is not possible at step "
                + next + ": " + m.whyNot(w, c));
        next++;
        return c;
    }
}
