package kstep.engine;

import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Something outside the CPUs that the scheduler may let happen between steps: a device raising an MSI, a
 * timer firing. {@code budget} limits how often (null: unlimited); {@code enabled} says when it can.
 */
public record ExternalEvent(String name, String description, Integer budget, Predicate<World> enabled,
                            Consumer<Exec> action) { }
