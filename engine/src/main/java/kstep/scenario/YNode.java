package kstep.scenario;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import kstep.lang.SourceError;
import kstep.lang.SourcePos;

/**
 * A YAML node that remembers where it was written, so every complaint about a scenario names the file, line
 * and column. Wraps SnakeYAML's composed node tree; typed getters throw {@link SourceError}.
 */
public final class YNode {
    private final String file;
    private final Node node;

    YNode(String file, Node node) {
        this.file = file;
        this.node = node;
    }

    public SourcePos pos() {
        return new SourcePos(file, node.getStartMark().getLine() + 1, node.getStartMark().getColumn() + 1);
    }

    /** Where the text of a scalar starts (after an opening quote), so expression errors point into it. */
    public SourcePos textPos() {
        SourcePos p = pos();
        if (node instanceof ScalarNode s) {
            DumperOptions.ScalarStyle st = s.getScalarStyle();
            if (st == DumperOptions.ScalarStyle.DOUBLE_QUOTED || st == DumperOptions.ScalarStyle.SINGLE_QUOTED)
                return new SourcePos(file, p.line(), p.col() + 1);
            if (st == DumperOptions.ScalarStyle.LITERAL || st == DumperOptions.ScalarStyle.FOLDED)
                return new SourcePos(file, p.line() + 1, p.col() + 2);
        }
        return p;
    }

    public SourceError error(String msg) {
        return new SourceError(pos(), msg);
    }

    public boolean isScalar() {
        return node instanceof ScalarNode;
    }

    public boolean isMap() {
        return node instanceof MappingNode;
    }

    public boolean isList() {
        return node instanceof SequenceNode;
    }

    public String str() {
        if (!(node instanceof ScalarNode s)) throw error("expected a text value here");
        return s.getValue();
    }

    public long integer() {
        String s = str().strip();
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) return Long.parseLong(s.substring(2), 16);
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error("expected a number, found '" + s + "'");
        }
    }

    public int intIn(int lo, int hi) {
        long v = integer();
        if (v < lo || v > hi) throw error("expected a number from " + lo + " to " + hi + ", found " + v);
        return (int) v;
    }

    public boolean bool() {
        return switch (str().strip()) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error("expected true or false");
        };
    }

    public List<YNode> list() {
        if (!(node instanceof SequenceNode s)) throw error("expected a list here");
        List<YNode> out = new ArrayList<>();
        for (Node n : s.getValue()) out.add(new YNode(file, n));
        return out;
    }

    /** A list of text values; a single text value counts as a list of one. */
    public List<String> strings() {
        if (isScalar()) return str().isBlank() ? List.of() : List.of(str());
        List<String> out = new ArrayList<>();
        for (YNode n : list()) out.add(n.str());
        return out;
    }

    /** The entries of a mapping in written order; duplicate keys are an error. */
    public Map<String, YNode> map() {
        if (!(node instanceof MappingNode m)) throw error("expected a mapping (key: value) here");
        Map<String, YNode> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            YNode k = new YNode(file, t.getKeyNode());
            String key = k.str();
            if (out.containsKey(key)) throw k.error("'" + key + "' appears twice");
            out.put(key, new YNode(file, t.getValueNode()));
        }
        return Collections.unmodifiableMap(out);
    }

    /** The key's node position, for errors about a key itself. */
    public SourcePos keyPos(String key) {
        MappingNode m = (MappingNode) node;
        for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key))
                return new YNode(file, t.getKeyNode()).pos();
        }
        return pos();
    }

    /** Rejects keys outside {@code allowed} (catches typos such as "schedul:"). */
    public void allowOnly(Set<String> allowed) {
        for (String k : map().keySet()) {
            if (!allowed.contains(k)) {
                if (allowed.isEmpty()) throw new SourceError(keyPos(k), "unknown key '" + k + "': this section takes no keys");
                throw new SourceError(keyPos(k), "unknown key '" + k + "' (expected one of: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")"
                    + kstep.lang.Suggest.didYouMean(k, allowed));
            }
        }
    }

    public YNode get(String key) {
        return map().get(key);
    }

    public YNode require(String key) {
        YNode n = map().get(key);
        if (n == null) throw error("missing '" + key + "'");
        return n;
    }

    public String optStr(String key, String dflt) {
        YNode n = get(key);
        return n == null ? dflt : n.str();
    }
}
