package kstep.engine;

import java.util.List;
import java.util.Random;

/** Picks uniformly among the enabled choices with java.util.Random, whose sequence is fixed by its seed on every JVM. */
public final class RandomPolicy implements SchedulePolicy {
    private final Random random;

    public RandomPolicy(long seed) {
        this.random = new Random(seed);
    }

    @Override
    public Choice next(World w, List<Choice> enabled, Machine m) {
        return enabled.get(random.nextInt(enabled.size()));
    }
}
