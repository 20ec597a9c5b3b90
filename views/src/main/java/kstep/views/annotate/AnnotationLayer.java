package kstep.views.annotate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Pane;

import kstep.annotate.Anchor;
import kstep.annotate.Annotation;
import kstep.annotate.AnnotationDoc;
import kstep.annotate.AnnotationEditor;
import kstep.annotate.StepRange;

/**
 * The annotation layer over a window: draws the annotations of the current step where their anchors are
 * now, and in editing mode lets the teacher draw, select, move, resize, recolour and delete them with the
 * mouse or the keyboard. Every change goes through the engine's {@link AnnotationEditor} (undo, autosave).
 */
public final class AnnotationLayer extends Pane {
    /** What a press on the layer does. */
    public enum Tool { SELECT, ARROW, BOX, HIGHLIGHT, MARKER, TEXT }

    /** The steps a new annotation shows at. */
    public enum Scope {
        THIS_STEP("this step"), FROM_HERE("from this step on"), ALL("every step");

        final String label;

        Scope(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private static final double NEAR = 7;

    private final Node root;
    private final AnnotationPalette palette;
    private final Pane shapes = new Pane();
    // nothing drawn outside the window: a callout near the edge must not widen an export
    private final javafx.scene.shape.Rectangle clip = new javafx.scene.shape.Rectangle();
    // takes the mouse while editing, below the owner's toolbar (whose buttons, palette included, stay usable)
    private final javafx.scene.shape.Rectangle catcher = new javafx.scene.shape.Rectangle();
    private double topInset;
    private AnnotationEditor editor = AnnotationEditor.inMemory(AnnotationDoc.EMPTY);
    private String variant = "";
    private int step;
    private boolean editing;
    private Tool tool = Tool.SELECT;
    private Scope scope = Scope.THIS_STEP;
    private String colour = "#d1242f";
    private double zoom = 1;
    private String selected;
    private Map<String, Bounds> shown = Map.of();
    private String drawnKey = "";
    private final Map<String, List<Point2D>> drawn = new HashMap<>();
    private final Map<String, Bounds> labels = new HashMap<>();
    // a drag in progress: the press point, the annotation's anchors then, and which point moves (-1: all)
    private Point2D press;
    private Point2D now;
    private Annotation dragged;
    private int handle = -1;
    private TextField typing;

    /** A layer for the window whose content is {@code root} (the layer is stacked over it). */
    public AnnotationLayer(Node root) {
        this.root = root;
        setId("annotation-layer");
        getStyleClass().add("annotation-layer");
        shapes.setManaged(false);
        shapes.setMouseTransparent(true);
        setClip(clip);
        catcher.setFill(javafx.scene.paint.Color.TRANSPARENT);
        catcher.setManaged(false);
        catcher.setVisible(false);
        palette = new AnnotationPalette(this);
        palette.setVisible(false);
        palette.setManaged(false);
        getChildren().addAll(catcher, shapes);
        setPickOnBounds(false);
        setMouseTransparent(true);
        addEventHandler(MouseEvent.MOUSE_PRESSED, this::pressed);
        addEventHandler(MouseEvent.MOUSE_DRAGGED, this::dragged);
        addEventHandler(MouseEvent.MOUSE_RELEASED, this::released);
    }

    public void setEditor(AnnotationEditor e) {
        editor = e;
        selected = null;
        e.onChange(() -> {
            palette.sync();
            redraw();
        });
        redraw();
    }

    public AnnotationEditor editor() {
        return editor;
    }

    /** Shows the annotations of {@code step} of {@code variant}. */
    public void setStep(String variant, int step) {
        this.variant = variant;
        this.step = step;
        if (selected != null && (editor.doc().get(selected) == null || !editor.doc().get(selected).shownAt(variant, step))) selected = null;
        redraw();
    }

    /** Strokes and text drawn {@code z} times larger (presentation mode). */
    public void setZoom(double z) {
        zoom = z;
        redraw();
    }

    public boolean editing() {
        return editing;
    }

    /** Editing mode: the layer takes the mouse and shows its palette; otherwise clicks go to the views below. */
    public void setEditing(boolean on) {
        editing = on;
        setMouseTransparent(!on);
        catcher.setVisible(on);
        palette.setVisible(on);
        palette.setManaged(on);
        if (!on) {
            cancelTyping();
            selected = null;
        }
        palette.sync();
        redraw();
    }

    public Tool tool() {
        return tool;
    }

    public void setTool(Tool t) {
        tool = t;
        palette.sync();
    }

    public Scope scope() {
        return scope;
    }

    /** The steps new annotations show at; a selected one gets them too. */
    public void setScope(Scope s) {
        scope = s;
        Annotation a = selectedAnnotation();
        if (a != null) editor.apply(d -> d.replaced(a.withSteps(range())));
        palette.sync();
    }

    public String colour() {
        return colour;
    }

    /** The colour new annotations get; a selected one is recoloured. */
    public void setColour(String c) {
        colour = c;
        Annotation a = selectedAnnotation();
        if (a != null && !a.colour().equals(c)) editor.apply(d -> d.replaced(a.withColour(c)));
        palette.sync();
    }

    /** The selected annotation's id, or null. */
    public String selected() {
        return selected;
    }

    public void select(String id) {
        selected = id;
        Annotation a = selectedAnnotation();
        if (a != null) colour = a.colour();
        palette.sync();
        redraw();
    }

    private Annotation selectedAnnotation() {
        return selected == null ? null : editor.doc().get(selected);
    }

    public void deleteSelected() {
        if (selected == null) return;
        String id = selected;
        selected = null;
        editor.apply(d -> d.without(id));
    }

    public void undo() {
        editor.undo();
    }

    public void redo() {
        editor.redo();
    }

    /** The things annotations can point at now, in layer coordinates (tests and the palette's hint read it). */
    public Map<String, Bounds> anchors() {
        return Anchors.resolve(root, this);
    }

    /** Where annotation {@code id}'s points are drawn now (empty when it is not shown). */
    public List<Point2D> drawnPoints(String id) {
        return drawn.getOrDefault(id, List.of());
    }

    /** The ids drawn now, bottom to top. */
    public List<String> drawnIds() {
        return new ArrayList<>(drawn.keySet().stream().sorted((a, b) -> order(a) - order(b)).toList());
    }

    private int order(String id) {
        List<Annotation> l = editor.doc().annotations();
        for (int i = 0; i < l.size(); i++) if (l.get(i).id().equals(id)) return i;
        return -1;
    }

    private StepRange range() {
        return switch (scope) {
            case THIS_STEP -> StepRange.only(step);
            case FROM_HERE -> StepRange.from(step);
            case ALL -> StepRange.ALL;
        };
    }

    private Bounds window() {
        return Anchors.box(getWidth(), getHeight());
    }

    /** The tools, for the owner to place (kstep puts them in a toolbar row); shown only while editing. */
    public Node palette() {
        return palette;
    }

    @Override
    protected void layoutChildren() {
        shapes.resizeRelocate(0, 0, getWidth(), getHeight());
        clip.setWidth(getWidth());
        clip.setHeight(getHeight());
        catcher.setX(0);
        catcher.setY(topInset);
        catcher.setWidth(getWidth());
        catcher.setHeight(Math.max(0, getHeight() - topInset));
    }

    /** The height at the top (the owner's toolbar) where clicks go to the controls beneath, not the drawing. */
    public void setTopInset(double h) {
        if (h != topInset) {
            topInset = h;
            requestLayout();
        }
    }

    /**
     * Finds the anchors again and redraws when anything moved: the owner calls this after each layout, so
     * annotations follow their targets. The drawn nodes are unmanaged, so redrawing asks for no new layout.
     */
    public void redraw() {
        shown = anchors();
        List<Annotation> list = new ArrayList<>(editor.doc().shownAt(variant, step));
        if (dragged != null && press != null && now != null) {
            for (int i = 0; i < list.size(); i++) if (list.get(i).id().equals(dragged.id())) list.set(i, movedBy(dragged, now.subtract(press)));
        }
        StringBuilder key = new StringBuilder();
        key.append(getWidth()).append('x').append(getHeight()).append(' ').append(zoom).append(' ').append(selected).append(' ').append(editing);
        Map<String, List<Point2D>> points = new HashMap<>();
        for (Annotation a : list) {
            List<Point2D> ps = new ArrayList<>();
            for (Anchor an : a.anchors()) {
                Point2D p = Anchors.point(an, shown, window());
                if (p == null) {
                    ps = null;
                    break;
                }
                ps.add(p);
            }
            if (ps == null) continue;
            points.put(a.id(), ps);
            key.append('|').append(a).append(ps);
        }
        if (creating()) key.append("|new ").append(press).append(now).append(tool);
        if (key.toString().equals(drawnKey)) return;
        drawnKey = key.toString();
        drawn.clear();
        drawn.putAll(points);
        List<Node> nodes = new ArrayList<>();
        for (Annotation a : list) {
            List<Point2D> ps = points.get(a.id());
            if (ps != null) nodes.addAll(AnnotationShapes.draw(a, ps, zoom, editing && a.id().equals(selected)));
        }
        if (creating()) nodes.addAll(AnnotationShapes.preview(tool, press, now, colour, zoom));
        for (Node n : nodes) n.setManaged(false);
        shapes.getChildren().setAll(nodes);
        // unmanaged nodes get no size from their parent: a callout sizes itself once its style is known
        labels.clear();
        for (Node n : nodes) {
            if (n instanceof javafx.scene.control.Label l) {
                l.applyCss();
                l.autosize();
                // a callout near the right or bottom edge is drawn inside the window, left of or above its anchor
                l.relocate(Math.max(0, Math.min(l.getLayoutX(), getWidth() - l.getWidth() - 4)), Math.max(0, Math.min(l.getLayoutY(), getHeight() - l.getHeight() - 4)));
                labels.put((String) l.getProperties().get("annotation"), l.getBoundsInParent());
            }
        }
    }

    private boolean creating() {
        return press != null && now != null && dragged == null && (tool == Tool.ARROW || tool == Tool.BOX || tool == Tool.HIGHLIGHT);
    }

    /** {@code a} with its points (or only the handle's) moved by {@code d} pixels, each on its own target. */
    private Annotation movedBy(Annotation a, Point2D d) {
        List<Anchor> out = new ArrayList<>();
        List<Anchor> in = a.anchors();
        for (int i = 0; i < in.size(); i++) {
            Anchor an = in.get(i);
            if (handle >= 0 && i != handle) {
                out.add(an);
                continue;
            }
            Bounds b = an.target().equals(Anchor.WINDOW) ? window() : shown.get(an.target());
            if (b == null) {
                out.add(an);
                continue;
            }
            out.add(an.moved(d.getX() / Math.max(1, b.getWidth()), d.getY() / Math.max(1, b.getHeight())));
        }
        return a.withAnchors(out);
    }

    /** The topmost shown annotation near {@code p}, or null. */
    private String hit(Point2D p) {
        List<String> ids = drawnIds();
        for (int i = ids.size() - 1; i >= 0; i--) {
            Annotation a = editor.doc().get(ids.get(i));
            if (a != null && AnnotationShapes.near(a, drawn.get(a.id()), labels.get(a.id()), p, NEAR * zoom)) return a.id();
        }
        return null;
    }

    private void pressed(MouseEvent e) {
        if (!editing || e.getButton() != MouseButton.PRIMARY) return;
        requestFocus();
        Point2D p = new Point2D(e.getX(), e.getY());
        cancelTyping();
        switch (tool) {
            case SELECT -> {
                handle = -1;
                Annotation sel = selectedAnnotation();
                if (sel != null && drawn.containsKey(sel.id())) {
                    List<Point2D> ps = drawn.get(sel.id());
                    for (int i = 0; i < ps.size(); i++) if (ps.get(i).distance(p) <= NEAR * zoom + 2) handle = i;
                }
                if (handle < 0) {
                    String id = hit(p);
                    select(id);
                    if (id != null && e.getClickCount() == 2 && editor.doc().get(id) instanceof Annotation.Callout c) {
                        startTyping(drawn.get(id).get(0), c);
                        e.consume();
                        return;
                    }
                }
                dragged = selectedAnnotation();
                press = p;
                now = p;
            }
            case ARROW, BOX, HIGHLIGHT -> {
                press = p;
                now = p;
            }
            case MARKER -> {
                Anchor at = Anchors.at(p, shown, window());
                String id = editor.doc().nextId();
                editor.apply(d -> d.with(new Annotation.Marker(id, variant, range(), colour, at, d.nextMarker(variant, step))));
                select(id);
            }
            case TEXT -> startTyping(p, null);
        }
        e.consume();
    }

    private void dragged(MouseEvent e) {
        if (press == null) return;
        now = new Point2D(e.getX(), e.getY());
        redraw();
        e.consume();
    }

    private void released(MouseEvent e) {
        if (press == null) return;
        Point2D end = new Point2D(e.getX(), e.getY());
        Point2D from = press;
        Annotation moving = dragged;
        press = null;
        now = null;
        dragged = null;
        if (from.distance(end) >= 3) {
            if (moving != null) {
                Annotation moved = movedBy(moving, end.subtract(from));
                editor.apply(d -> d.replaced(moved));
            } else if (tool == Tool.ARROW || tool == Tool.BOX || tool == Tool.HIGHLIGHT) {
                create(from, end);
            }
        }
        handle = -1;
        redraw();
        e.consume();
    }

    /** A new arrow (each end on what is under it) or box/highlight (both corners on what is under its centre). */
    private void create(Point2D a, Point2D b) {
        String id = editor.doc().nextId();
        Annotation made;
        if (tool == Tool.ARROW) {
            made = new Annotation.Arrow(id, variant, range(), colour, Anchors.at(a, shown, window()), Anchors.at(b, shown, window()));
        } else {
            Point2D tl = new Point2D(Math.min(a.getX(), b.getX()), Math.min(a.getY(), b.getY()));
            Point2D br = new Point2D(Math.max(a.getX(), b.getX()), Math.max(a.getY(), b.getY()));
            String target = Anchors.at(tl.midpoint(br), shown, window()).target();
            Anchor p = Anchors.on(target, tl, shown, window());
            Anchor q = Anchors.on(target, br, shown, window());
            made = tool == Tool.BOX ? new Annotation.Box(id, variant, range(), colour, p, q) : new Annotation.Highlight(id, variant, range(), colour, p, q);
        }
        editor.apply(d -> d.with(made));
        select(id);
    }

    private void startTyping(Point2D p, Annotation.Callout editing) {
        typing = new TextField(editing == null ? "" : editing.text());
        typing.setId("annotation-text");
        typing.setPromptText("callout text, Enter to place");
        typing.setManaged(false);
        typing.resizeRelocate(p.getX(), p.getY(), 320, 28);
        TextField field = typing;
        typing.setOnKeyPressed(k -> {
            if (k.getCode() == KeyCode.ENTER) {
                String t = field.getText().strip();
                cancelTyping();
                if (t.isEmpty()) return;
                if (editing != null) {
                    editor.apply(d -> d.replaced(editing.withText(t)));
                } else {
                    String id = editor.doc().nextId();
                    Anchor at = Anchors.at(p, shown, window());
                    editor.apply(d -> d.with(new Annotation.Callout(id, variant, range(), colour, at, t)));
                    select(id);
                }
                k.consume();
            } else if (k.getCode() == KeyCode.ESCAPE) {
                cancelTyping();
                k.consume();
            }
        });
        getChildren().add(typing);
        typing.requestFocus();
    }

    private void cancelTyping() {
        if (typing != null) {
            getChildren().remove(typing);
            typing = null;
            requestFocus();
        }
    }

    /** True while a callout's text is being typed (the window leaves those keys to the text field). */
    public boolean typing() {
        return typing != null;
    }

    /**
     * The editing keys: Delete/Backspace delete the selection, Ctrl+Z undo, Ctrl+Y or Ctrl+Shift+Z redo, the
     * arrow keys nudge it (1 px, Shift 10 px), Tab selects the next annotation, 1-6 pick a tool, Escape drops
     * the selection and then leaves editing. Returns whether the key was used.
     */
    public boolean handleKey(KeyEvent e) {
        if (!editing || typing != null) return false;
        KeyCode k = e.getCode();
        if (e.isShortcutDown() && k == KeyCode.Z) {
            if (e.isShiftDown()) redo();
            else undo();
            return true;
        }
        if (e.isShortcutDown() && k == KeyCode.Y) {
            redo();
            return true;
        }
        Annotation sel = selectedAnnotation();
        switch (k) {
            case DELETE, BACK_SPACE -> {
                if (sel == null) return false;
                deleteSelected();
            }
            case LEFT, RIGHT, UP, DOWN -> {
                if (sel == null) return false;
                double s = e.isShiftDown() ? 10 : 1;
                Point2D d = switch (k) {
                    case LEFT -> new Point2D(-s, 0);
                    case RIGHT -> new Point2D(s, 0);
                    case UP -> new Point2D(0, -s);
                    default -> new Point2D(0, s);
                };
                handle = -1;
                Annotation moved = movedBy(sel, d);
                editor.apply(doc -> doc.replaced(moved));
            }
            case TAB -> {
                List<String> ids = drawnIds();
                if (ids.isEmpty()) return true;
                int i = selected == null ? -1 : ids.indexOf(selected);
                select(ids.get(Math.floorMod(i + (e.isShiftDown() ? -1 : 1), ids.size())));
            }
            case DIGIT1, DIGIT2, DIGIT3, DIGIT4, DIGIT5, DIGIT6 -> setTool(Tool.values()[k.ordinal() - KeyCode.DIGIT1.ordinal()]);
            case ESCAPE -> {
                if (selected != null) select(null);
                else setEditing(false);
            }
            default -> {
                return false;
            }
        }
        return true;
    }
}
