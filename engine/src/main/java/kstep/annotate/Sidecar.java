package kstep.annotate;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import kstep.lang.SourceError;
import kstep.lang.SourcePos;
import kstep.scenario.Scenario;

/**
 * The readable JSON file next to a scenario that holds its annotations and teacher's notes
 * ({@code abba.yaml} -> {@code abba.annotations.json}; a built-in sample's lives under the user's data folder).
 * Every save writes a temporary file, forces it to disk and renames it over the old one, so a crash leaves
 * the old file or the new one, never half of either. A file that cannot be read is reported with its line
 * and column and kept untouched: saves then go to the first free {@code NAME.annotations-N.json}.
 */
public final class Sidecar {
    static final String MAGIC = "kstep annotations";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BYTES = 4L << 20;

    private final Path file;
    private final Path saveTo;
    private final AnnotationDoc doc;
    private final SourceError problem;
    private AnnotationDoc saved;

    private Sidecar(Path file, Path saveTo, AnnotationDoc doc, SourceError problem) {
        this.file = file;
        this.saveTo = saveTo;
        this.doc = doc;
        this.problem = problem;
        this.saved = doc;
    }

    /** Where {@code s}'s sidecar lives. */
    public static Path pathFor(Scenario s) {
        Optional<Path> src = s.path();
        if (src.isPresent()) return nextTo(src.get());
        return dataHome().resolve("annotations").resolve(s.id().replaceAll("[^A-Za-z0-9._-]+", "-") + ".annotations.json");
    }

    /** The sidecar of any file kstep shows (a scenario, a BPF program): {@code NAME.annotations.json} beside it. */
    public static Path nextTo(Path file) {
        String base = file.getFileName().toString().replaceFirst("\\.[A-Za-z0-9]{1,5}$", "");
        return file.toAbsolutePath().normalize().resolveSibling(base + ".annotations.json");
    }

    /** kstep's folder for the user's files: -Dkstep.data, else $XDG_DATA_HOME/kstep, else ~/.local/share/kstep. */
    public static Path dataHome() {
        String prop = System.getProperty("kstep.data");
        if (prop != null && !prop.isBlank()) return Path.of(prop);
        String xdg = System.getenv("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "kstep");
        return Path.of(System.getProperty("user.home"), ".local", "share", "kstep");
    }

    /** Reads {@code file} (no file: nothing yet). Never throws for what the file holds: see {@link #problem()}. */
    public static Sidecar open(Path file) {
        if (!Files.exists(file)) return new Sidecar(file, file, AnnotationDoc.EMPTY, null);
        try {
            if (Files.size(file) > MAX_BYTES) throw new SourceError(new SourcePos(file.toString(), 1, 1), "larger than 4 MiB; not an annotations file");
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (java.nio.charset.MalformedInputException e) {
                throw new SourceError(new SourcePos(file.toString(), 1, 1), "not UTF-8 text");
            }
            return new Sidecar(file, file, parse(file.toString(), text), null);
        } catch (SourceError e) {
            return new Sidecar(file, freeName(file), AnnotationDoc.EMPTY, e);
        } catch (IOException e) {
            return new Sidecar(file, freeName(file), AnnotationDoc.EMPTY, new SourceError(new SourcePos(file.toString(), 1, 1), "cannot read: " + e.getMessage()));
        }
    }

    private static Path freeName(Path file) {
        String name = file.getFileName().toString().replaceFirst("\\.json$", "");
        for (int n = 2; ; n++) {
            Path p = file.resolveSibling(name + "-" + n + ".json");
            if (!Files.exists(p)) return p;
        }
    }

    /** The file this sidecar was read from. */
    public Path file() {
        return file;
    }

    /** Where saves go: the file itself, or a fresh name when the file could not be read. */
    public Path saveTo() {
        return saveTo;
    }

    /** What was read (empty when there was no file or it could not be read). */
    public AnnotationDoc doc() {
        return doc;
    }

    /** Why the file could not be read, with its line and column; the file is kept as it is. */
    public Optional<SourceError> problem() {
        return Optional.ofNullable(problem);
    }

    /** The sentence the app shows when the file could not be read. */
    public Optional<String> problemText() {
        return problem().map(e -> e.getMessage() + " (kept as it is; kstep saves your annotations to " + saveTo.getFileName() + ")");
    }

    /** Writes {@code d} atomically, unless it is what the file already holds; no file is made for nothing. */
    public synchronized void save(AnnotationDoc d) throws IOException {
        if (d.equals(saved) && (Files.exists(saveTo) || d.equals(AnnotationDoc.EMPTY))) return;
        Files.createDirectories(saveTo.toAbsolutePath().getParent());
        byte[] bytes = format(d).getBytes(StandardCharsets.UTF_8);
        Path tmp = Files.createTempFile(saveTo.toAbsolutePath().getParent(), "." + saveTo.getFileName(), ".part");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            Files.move(tmp, saveTo, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        saved = d;
    }

    /** The file's text: indented JSON, one annotation an object, the way a person would write it. */
    public static String format(AnnotationDoc d) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("kstep", MAGIC);
            g.writeNumberField("version", VERSION);
            g.writeArrayFieldStart("annotations");
            for (Annotation a : d.annotations()) {
                g.writeStartObject();
                g.writeStringField("id", a.id());
                g.writeStringField("kind", a.kind());
                g.writeStringField("variant", a.variant());
                g.writeStringField("steps", a.steps().toString());
                g.writeStringField("colour", a.colour());
                if (a instanceof Annotation.Marker m) g.writeNumberField("number", m.number());
                if (a instanceof Annotation.Callout c) g.writeStringField("text", c.text());
                g.writeArrayFieldStart("at");
                for (Anchor an : a.anchors()) {
                    g.writeStartObject();
                    g.writeStringField("target", an.target());
                    g.writeNumberField("x", round(an.x()));
                    g.writeNumberField("y", round(an.y()));
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("notes");
            for (TeacherNote n : d.notes()) {
                g.writeStartObject();
                g.writeStringField("variant", n.variant());
                g.writeNumberField("step", n.step());
                g.writeStringField("text", n.text());
                g.writeEndObject();
            }
            g.writeEndArray();
            // written only when there are some, so a file of annotations alone reads as it always did
            if (!d.breakpoints().isEmpty()) {
                g.writeArrayFieldStart("breakpoints");
                for (String b : d.breakpoints()) g.writeString(b);
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w + "\n";
    }

    // four decimals keep a point within a tenth of a pixel on a 3x screen and the file readable
    private static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }

    /** Reads a sidecar's text; a SourceError names {@code file}, the line and the column of what is wrong. */
    public static AnnotationDoc parse(String file, String text) {
        List<Annotation> annotations = new ArrayList<>();
        List<TeacherNote> notes = new ArrayList<>();
        List<String> breakpoints = new ArrayList<>();
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw at(file, p.currentTokenLocation(), "an annotations file is a JSON object");
            boolean magic = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonLocation where = p.currentTokenLocation();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "kstep" -> {
                        if (t != JsonToken.VALUE_STRING || !p.getText().equals(MAGIC)) throw at(file, where, "\"kstep\" must be \"" + MAGIC + "\"");
                        magic = true;
                    }
                    case "version" -> {
                        if (t != JsonToken.VALUE_NUMBER_INT || p.getIntValue() != VERSION)
                            throw at(file, where, "version " + p.getText() + " is not one this kstep reads (it reads " + VERSION + ")");
                    }
                    case "annotations" -> {
                        if (t != JsonToken.START_ARRAY) throw at(file, where, "\"annotations\" is a list");
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            JsonLocation start = p.currentTokenLocation();
                            Annotation a = annotation(file, start, p.readValueAsTree());
                            for (Annotation o : annotations) if (o.id().equals(a.id())) throw at(file, start, "a second annotation '" + a.id() + "'");
                            annotations.add(a);
                        }
                        if (p.currentToken() != JsonToken.END_ARRAY) throw at(file, p.currentTokenLocation(), "each annotation is a JSON object");
                    }
                    case "notes" -> {
                        if (t != JsonToken.START_ARRAY) throw at(file, where, "\"notes\" is a list");
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            JsonLocation start = p.currentTokenLocation();
                            notes.add(note(file, start, p.readValueAsTree()));
                        }
                        if (p.currentToken() != JsonToken.END_ARRAY) throw at(file, p.currentTokenLocation(), "each note is a JSON object");
                    }
                    case "breakpoints" -> {
                        if (t != JsonToken.START_ARRAY) throw at(file, where, "\"breakpoints\" is a list");
                        while (p.nextToken() == JsonToken.VALUE_STRING) {
                            if (p.getText().isBlank()) throw at(file, p.currentTokenLocation(), "a breakpoint cannot be blank");
                            breakpoints.add(p.getText());
                        }
                        if (p.currentToken() != JsonToken.END_ARRAY)
                            throw at(file, p.currentTokenLocation(), "each breakpoint is a string, as kstep debug --break takes it");
                    }
                    default -> throw at(file, where, "unknown field \"" + field + "\" (fields: kstep, version, annotations, notes, breakpoints)");
                }
            }
            if (!magic) throw new SourceError(new SourcePos(file, 1, 1), "not a kstep annotations file (no \"kstep\": \"" + MAGIC + "\")");
            if (p.nextToken() != null) throw at(file, p.currentTokenLocation(), "text after the end of the JSON object");
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            throw new SourceError(new SourcePos(file, l == null ? 1 : Math.max(1, l.getLineNr()), l == null ? 1 : Math.max(1, l.getColumnNr())),
                "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new SourceError(new SourcePos(file, 1, 1), "cannot read: " + e.getMessage());
        }
        return new AnnotationDoc(annotations, notes, breakpoints);
    }

    private static final Set<String> ANNOTATION_FIELDS = Set.of("id", "kind", "variant", "steps", "colour", "number", "text", "at");

    private static Annotation annotation(String file, JsonLocation where, JsonNode n) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            String f = it.next().getKey();
            if (!ANNOTATION_FIELDS.contains(f)) throw at(file, where, "unknown field \"" + f + "\" in an annotation");
        }
        String id = text(file, where, n, "id");
        String kind = text(file, where, n, "kind");
        String variant = text(file, where, n, "variant");
        StepRange steps;
        try {
            steps = StepRange.parse(text(file, where, n, "steps"));
        } catch (IllegalArgumentException e) {
            throw at(file, where, "annotation '" + id + "': " + e.getMessage());
        }
        String colour = text(file, where, n, "colour");
        if (!colour.matches("#[0-9a-fA-F]{6}")) throw at(file, where, "annotation '" + id + "': colour '" + colour + "' is not #rrggbb");
        JsonNode at = n.get("at");
        if (at == null || !at.isArray()) throw at(file, where, "annotation '" + id + "' has no \"at\" list of points");
        List<Anchor> points = new ArrayList<>();
        for (JsonNode a : at) {
            if (!a.isObject() || !a.path("target").isTextual() || a.path("target").asText().isBlank() || !a.path("x").isNumber() || !a.path("y").isNumber())
                throw at(file, where, "annotation '" + id + "': each point is {\"target\": NAME, \"x\": FRACTION, \"y\": FRACTION}");
            points.add(new Anchor(a.get("target").asText(), a.get("x").asDouble(), a.get("y").asDouble()));
        }
        int want = switch (kind) {
            case "arrow", "box", "highlight" -> 2;
            case "marker", "callout" -> 1;
            default -> throw at(file, where, "annotation '" + id + "': kind '" + kind + "' is not arrow, box, highlight, marker or callout");
        };
        if (points.size() != want) throw at(file, where, "annotation '" + id + "': a " + kind + " has " + want + " point" + (want == 1 ? "" : "s") + ", not " + points.size());
        return switch (kind) {
            case "arrow" -> new Annotation.Arrow(id, variant, steps, colour, points.get(0), points.get(1));
            case "box" -> new Annotation.Box(id, variant, steps, colour, points.get(0), points.get(1));
            case "highlight" -> new Annotation.Highlight(id, variant, steps, colour, points.get(0), points.get(1));
            case "marker" -> {
                if (!n.path("number").canConvertToInt() || n.path("number").asInt() < 1) throw at(file, where, "annotation '" + id + "': a marker needs a \"number\" of 1 or more");
                yield new Annotation.Marker(id, variant, steps, colour, points.get(0), n.get("number").asInt());
            }
            default -> new Annotation.Callout(id, variant, steps, colour, points.get(0), text(file, where, n, "text"));
        };
    }

    private static TeacherNote note(String file, JsonLocation where, JsonNode n) {
        if (!n.path("step").canConvertToInt() || n.path("step").asInt() < 0) throw at(file, where, "a note needs a \"step\" of 0 or more");
        return new TeacherNote(text(file, where, n, "variant"), n.get("step").asInt(), text(file, where, n, "text"));
    }

    private static String text(String file, JsonLocation where, JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw at(file, where, "missing text field \"" + field + "\"");
        return v.asText();
    }

    private static SourceError at(String file, JsonLocation l, String msg) {
        return new SourceError(new SourcePos(file, Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr())), msg);
    }
}
