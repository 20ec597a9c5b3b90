package kstep.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import kstep.engine.Choice;
import kstep.engine.Event;
import kstep.engine.Explorer;
import kstep.engine.Finding;
import kstep.engine.StepRecord;
import kstep.engine.Trace;

/** The JSON the command line prints: key order fixed, so the same run prints the same bytes. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() { }

    static String write(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> finding(Finding f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", f.kind());
        m.put("step", f.step());
        m.put("message", f.message());
        return m;
    }

    static Map<String, Object> event(Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", e.kind().label());
        m.put("subject", e.subject());
        if (e.field() != null) m.put("field", e.field());
        if (e.oldValue() != null) m.put("old", e.oldValue());
        if (e.newValue() != null) m.put("new", e.newValue());
        m.put("text", e.text());
        return m;
    }

    static Map<String, Object> step(StepRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", r.n());
        m.put("cpu", r.cpu() < 0 ? null : r.cpu());
        m.put("task", r.cpu() < 0 ? null : r.taskName());
        m.put("where", r.cpu() < 0 ? null : r.whereText());
        m.put("choice", r.choice().toString());
        List<Object> evs = new ArrayList<>();
        for (Event e : r.events()) evs.add(event(e));
        m.put("events", evs);
        if (r.note() != null) m.put("note", r.note());
        return m;
    }

    static Map<String, Object> run(String scenario, String variant, Trace t, String outcome) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario);
        m.put("variant", variant);
        List<Object> steps = new ArrayList<>();
        for (StepRecord r : t.steps()) steps.add(step(r));
        m.put("steps", steps);
        List<Object> fs = new ArrayList<>();
        for (Finding f : t.findings()) fs.add(finding(f));
        m.put("findings", fs);
        m.put("outcome", outcome);
        return m;
    }

    static Map<String, Object> explore(String scenario, String variant, int bound, Explorer.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario);
        m.put("variant", variant);
        m.put("bound", bound);
        m.put("explored_states", r.exploredStates());
        m.put("transitions", r.transitions());
        m.put("exhausted", r.exhausted());
        m.put("frontier_at_bound", r.frontierAtBound());
        m.put("state_limit_hit", r.stateLimitHit());
        m.put("finding", r.finding() == null ? null : finding(r.finding()));
        List<String> sched = new ArrayList<>();
        for (Choice c : r.schedule()) sched.add(c.toString());
        m.put("schedule", sched);
        return m;
    }

    /** Reads a schedule from JSON: an array of choices, or an object with a "schedule" array. */
    static List<String> readSchedule(String text) throws JsonProcessingException {
        var node = MAPPER.readTree(text);
        if (node.isObject() && node.has("schedule")) node = node.get("schedule");
        if (!node.isArray()) throw new IllegalArgumentException("expected a JSON array of choices or an object with \"schedule\"");
        List<String> out = new ArrayList<>();
        for (var n : node) {
            if (!n.isTextual()) throw new IllegalArgumentException("schedule entries are strings such as \"cpu0\"");
            out.add(n.asText());
        }
        return out;
    }
}
