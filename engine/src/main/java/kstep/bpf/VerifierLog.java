package kstep.bpf;

/**
 * The verifier's log buffer (struct bpf_verifier_log) with the two positions do_check() keeps to put an
 * instruction's resulting state on the instruction's own line, after a ';' at the kernel's alignment
 * (print_insn_state(), vlog_alignment()), and the rewind pop_stack() does at log level 1.
 */
public final class VerifierLog {
    private final StringBuilder b = new StringBuilder();
    final int level;
    /** env->prev_log_pos: where the last instruction line ended (0 when none). */
    int prevLogPos;
    /** env->prev_insn_print_pos: the length of that line, newline included. */
    int prevInsnPrintPos;

    VerifierLog(int level) {
        this.level = level;
    }

    boolean on() {
        return level >= 1;
    }

    boolean level2() {
        return level >= 2;
    }

    void add(String s) {
        if (level >= 1) b.append(s);
    }

    int end() {
        return b.length();
    }

    /** bpf_vlog_reset(). */
    void reset(int pos) {
        if (pos < b.length()) b.setLength(pos);
    }

    /** vlog_alignment(): pad to max(pos + 4, 40) rounded up to 8, less the newline. */
    static int alignment(int pos) {
        int want = Math.max(pos + 4, 40);
        return ((want + 7) / 8) * 8 - pos - 1;
    }

    /** The start of print_insn_state(): back onto the instruction's line after ';', or a new "N:" line. */
    void insnStatePrefix(int insnIdx) {
        if (prevLogPos != 0 && prevLogPos == b.length()) {
            b.setLength(prevLogPos - 1);
            b.append(" ".repeat(alignment(prevInsnPrintPos))).append(';');
        } else {
            b.append(insnIdx).append(':');
        }
    }

    @Override
    public String toString() {
        return b.toString();
    }
}
