package kstep.annotate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnnotationEditorTest {
    private static Annotation.Box box(String id, int step) {
        return new Annotation.Box(id, "buggy", StepRange.only(step), "#d1242f", new Anchor("vgic:pcpu0", 0, 0), new Anchor("vgic:pcpu0", 1, 1));
    }

    @Test
    void undoAndRedoWalkTheEditsAndEveryOneIsSaved(@TempDir Path dir) {
        Path f = dir.resolve("s.annotations.json");
        AnnotationEditor ed = new AnnotationEditor(Sidecar.open(f));
        int[] calls = {0};
        ed.onChange(() -> calls[0]++);
        ed.apply(d -> d.with(box("a1", 3)));
        ed.apply(d -> d.replaced(((Annotation.Box) d.get("a1")).withColour("#1f6feb")));
        ed.apply(d -> d.without("a1"));
        assertEquals(List.of(), ed.doc().annotations());
        ed.undo();
        assertEquals("#1f6feb", ed.doc().get("a1").colour());
        ed.undo();
        assertEquals("#d1242f", ed.doc().get("a1").colour());
        assertEquals(ed.doc(), Sidecar.open(f).doc(), "an undo is saved too");
        ed.redo();
        assertEquals("#1f6feb", ed.doc().get("a1").colour());
        ed.apply(d -> d.with(box("a2", 4)));
        assertFalse(ed.canRedo(), "a new edit drops the redo list");
        assertEquals(7, calls[0], "four edits, two undos and a redo");
        assertNull(ed.saveError());
    }

    @Test
    void undoTakesBackADrawingButKeepsTheBreakpointsSetSince() {
        AnnotationEditor ed = AnnotationEditor.inMemory(AnnotationDoc.EMPTY);
        ed.apply(d -> d.withNote("buggy", 3, "look"));
        ed.setBreakpoints(java.util.List.of("vma-split"));
        ed.undo();
        assertEquals("", ed.doc().note("buggy", 3));
        assertEquals(java.util.List.of("vma-split"), ed.doc().breakpoints());
        ed.redo();
        assertEquals("look", ed.doc().note("buggy", 3));
        assertEquals(java.util.List.of("vma-split"), ed.doc().breakpoints());
    }

    @Test
    void typingANoteIsOneUndoStep() {
        AnnotationEditor ed = AnnotationEditor.inMemory(AnnotationDoc.EMPTY);
        for (String t : List.of("W", "Wh", "Who", "Who?")) ed.apply(d -> d.withNote("buggy", 7, t), "note buggy 7");
        assertEquals("Who?", ed.doc().note("buggy", 7));
        ed.undo();
        assertEquals("", ed.doc().note("buggy", 7));
        assertFalse(ed.canUndo());
    }

    @Test
    void markersNumberOnFromTheOnesShownAtTheStep() {
        AnnotationDoc d = AnnotationDoc.EMPTY
            .with(new Annotation.Marker("a1", "buggy", StepRange.from(2), "#000000", new Anchor("window", 0, 0), 1))
            .with(new Annotation.Marker("a2", "buggy", StepRange.only(9), "#000000", new Anchor("window", 0, 0), 2));
        assertEquals(2, d.nextMarker("buggy", 5));
        assertEquals(3, d.nextMarker("buggy", 9));
        assertEquals(1, d.nextMarker("fixed", 9), "variants keep their own numbers");
        assertEquals("a3", d.nextId());
        assertTrue(d.shownAt("buggy", 1).isEmpty());
    }
}
