package kstep.annotate;

/** What a teacher typed in the notes panel for one step of one variant. */
public record TeacherNote(String variant, int step, String text) {
    public TeacherNote {
        if (step < 0) throw new IllegalArgumentException("a note's step is 0 or more");
    }
}
