package kstep.bpf;

/**
 * Which kernel kstep's verifier is: the Linux 6.18 this machine runs, or 6.18 with the stack-arguments series
 * ("bpf: Support stack arguments for BPF functions and kfuncs", 2026-04), which the running kernel does not
 * have. The series passes arguments 6 to 12 through R11 (BPF_REG_PARAMS) and replaces 6.18's stack liveness
 * by a static analysis before do_check() ({@link ArgTracking}) whose dead slots are poisoned at checkpoints.
 * {@link #STACK_ARGS_UNPATCHED} is the series without its patch 04/18 (the liveness analysis does not follow
 * pointers through stack-argument slots): the variant that shows what the patch fixes.
 */
public enum KernelVariant {
    LINUX_6_18("6.18"),
    STACK_ARGS("stack-args"),
    STACK_ARGS_UNPATCHED("stack-args-unpatched");

    private final String label;

    KernelVariant(String label) {
        this.label = label;
    }

    /** The name the command line, the scenario files and the views use. */
    public String label() {
        return label;
    }

    /** Whether R11 instructions exist and the static liveness runs. */
    public boolean stackArgs() {
        return this != LINUX_6_18;
    }

    /** Whether the arg-tracking dataflow follows pointers through stack-argument slots (patch 04/18). */
    boolean tracksStackArgSlots() {
        return this == STACK_ARGS;
    }

    /**
     * The variant an assembly file declares with a "// kernel stack-args" line, or null; an unknown name is a
     * SourceError at that line.
     */
    public static KernelVariant declared(String path, String text) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String s = lines[i].strip();
            if (!s.startsWith("// kernel ")) continue;
            try {
                return of(s.substring(10).strip());
            } catch (IllegalArgumentException e) {
                throw new kstep.lang.SourceError(new kstep.lang.SourcePos(path, i + 1, lines[i].indexOf("kernel") + 8), e.getMessage());
            }
        }
        return null;
    }

    /** The variant called {@code label}; IllegalArgumentException naming the known ones otherwise. */
    public static KernelVariant of(String label) {
        for (KernelVariant k : values()) if (k.label.equals(label)) return k;
        throw new IllegalArgumentException("unknown kernel variant '" + label + "' (known: 6.18, stack-args, stack-args-unpatched)");
    }
}
