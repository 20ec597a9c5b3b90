package kstep.engine;

/**
 * What changed in a step. {@code subject} names the thing that changed (an object such as {@code vpe0}, a CPU
 * {@code cpu0}, a task {@code task:1201}, a frame {@code frame:kvm_vcpu_block}) and {@code field} the part of
 * it; views highlight by subject and field, watchpoints match them, and {@link #text()} is the line users read.
 */
public record Event(Kind kind, String subject, String field, String oldValue, String newValue, String message) {

    public enum Kind {
        /** an object field was written */
        SET,
        /** a local variable was written */
        LOCAL,
        /** preempt_count, irq mask, the running task of a CPU */
        CPU,
        /** a task's scheduler state */
        TASK,
        CALL,
        RETURN,
        /** an interrupt was raised, taken or masked */
        IRQ,
        /** the scheduler preempted a task */
        PREEMPT,
        /** a context switch */
        SWITCH,
        /** hardware outside the CPUs acted (the ITS, a device) */
        DEVICE,
        /** a line from the schedule or the model: notes, WARN text */
        NOTE,
        FINDING;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static Event change(Kind k, String subject, String field, String oldValue, String newValue) {
        return new Event(k, subject, field, oldValue, newValue, null);
    }

    public static Event say(Kind k, String subject, String message) {
        return new Event(k, subject, null, null, null, message);
    }

    /** The line users read: {@code vpe0.resident true -> false}, or the message. */
    public String text() {
        if (message != null) return message;
        String what = field == null ? subject : subject + "." + field;
        return what + " " + oldValue + " -> " + newValue;
    }
}
