package kstep.engine;

/**
 * A bug the checks found: its kind ({@code lost-wakeup}, {@code sleep-in-atomic}, {@code warning}...), the step
 * at which it happened, and the message in the kernel's own format (several lines where the kernel prints
 * several).
 */
public record Finding(String kind, int step, String message) {
    /** The line that says what happened ("WARNING: possible circular locking dependency detected"), not a rule. */
    public String headline() {
        for (String l : message.split("\n")) if (!l.isBlank() && !l.matches("[-=]+|-+\\[ cut here \\]-+")) return l.strip();
        return kind;
    }

    public Finding withStep(int s) {
        return new Finding(kind, s, message);
    }
}
