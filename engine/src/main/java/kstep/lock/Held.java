package kstep.lock;

import kstep.lang.SourcePos;

/**
 * A lock a task holds, as lockdep's struct held_lock records it: the lock object, its class, how it was
 * taken (read: 0 exclusive, 1 shared, 2 recursive read; trylock), where ({@code fn}, the model position and
 * the "%pS" offset), the irq context it was taken in (0 task, 1 hardirq, 2 softirq), and the call trace then
 * (lockdep prints it where a dependency was first recorded).
 */
public record Held(int lock, int cls, int read, boolean trylock, String fn, SourcePos at, String ip, int irqContext,
                   java.util.List<String> stack) { }
