package kstep.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

import kstep.lang.ModelSource;
import kstep.lang.SourceError;
import kstep.lang.SourcePos;

/**
 * Reads scenario files (YAML). Every mistake becomes a {@link SourceError} naming file, line and column; the
 * file is never written. All variants are built once while loading so a broken model or condition is reported
 * before anything runs.
 */
public final class ScenarioLoader {
    private static final Set<String> TOP_KEYS = Set.of("kstep", "id", "title", "description", "seed", "machine", "models",
        "variants", "default_variant", "tasks", "end", "schedule", "explore", "notes", "stop_at_finding", "irqs", "softirqs");
    /** Models every scenario gets, listed or not: the scheduler core, the locks and the allocation flags. */
    public static final List<String> CORE_MODELS = List.of("sched/core.kc", "lock/spinlock.kc", "lock/mutex.kc", "mm/gfp.kc");
    /** Where built-in models and samples live on the class path. */
    public static final String RESOURCE_ROOT = "kstep/";
    static final int MAX_FILE = 1 << 20;

    /** Finds a model file by the name a scenario lists. */
    public interface ModelResolver {
        /** The model's text, or null when there is no such model. */
        String read(String name) throws IOException;
    }

    /** Finds models among the ones shipped with kstep. */
    public static final ModelResolver BUILTIN = name -> resource(RESOURCE_ROOT + name);

    private ScenarioLoader() { }

    /** Loads a scenario file; models are looked up next to it, then among the built-in ones. */
    public static Scenario load(Path file) {
        String shown = file.toString();
        String text;
        try {
            if (Files.isDirectory(file)) throw new SourceError(new SourcePos(shown, 1, 1), "is a directory, not a scenario file");
            if (Files.size(file) > MAX_FILE) throw new SourceError(new SourcePos(shown, 1, 1), "file is larger than 1 MiB");
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new SourceError(new SourcePos(shown, 1, 1), "not UTF-8 text");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SourceError(new SourcePos(shown, 1, 1), "no such file");
        } catch (IOException e) {
            throw new SourceError(new SourcePos(shown, 1, 1), "cannot read: " + e.getMessage());
        }
        Path dir = file.toAbsolutePath().getParent();
        String base = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        Scenario sc = parse(shown, base, text, name -> {
            Path p = dir.resolve(name).normalize();
            if (p.startsWith(dir) && Files.isRegularFile(p)) return Files.readString(p, StandardCharsets.UTF_8);
            return resource(RESOURCE_ROOT + name);
        });
        sc.source = file.toAbsolutePath().normalize();
        return sc;
    }

    /** Loads a sample shipped with kstep by id ({@code vgic/doorbell-preemption}). */
    public static Scenario loadSample(String id) {
        String text;
        try {
            text = resource(RESOURCE_ROOT + "samples/" + id + ".yaml");
        } catch (IOException e) {
            text = null;
        }
        if (text == null) throw new SourceError(new SourcePos(id, 1, 1), "no sample '" + id + "' (kstep list shows them)");
        return parse("samples/" + id + ".yaml", id, text, BUILTIN);
    }

    /** The YAML text of sample {@code id}, as shipped; SourceError if there is no such sample. */
    public static String sampleText(String id) {
        try {
            String t = resource(RESOURCE_ROOT + "samples/" + id + ".yaml");
            if (t != null) return t;
        } catch (IOException e) {
            // reported below, as for a missing sample
        }
        throw new SourceError(new SourcePos(id, 1, 1), "no sample '" + id + "' (kstep list shows them)");
    }

    static String resource(String path) throws IOException {
        try (InputStream in = ScenarioLoader.class.getClassLoader().getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Parses scenario {@code text}; {@code file} is the name used in errors. */
    public static Scenario parse(String file, String defaultId, String text, ModelResolver models) {
        Node root;
        try {
            LoaderOptions lo = new LoaderOptions();
            lo.setAllowDuplicateKeys(false);
            lo.setMaxAliasesForCollections(20);
            lo.setCodePointLimit(MAX_FILE);
            root = new Yaml(lo).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
            throw new SourceError(m == null ? new SourcePos(file, 1, 1) : new SourcePos(file, m.getLine() + 1, m.getColumn() + 1),
                "YAML: " + problem);
        } catch (YAMLException e) {
            throw new SourceError(new SourcePos(file, 1, 1), "YAML: " + e.getMessage());
        }
        if (root == null) throw new SourceError(new SourcePos(file, 1, 1), "the file is empty");
        YNode top = new YNode(file, root);
        Set<String> allowed = new HashSet<>(TOP_KEYS);
        for (Subsystem s : Subsystems.all()) allowed.add(s.name());
        top.allowOnly(allowed);

        if (top.get("kstep") != null && top.get("kstep").integer() != 1)
            throw top.get("kstep").error("this kstep reads scenario format 1");
        String id = top.optStr("id", defaultId);
        String title = top.require("title").str().strip();
        String description = top.optStr("description", "").strip();

        Scenario.Seed seed = null;
        if (top.get("seed") != null) {
            YNode s = top.get("seed");
            s.allowOnly(Set.of("title", "commit", "fixes", "link"));
            seed = new Scenario.Seed(s.optStr("title", ""), s.optStr("commit", ""), s.optStr("fixes", ""), s.optStr("link", ""));
        }

        YNode machine = top.require("machine");
        machine.allowOnly(Set.of("arch", "cpus", "preempt", "lockdep"));
        String arch = machine.optStr("arch", "arm64");
        int cpus = machine.require("cpus").intIn(1, 64);
        String pm = machine.optStr("preempt", "full").strip();
        if (!pm.equals("full") && !pm.equals("none")) throw machine.get("preempt").error("preempt is full (CONFIG_PREEMPT) or none");
        kstep.engine.KernelConfig.Preempt preempt = pm.equals("full") ? kstep.engine.KernelConfig.Preempt.FULL : kstep.engine.KernelConfig.Preempt.NONE;
        boolean lockdep = machine.get("lockdep") == null || machine.get("lockdep").bool();

        List<ModelSource> sources = new ArrayList<>();
        YNode ml = top.require("models");
        List<String> listed = new ArrayList<>();
        for (YNode m : ml.list()) listed.add(m.str().strip());
        for (String core : CORE_MODELS) {
            if (listed.contains(core)) continue;
            try {
                sources.add(new ModelSource(core, resource(RESOURCE_ROOT + core)));
            } catch (IOException e) {
                throw new IllegalStateException("the built-in model " + core + " is missing", e);
            }
        }
        for (YNode m : ml.list()) {
            String name = m.str().strip();
            if (!name.matches("[A-Za-z0-9_./-]+\\.kc") || name.contains(".."))
                throw m.error("a model is a relative path ending in .kc, like vgic/vgic-v4.kc");
            String t;
            try {
                t = models.read(name);
            } catch (IOException e) {
                throw m.error("cannot read model " + name + ": " + e.getMessage());
            }
            if (t == null) throw m.error("no model file " + name);
            for (ModelSource prev : sources) if (prev.name().equals(name)) throw m.error("model " + name + " is listed twice");
            sources.add(new ModelSource(name, t));
        }

        Map<String, Scenario.Variant> variants = new LinkedHashMap<>();
        YNode vs = top.require("variants");
        for (Map.Entry<String, YNode> e : vs.map().entrySet()) {
            YNode v = e.getValue();
            v.allowOnly(Set.of("kernel", "describe", "defines", "expect"));
            String expect = v.optStr("expect", "none").strip();
            if (!expect.matches("[a-z][a-z0-9-]*")) throw v.get("expect").error("expect is a finding kind (lost-wakeup) or 'none'");
            List<String> defs = v.get("defines") == null ? List.of() : v.get("defines").strings();
            for (String d : defs) if (!d.matches("[A-Za-z_][A-Za-z0-9_]*")) throw v.get("defines").error("'" + d + "' is not a macro name");
            variants.put(e.getKey(), new Scenario.Variant(e.getKey(), v.optStr("kernel", ""), v.optStr("describe", "").strip(),
                defs, expect, vs.keyPos(e.getKey())));
        }
        if (variants.isEmpty()) throw vs.error("a scenario needs at least one variant");
        String dflt = top.optStr("default_variant", variants.keySet().iterator().next());
        if (!variants.containsKey(dflt)) throw top.get("default_variant").error("no variant '" + dflt + "'");

        Map<String, YNode> sections = new LinkedHashMap<>();
        for (Subsystem s : Subsystems.all()) if (top.get(s.name()) != null) sections.put(s.name(), top.get(s.name()));
        for (String core : List.of("irqs", "softirqs")) if (top.get(core) != null) sections.put(core, top.get(core));

        List<Scenario.TaskSpec> tasks = new ArrayList<>();
        YNode tl = top.require("tasks");
        for (YNode t : tl.list()) {
            t.allowOnly(Set.of("name", "pid", "cpu", "entry", "start"));
            YNode entry = t.require("entry");
            boolean sleeping = false;
            if (t.get("start") != null) {
                String st = t.get("start").str();
                if (!st.equals("running") && !st.equals("sleeping")) throw t.get("start").error("start is running (the default) or sleeping, not '" + st + "'");
                sleeping = st.equals("sleeping");
            }
            tasks.add(new Scenario.TaskSpec(t.require("name").str(), t.require("pid").intIn(1, 4_194_304),
                t.require("cpu").intIn(0, cpus - 1), entry.str(), entry.textPos(), t.pos(), sleeping));
        }
        if (tasks.isEmpty()) throw tl.error("a scenario needs at least one task");

        String end = null;
        SourcePos endPos = null;
        if (top.get("end") != null) {
            end = top.get("end").str();
            endPos = top.get("end").textPos();
        }

        List<ScheduleAction> schedule = new ArrayList<>();
        if (top.get("schedule") != null) {
            for (YNode item : top.get("schedule").list()) {
                if (item.isScalar()) {
                    schedule.add(ScheduleParser.parse(item.str(), null, item.textPos(), cpus));
                } else {
                    item.allowOnly(Set.of("do", "note"));
                    YNode d = item.require("do");
                    String note = item.get("note") == null ? null : item.get("note").str().strip();
                    schedule.add(ScheduleParser.parse(d.str(), note, d.textPos(), cpus));
                }
            }
        }

        Scenario.ExploreSpec explore = new Scenario.ExploreSpec(400, null, 2_000_000, null);
        if (top.get("explore") != null) {
            YNode x = top.get("explore");
            x.allowOnly(Set.of("bound", "preemptions", "max_states", "target"));
            String target = x.optStr("target", null);
            if (target != null && !target.matches("[a-z][a-z0-9-]*")) throw x.get("target").error("target is a finding kind, like deadlock");
            explore = new Scenario.ExploreSpec(
                x.get("bound") == null ? 400 : x.get("bound").intIn(1, 1_000_000),
                x.get("preemptions") == null ? null : x.get("preemptions").intIn(0, 1000),
                x.get("max_states") == null ? 2_000_000 : x.get("max_states").intIn(1, 100_000_000), target);
        }

        List<Scenario.NoteSpec> notes = new ArrayList<>();
        if (top.get("notes") != null) {
            for (YNode n : top.get("notes").list()) {
                n.allowOnly(Set.of("step", "variant", "text"));
                String variant = n.optStr("variant", null);
                if (variant != null && !variants.containsKey(variant)) throw n.get("variant").error("no variant '" + variant + "'");
                notes.add(new Scenario.NoteSpec(n.require("step").intIn(0, Integer.MAX_VALUE), variant, n.require("text").str().strip(), n.pos()));
            }
        }
        boolean stop = top.get("stop_at_finding") == null || top.get("stop_at_finding").bool();

        Scenario sc = new Scenario(id, file, title, description, seed, arch, cpus, preempt, lockdep, sources, variants, dflt, sections, tasks,
            end, endPos, schedule, explore, notes, stop);
        for (String v : variants.keySet()) sc.instantiate(v); // report broken models and conditions now
        return sc;
    }
}
