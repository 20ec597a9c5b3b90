package kstep.scenario;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kstep.lang.ModelSource;
import kstep.lang.SourceError;
import kstep.lang.SourcePos;

/**
 * A scenario file, read and checked: what it is about (title, description, the seed it comes from), the
 * machine, the models, the variants (buggy, fixed...), each subsystem's section, the tasks, the end condition,
 * the scripted schedule, the explore bounds and the teacher's notes. {@link #instantiate} builds a variant.
 */
public final class Scenario {
    public record Seed(String title, String commit, String fixes, String link) { }

    /** A kernel variant: its #defines for the models, the kernel version it stands for, what it should do. */
    public record Variant(String name, String kernel, String describe, List<String> defines, String expect, SourcePos pos) { }

    /** A task: {@code sleeping} ones start in TASK_INTERRUPTIBLE, off the runqueue, until something wakes them. */
    public record TaskSpec(String name, int pid, int cpu, String entry, SourcePos entryPos, SourcePos pos, boolean sleeping) { }

    /** How to explore: bound in steps, preemption budget, state limit, and the finding kind sought (null: any). */
    public record ExploreSpec(int bound, Integer preemptions, long maxStates, String target) { }

    /** A note shown at a step of a variant (all variants when {@code variant} is null). */
    public record NoteSpec(int step, String variant, String text, SourcePos pos) { }

    final String id;
    final String file;
    final String title;
    final String description;
    final Seed seed;
    final String arch;
    final int cpus;
    final kstep.engine.KernelConfig.Preempt preempt;
    final boolean lockdep;
    final List<ModelSource> models;
    final Map<String, Variant> variants;
    final String defaultVariant;
    final Map<String, YNode> sections;
    final List<TaskSpec> tasks;
    final String end;
    final SourcePos endPos;
    final List<ScheduleAction> schedule;
    final ExploreSpec explore;
    final List<NoteSpec> notes;
    final boolean stopAtFinding;
    /** The file it was read from; set once by ScenarioLoader.load, null for a built-in sample. */
    java.nio.file.Path source;

    Scenario(String id, String file, String title, String description, Seed seed, String arch, int cpus,
             kstep.engine.KernelConfig.Preempt preempt, boolean lockdep, List<ModelSource> models, Map<String, Variant> variants, String defaultVariant, Map<String, YNode> sections,
             List<TaskSpec> tasks, String end, SourcePos endPos, List<ScheduleAction> schedule, ExploreSpec explore,
             List<NoteSpec> notes, boolean stopAtFinding) {
        this.id = id;
        this.file = file;
        this.title = title;
        this.description = description;
        this.seed = seed;
        this.arch = arch;
        this.cpus = cpus;
        this.preempt = preempt;
        this.lockdep = lockdep;
        this.models = List.copyOf(models);
        this.variants = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variants));
        this.defaultVariant = defaultVariant;
        this.sections = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sections));
        this.tasks = List.copyOf(tasks);
        this.end = end;
        this.endPos = endPos;
        this.schedule = List.copyOf(schedule);
        this.explore = explore;
        this.notes = List.copyOf(notes);
        this.stopAtFinding = stopAtFinding;
    }

    public String id() {
        return id;
    }

    /** The scenario file on disk, absolute; empty for a sample built into kstep. */
    public java.util.Optional<java.nio.file.Path> path() {
        return java.util.Optional.ofNullable(source);
    }

    /** The file name errors and the title bar show. */
    public String file() {
        return file;
    }

    public String title() {
        return title;
    }

    public String description() {
        return description;
    }

    public Seed seed() {
        return seed;
    }

    public String arch() {
        return arch;
    }

    public int cpus() {
        return cpus;
    }

    public List<ModelSource> models() {
        return models;
    }

    public Map<String, Variant> variants() {
        return variants;
    }

    public Variant variant(String name) {
        return variants.get(name);
    }

    public String defaultVariant() {
        return defaultVariant;
    }

    public List<TaskSpec> tasks() {
        return tasks;
    }

    public List<ScheduleAction> schedule() {
        return schedule;
    }

    public ExploreSpec explore() {
        return explore;
    }

    public List<NoteSpec> notes() {
        return notes;
    }

    public boolean stopAtFinding() {
        return stopAtFinding;
    }

    public String endCondition() {
        return end;
    }

    /** Builds variant {@code name}: compiles the models with its defines and sets up step 0. */
    public Instance instantiate(String name) {
        Variant v = variants.get(name);
        if (v == null) throw new SourceError(new SourcePos(file, 1, 1), "no variant '" + name + "' (this scenario has: "
            + String.join(", ", variants.keySet()) + ")");
        return new Instance(this, v);
    }

    /** The lines whose presence differs between variants, per model file: what the fix changed. */
    public Map<String, java.util.BitSet> differingLines() {
        Map<String, java.util.BitSet> out = new LinkedHashMap<>();
        for (ModelSource m : models) {
            java.util.BitSet union = new java.util.BitSet();
            java.util.BitSet inter = null;
            for (Variant v : variants.values()) {
                java.util.BitSet a = m.preprocess(new java.util.HashSet<>(v.defines())).active();
                union.or(a);
                if (inter == null) inter = (java.util.BitSet) a.clone();
                else inter.and(a);
            }
            java.util.BitSet d = (java.util.BitSet) union.clone();
            if (inter != null) d.andNot(inter);
            out.put(m.name(), d);
        }
        return out;
    }
}
