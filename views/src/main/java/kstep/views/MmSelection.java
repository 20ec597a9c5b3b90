package kstep.views;

import java.util.ArrayList;
import java.util.List;

/**
 * What the user picked in one of the memory views, shared by all of them (colour-linking): a VMA's range in
 * a process, or a physical frame. Every view highlights what belongs to it: the VMA's PTEs and frames, the
 * frame's PTEs (its reverse map) and the VMAs around them. Selecting is the views' only state; the engine's
 * state is not touched.
 */
public final class MmSelection {
    /** What can be selected. */
    public sealed interface Target permits Range, Frame { }

    /** [start, end) of {@code process}'s address space (a VMA). */
    public record Range(String process, long start, long end) implements Target {
        public boolean contains(String p, long addr) {
            return process.equals(p) && addr >= start && addr < end;
        }
    }

    /** Physical frame {@code pfn}. */
    public record Frame(int pfn) implements Target { }

    private Target current;
    private final List<Runnable> listeners = new ArrayList<>();

    public Target get() {
        return current;
    }

    /** Selects {@code t}; selecting what is selected already clears it (a second click). */
    public void select(Target t) {
        current = t != null && t.equals(current) ? null : t;
        for (Runnable r : List.copyOf(listeners)) r.run();
    }

    public void clear() {
        if (current == null) return;
        current = null;
        for (Runnable r : List.copyOf(listeners)) r.run();
    }

    public void addListener(Runnable r) {
        listeners.add(r);
    }
}
