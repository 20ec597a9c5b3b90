package kstep.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import kstep.debug.Breakpoint;
import kstep.debug.Breakpoints;
import kstep.debug.DebugError;
import kstep.debug.Debugger;
import kstep.scenario.Scenario;
import kstep.scenario.Session;

/** {@code kstep debug}: where breakpoints and watchpoints stop in a run, forward or backward from a step. */
@Command(name = "debug", description = "Run a scenario and show where breakpoints stop: every hit, or the next (--from N) or previous (--from N --reverse) one.")
final class DebugCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ScenarioArgs args;

    @Option(names = "--why", paramLabel = "OBJECT[.FIELD]", description = "Instead: the steps that wrote it, up to --from N (default: the end), the latest first.")
    String why;

    @Option(names = "--break", paramLabel = "SPEC",
        description = "A breakpoint: 'line FILE:N [cpuK]', 'watch OBJECT[.FIELD]' (also 'watch frameN', 'watch pte@0xADDR', 'watch vma@0xADDR'), 'event KIND [SUBJECT]',"
            + " 'finding [KIND]', 'when EXPR', 'text WORDS' or a kernel happening ('lock-taken [LOCK]', lock-released, vpe-resident,"
            + " vpe-nonresident, doorbell-armed, doorbell-disarmed, pte-changed, vma-split, vma-merged, page-reclaimed); any may end with"
            + " 'if EXPR'. Repeat for more. Without it: the breakpoints saved with the scenario's annotations (the window's Breakpoints tab).")
    List<String> breaks = List.of();

    @CommandLine.Mixin
    ScheduleArgs schedule;

    @Option(names = "--from", paramLabel = "N", description = "Only the first stop after step N (with --reverse: the last before it).")
    Integer from;

    @Option(names = "--reverse", description = "With --from: reverse-continue, back to the previous stop.")
    boolean reverse;

    @Option(names = "--json", description = "One JSON object: the hits, and the hit count of each breakpoint.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (reverse && from == null) throw new IllegalArgumentException("--reverse goes back from a step: give --from N");
        Scenario s = args.open();
        Session session = args.moment() != null && args.variant == null ? args.moment().session() : new Session(s, args.variantOf(s));
        schedule.apply(session);
        if (why != null) return why(s, session);
        // without --break: the breakpoints the window saved with the scenario's (or the bundle's) annotations
        List<String> specs = breaks.isEmpty() ? kstep.annotate.Sidecar.open(kstep.annotate.Sidecar.pathFor(session.scenario())).doc().breakpoints() : breaks;
        if (specs.isEmpty()) throw new IllegalArgumentException("give --break SPEC (or --why OBJECT); none are saved with this scenario's annotations");
        List<Breakpoint> bps = new ArrayList<>();
        for (String b : specs) {
            try {
                bps.add(Breakpoints.parse(b, session.worldAt(0)));
            } catch (DebugError e) {
                throw new IllegalArgumentException("--break '" + b + "', column " + e.col() + ": " + e.getMessage());
            }
        }
        List<Debugger.Hit> hits = new ArrayList<>();
        if (from != null) {
            if (from < 0 || from > session.length()) throw new IllegalArgumentException("--from " + from + " is outside 0.." + session.length());
            Debugger.Hit h = reverse ? Debugger.previous(session, bps, from) : Debugger.next(session, bps, from);
            if (h != null) hits.add(h);
        } else {
            for (int n = 1; n <= session.length(); n++) {
                Debugger.Hit h = Debugger.at(session, bps, n);
                if (h != null) hits.add(h);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("scenario", s.id());
            o.put("variant", session.variant());
            List<Map<String, Object>> hs = new ArrayList<>();
            for (Debugger.Hit h : hits) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("step", h.step());
                m.put("break", h.breakpoint().spec());
                m.put("why", h.why());
                hs.add(m);
            }
            o.put("hits", hs);
            Map<String, Object> counts = new LinkedHashMap<>();
            for (Breakpoint b : bps) counts.put(b.spec(), hits.stream().filter(h -> h.breakpoint() == b).count());
            o.put("counts", counts);
            out.println(Json.write(o));
        } else {
            out.printf("# %s, variant %s, %d steps%n", s.id(), session.variant(), session.length());
            for (Debugger.Hit h : hits) out.printf("%5d  %-32s %s%n", h.step(), h.breakpoint().spec(), h.why());
            if (hits.isEmpty()) out.println(from == null ? "no breakpoint stops in this run" : reverse ? "no stop before step " + from : "no stop after step " + from);
        }
        return Cli.OK;
    }

    private int why(Scenario s, Session session) {
        int upTo = from == null ? session.length() : from;
        List<kstep.debug.Why.Cause> cs;
        try {
            cs = kstep.debug.Why.history(session, why, upTo);
        } catch (DebugError e) {
            throw new IllegalArgumentException("--why '" + why + "', column " + (e.col() - 6) + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("# %s, variant %s: why %s is so at step %d%n", s.id(), session.variant(), why, upTo);
        for (kstep.debug.Why.Cause c : cs) out.println(c);
        if (cs.isEmpty()) out.println("nothing wrote it up to step " + upTo);
        return Cli.OK;
    }
}
