package kstep.annotate;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The one way to change a scenario's annotations and notes: every change is an edit that can be undone and
 * redone, and is saved to the sidecar at once (autosave), so closing or crashing loses nothing.
 */
public final class AnnotationEditor {
    private static final int MAX_UNDO = 500;

    private final Sidecar sidecar;
    private AnnotationDoc doc;
    private final Deque<AnnotationDoc> undo = new ArrayDeque<>();
    private final Deque<AnnotationDoc> redo = new ArrayDeque<>();
    private final List<Runnable> listeners = new ArrayList<>();
    private String lastKey;
    private String saveError;

    public AnnotationEditor(Sidecar sidecar) {
        this(sidecar, sidecar.doc());
    }

    private AnnotationEditor(Sidecar sidecar, AnnotationDoc doc) {
        this.sidecar = sidecar;
        this.doc = doc;
    }

    /** An editor that keeps everything in memory (for exports and tests that must not write). */
    public static AnnotationEditor inMemory(AnnotationDoc doc) {
        return new AnnotationEditor(null, doc);
    }

    public AnnotationDoc doc() {
        return doc;
    }

    /** The sidecar, or null for an in-memory editor. */
    public Sidecar sidecar() {
        return sidecar;
    }

    /** Called after every change, undo and redo. */
    public void onChange(Runnable r) {
        listeners.add(r);
    }

    /** Applies {@code edit}; an edit with the same non-null {@code key} as the last one joins its undo step (typing a note). */
    public void apply(UnaryOperator<AnnotationDoc> edit, String key) {
        AnnotationDoc next = Objects.requireNonNull(edit.apply(doc));
        if (next.equals(doc)) return;
        if (key == null || !key.equals(lastKey) || undo.isEmpty()) {
            undo.push(doc);
            if (undo.size() > MAX_UNDO) undo.removeLast();
        }
        lastKey = key;
        redo.clear();
        doc = next;
        changed();
    }

    public void apply(UnaryOperator<AnnotationDoc> edit) {
        apply(edit, null);
    }

    public boolean canUndo() {
        return !undo.isEmpty();
    }

    public boolean canRedo() {
        return !redo.isEmpty();
    }

    /**
     * Sets the breakpoints: saved with the annotations but outside their undo history (Ctrl+Z takes back a
     * drawing, not a breakpoint), so undo and redo keep the breakpoints as they are now.
     */
    public void setBreakpoints(List<String> specs) {
        AnnotationDoc next = doc.withBreakpoints(specs);
        if (next.equals(doc)) return;
        doc = next;
        changed();
    }

    public void undo() {
        if (undo.isEmpty()) return;
        redo.push(doc);
        doc = undo.pop().withBreakpoints(doc.breakpoints());
        lastKey = null;
        changed();
    }

    public void redo() {
        if (redo.isEmpty()) return;
        undo.push(doc);
        doc = redo.pop().withBreakpoints(doc.breakpoints());
        lastKey = null;
        changed();
    }

    /** Why the last save failed (disk full, no permission), or null; the edits stay in memory and the next change retries. */
    public String saveError() {
        return saveError;
    }

    private void changed() {
        if (sidecar != null) {
            try {
                sidecar.save(doc);
                saveError = null;
            } catch (IOException | RuntimeException e) {
                saveError = "cannot save " + sidecar.saveTo() + ": " + e.getMessage();
            }
        }
        for (Runnable r : listeners) r.run();
    }
}
