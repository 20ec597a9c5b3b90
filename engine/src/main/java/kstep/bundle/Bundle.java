package kstep.bundle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import kstep.annotate.AnnotationDoc;
import kstep.annotate.Sidecar;
import kstep.engine.Choice;
import kstep.lang.ModelSource;
import kstep.lang.SourceError;
import kstep.lang.SourcePos;
import kstep.scenario.Scenario;
import kstep.scenario.ScenarioLoader;
import kstep.scenario.Session;

/**
 * A {@code .kstep} file: one exact moment to send a student. A zip holding the scenario's YAML and every model
 * file it links (so it opens the same on another kstep), the variant, the schedule (script, seed or the choices
 * taken), the step, the tabs shown, and the annotations and notes. Opening it unpacks the files into kstep's
 * data folder and restores the session there, where the student's own annotations are then saved.
 */
public final class Bundle {
    static final String MAGIC = "kstep bundle";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_ENTRY = 8L << 20;
    private static final int MAX_ENTRIES = 2000;

    /** What a bundle restores. {@code tabs} are the tab names that were selected. */
    public record Moment(Session session, int step, List<String> tabs, Path folder) { }

    private Bundle() { }

    /** Writes {@code session} at its cursor, with {@code doc} and {@code tabs}, to {@code target} (atomically). */
    public static void write(Path target, Session session, AnnotationDoc doc, List<String> tabs) throws IOException {
        Scenario sc = session.scenario();
        String yaml = sc.path().isPresent() ? Files.readString(sc.path().get(), StandardCharsets.UTF_8) : ScenarioLoader.sampleText(sc.id());
        ObjectNode meta = JSON.createObjectNode();
        meta.put("kstep", MAGIC);
        meta.put("version", VERSION);
        meta.put("scenario", sc.id());
        meta.put("title", sc.title());
        meta.put("variant", session.variant());
        meta.put("mode", session.mode().name().toLowerCase(java.util.Locale.ROOT));
        if (session.mode() == Session.Mode.SEED) meta.put("seed", session.seed());
        if (session.mode() == Session.Mode.INTERACTIVE) {
            ArrayNode cs = meta.putArray("schedule");
            for (Choice c : session.trace().schedule()) cs.add(c.toString());
        }
        meta.put("step", session.cursor());
        ArrayNode t = meta.putArray("tabs");
        for (String s : tabs) t.add(s);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("bundle.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
        entries.put("scenario.yaml", yaml.getBytes(StandardCharsets.UTF_8));
        for (ModelSource m : sc.models()) entries.put("models/" + m.name(), m.text().getBytes(StandardCharsets.UTF_8));
        entries.put("annotations.json", Sidecar.format(doc).getBytes(StandardCharsets.UTF_8));
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".part");
        try {
            try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(tmp))) {
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    ZipEntry ze = new ZipEntry(e.getKey());
                    ze.setTime(0); // the same moment gives the same bytes
                    z.putNextEntry(ze);
                    z.write(e.getValue());
                    z.closeEntry();
                }
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Whether {@code name} is a bundle's file name. */
    public static boolean isBundle(String name) {
        return name.endsWith(".kstep");
    }

    /**
     * Opens {@code file}: unpacks it under {@code home}/bundles (a folder named after the file and a digest of
     * its content, so opening the same bundle again finds the student's annotations, and a new one from the
     * teacher gets a folder of its own), loads the scenario and replays the schedule.
     * A SourceError names the file and what is wrong with it.
     */
    public static Moment open(Path file, Path home) {
        String shown = file.toString();
        Map<String, byte[]> entries = read(file, shown);
        byte[] metaBytes = entries.get("bundle.json");
        if (metaBytes == null || !entries.containsKey("scenario.yaml")) throw new SourceError(new SourcePos(shown, 1, 1), "not a kstep bundle (no bundle.json and scenario.yaml in it)");
        JsonNode meta;
        try {
            meta = JSON.readTree(metaBytes);
        } catch (JsonProcessingException e) {
            var l = e.getLocation();
            throw new SourceError(new SourcePos(shown + "!bundle.json", l == null ? 1 : Math.max(1, l.getLineNr()), l == null ? 1 : Math.max(1, l.getColumnNr())),
                "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new SourceError(new SourcePos(shown, 1, 1), "cannot read bundle.json: " + e.getMessage());
        }
        SourcePos at = new SourcePos(shown + "!bundle.json", 1, 1);
        if (!MAGIC.equals(meta.path("kstep").asText()) || meta.path("version").asInt() != VERSION)
            throw new SourceError(at, "not a version " + VERSION + " kstep bundle");
        String id = meta.path("scenario").asText("scenario");
        Path folder = home.resolve("bundles").resolve(safe(file.getFileName().toString().replaceFirst("\\.kstep$", "")) + "-" + digest(entries));
        String base = safe(id.substring(id.lastIndexOf('/') + 1));
        Path yaml = folder.resolve(base + ".yaml");
        try {
            Files.createDirectories(folder);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                if (!e.getKey().startsWith("models/")) continue;
                Path p = folder.resolve(e.getKey().substring("models/".length())).normalize();
                if (!p.startsWith(folder)) throw new SourceError(new SourcePos(shown, 1, 1), "entry " + e.getKey() + " points outside the bundle");
                Files.createDirectories(p.getParent());
                Files.write(p, e.getValue());
            }
            Files.write(yaml, entries.get("scenario.yaml"));
            // the student's own annotations, from an earlier opening, are kept
            Path sidecar = folder.resolve(base + ".annotations.json");
            if (!Files.exists(sidecar) && entries.containsKey("annotations.json")) {
                Sidecar.parse(shown + "!annotations.json", new String(entries.get("annotations.json"), StandardCharsets.UTF_8));
                Files.write(sidecar, entries.get("annotations.json"));
            }
        } catch (IOException e) {
            throw new SourceError(new SourcePos(shown, 1, 1), "cannot unpack into " + folder + ": " + e.getMessage());
        }
        Scenario sc = ScenarioLoader.load(yaml);
        String variant = meta.path("variant").asText(sc.defaultVariant());
        if (!sc.variants().containsKey(variant)) throw new SourceError(at, "the scenario has no variant '" + variant + "'");
        Session s = new Session(sc, variant);
        switch (meta.path("mode").asText("script")) {
            case "seed" -> s.seeded(meta.path("seed").asLong());
            case "interactive" -> {
                List<Choice> cs = new ArrayList<>();
                for (JsonNode c : meta.path("schedule")) {
                    try {
                        cs.add(Choice.parse(c.asText()));
                    } catch (IllegalArgumentException e) {
                        throw new SourceError(at, "schedule: " + e.getMessage());
                    }
                }
                s.replay(cs);
            }
            case "script" -> { }
            default -> throw new SourceError(at, "mode '" + meta.path("mode").asText() + "' is not script, seed or interactive");
        }
        int step = Math.max(0, Math.min(meta.path("step").asInt(0), s.length()));
        s.jump(step);
        List<String> tabs = new ArrayList<>();
        for (JsonNode t : meta.path("tabs")) tabs.add(t.asText());
        return new Moment(s, step, tabs, folder);
    }

    private static Map<String, byte[]> read(Path file, String shown) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream z = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (e.isDirectory()) continue;
                if (out.size() >= MAX_ENTRIES) throw new SourceError(new SourcePos(shown, 1, 1), "more than " + MAX_ENTRIES + " files in the bundle");
                out.put(e.getName(), readLimited(z, shown, e.getName()));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SourceError(new SourcePos(shown, 1, 1), "no such file");
        } catch (ZipException e) {
            throw new SourceError(new SourcePos(shown, 1, 1), "not a kstep bundle (not a zip file: " + e.getMessage() + ")");
        } catch (IOException e) {
            throw new SourceError(new SourcePos(shown, 1, 1), "cannot read: " + e.getMessage());
        }
        if (out.isEmpty()) throw new SourceError(new SourcePos(shown, 1, 1), "not a kstep bundle (empty, or not a zip file)");
        return out;
    }

    private static byte[] readLimited(InputStream in, String shown, String name) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            b.write(buf, 0, n);
            if (b.size() > MAX_ENTRY) throw new SourceError(new SourcePos(shown, 1, 1), name + " is larger than 8 MiB");
        }
        return b.toByteArray();
    }

    private static String safe(String s) {
        String t = s.replaceAll("[^A-Za-z0-9._-]+", "-");
        return t.isEmpty() || t.startsWith(".") ? "bundle" + t : t;
    }

    private static String digest(Map<String, byte[]> entries) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                md.update(e.getValue());
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
