package kstep.scenario;

import kstep.engine.Choice;
import kstep.lang.SourceError;
import kstep.lang.SourcePos;

/**
 * Reads one schedule line: {@code step cpu0 x3}, {@code run cpu0 until label wfi_halt}, {@code run all until end},
 * {@code preempt cpu0}, {@code irq cpu0}, {@code event msi}. Conditions: {@code enter F}, {@code return F},
 * {@code call F}, {@code label L}, {@code switch}, {@code blocked}, {@code finding}, {@code end},
 * {@code expr EXPRESSION}.
 */
final class ScheduleParser {
    private ScheduleParser() { }

    static ScheduleAction parse(String text, String note, SourcePos pos, int cpus) {
        String t = text.strip();
        String[] w = t.split("\\s+");
        if (w.length == 0 || t.isEmpty()) throw new SourceError(pos, "empty schedule line");
        switch (w[0]) {
            case "step" -> {
                if (w.length < 2) throw new SourceError(pos, "step needs a CPU: step cpu0 [x3]");
                int cpu = cpu(w[1], pos, cpus, false);
                int count = 1;
                if (w.length == 3) {
                    String c = w[2].startsWith("x") ? w[2].substring(1) : w[2];
                    try {
                        count = Integer.parseInt(c);
                    } catch (NumberFormatException e) {
                        throw new SourceError(pos, "'" + w[2] + "' is not a step count (x3)");
                    }
                    if (count < 1 || count > 100_000) throw new SourceError(pos, "step count must be 1..100000");
                } else if (w.length > 3) {
                    throw new SourceError(pos, "too many words: step cpu0 [x3]");
                }
                return new ScheduleAction.Step(pos, t, note, cpu, count);
            }
            case "run" -> {
                if (w.length < 2) throw new SourceError(pos, "run needs a CPU or 'all': run cpu0 until switch");
                int cpu = cpu(w[1], pos, cpus, true);
                ScheduleAction.Until until = new ScheduleAction.Until.Blocked();
                if (w.length > 2) {
                    if (!w[2].equals("until")) throw new SourceError(pos, "expected 'until' after run " + w[1]);
                    if (w.length < 4) throw new SourceError(pos, "until what? (enter F, return F, call F, label L, switch, blocked, finding, end, expr E)");
                    until = until(t, w, pos);
                }
                return new ScheduleAction.Run(pos, t, note, cpu, until);
            }
            case "preempt", "irq", "softirq" -> {
                if (w.length != 2) throw new SourceError(pos, w[0] + " needs one CPU: " + w[0] + " cpu0");
                int cpu = cpu(w[1], pos, cpus, false);
                Choice c = switch (w[0]) {
                    case "preempt" -> Choice.preempt(cpu);
                    case "irq" -> Choice.irq(cpu);
                    default -> Choice.softirq(cpu);
                };
                return new ScheduleAction.Inject(pos, t, note, c);
            }
            case "event" -> {
                if (w.length != 2) throw new SourceError(pos, "event needs one name: event msi");
                return new ScheduleAction.Inject(pos, t, note, Choice.event(w[1]));
            }
            default -> throw new SourceError(pos, "unknown schedule action '" + w[0] + "' (step, run, preempt, irq, softirq, event)");
        }
    }

    private static ScheduleAction.Until until(String t, String[] w, SourcePos pos) {
        String kind = w[3];
        switch (kind) {
            case "switch", "blocked", "finding", "end" -> {
                if (w.length != 4) throw new SourceError(pos, "'until " + kind + "' takes nothing after it");
                return switch (kind) {
                    case "switch" -> new ScheduleAction.Until.Switch();
                    case "blocked" -> new ScheduleAction.Until.Blocked();
                    case "finding" -> new ScheduleAction.Until.Finding();
                    default -> new ScheduleAction.Until.End();
                };
            }
            case "enter", "return", "call", "label" -> {
                if (w.length != 5) throw new SourceError(pos, "'until " + kind + "' needs one name");
                return switch (kind) {
                    case "enter" -> new ScheduleAction.Until.Enter(w[4]);
                    case "return" -> new ScheduleAction.Until.Return(w[4]);
                    case "call" -> new ScheduleAction.Until.Call(w[4]);
                    default -> new ScheduleAction.Until.Label(w[4]);
                };
            }
            case "expr" -> {
                int at = t.indexOf("expr") + 4;
                while (at < t.length() && Character.isWhitespace(t.charAt(at))) at++;
                return new ScheduleAction.Until.Expr(t.substring(at), new SourcePos(pos.file(), pos.line(), pos.col() + at));
            }
            default -> throw new SourceError(pos, "unknown condition '" + kind + "' (enter, return, call, label, switch, blocked, finding, end, expr)");
        }
    }

    private static int cpu(String s, SourcePos pos, int cpus, boolean allowAll) {
        if (allowAll && s.equals("all")) return -1;
        if (!s.matches("cpu[0-9]{1,3}")) throw new SourceError(pos, "'" + s + "' is not a CPU (cpu0" + (allowAll ? ", or all" : "") + ")");
        int c = Integer.parseInt(s.substring(3));
        if (c >= cpus) throw new SourceError(pos, s + " does not exist: the machine has " + cpus + " CPU" + (cpus == 1 ? "" : "s"));
        return c;
    }
}
