package kstep.annotate;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything a sidecar file holds for one scenario: the annotations, the teacher's notes and the breakpoints set
 * (as {@code kstep debug --break} takes them), so a class finds them again next time. A value.
 */
public record AnnotationDoc(List<Annotation> annotations, List<TeacherNote> notes, List<String> breakpoints) {
    public static final AnnotationDoc EMPTY = new AnnotationDoc(List.of(), List.of());

    public AnnotationDoc {
        annotations = List.copyOf(annotations);
        notes = List.copyOf(notes);
        breakpoints = List.copyOf(breakpoints);
    }

    public AnnotationDoc(List<Annotation> annotations, List<TeacherNote> notes) {
        this(annotations, notes, List.of());
    }

    /** The same annotations and notes with {@code specs} as the breakpoints. */
    public AnnotationDoc withBreakpoints(List<String> specs) {
        return new AnnotationDoc(annotations, notes, specs);
    }

    /** The annotations drawn at {@code step} of {@code variant}, in drawing order (later ones on top). */
    public List<Annotation> shownAt(String variant, int step) {
        return annotations.stream().filter(a -> a.shownAt(variant, step)).toList();
    }

    public Annotation get(String id) {
        for (Annotation a : annotations) if (a.id().equals(id)) return a;
        return null;
    }

    public AnnotationDoc with(Annotation a) {
        if (get(a.id()) != null) throw new IllegalArgumentException("annotation " + a.id() + " exists");
        List<Annotation> l = new ArrayList<>(annotations);
        l.add(a);
        return new AnnotationDoc(l, notes, breakpoints);
    }

    /** {@code a} in place of the annotation with its id, keeping its place in the drawing order. */
    public AnnotationDoc replaced(Annotation a) {
        List<Annotation> l = new ArrayList<>(annotations);
        for (int i = 0; i < l.size(); i++) {
            if (l.get(i).id().equals(a.id())) {
                l.set(i, a);
                return new AnnotationDoc(l, notes, breakpoints);
            }
        }
        throw new IllegalArgumentException("no annotation " + a.id());
    }

    public AnnotationDoc without(String id) {
        return new AnnotationDoc(annotations.stream().filter(a -> !a.id().equals(id)).toList(), notes, breakpoints);
    }

    /** A fresh id: a1, a2, ... one past the largest used. */
    public String nextId() {
        int max = 0;
        for (Annotation a : annotations) {
            if (a.id().matches("a[0-9]{1,9}")) max = Math.max(max, Integer.parseInt(a.id().substring(1)));
        }
        return "a" + (max + 1);
    }

    /** The number a new marker at {@code step} gets: one more than the markers already shown there. */
    public int nextMarker(String variant, int step) {
        int max = 0;
        for (Annotation a : shownAt(variant, step)) if (a instanceof Annotation.Marker m) max = Math.max(max, m.number());
        return max + 1;
    }

    /** The teacher's note for {@code step}, or "" when there is none. */
    public String note(String variant, int step) {
        for (TeacherNote n : notes) if (n.variant().equals(variant) && n.step() == step) return n.text();
        return "";
    }

    /** The note for {@code step} set to {@code text}; a blank text removes it. */
    public AnnotationDoc withNote(String variant, int step, String text) {
        List<TeacherNote> l = new ArrayList<>();
        for (TeacherNote n : notes) if (!(n.variant().equals(variant) && n.step() == step)) l.add(n);
        if (!text.isBlank()) l.add(new TeacherNote(variant, step, text));
        l.sort(java.util.Comparator.comparing(TeacherNote::variant).thenComparingInt(TeacherNote::step));
        return new AnnotationDoc(annotations, l, breakpoints);
    }
}
