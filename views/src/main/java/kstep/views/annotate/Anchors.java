package kstep.views.annotate;

import java.util.LinkedHashMap;
import java.util.Map;

import javafx.geometry.BoundingBox;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.Parent;

import kstep.annotate.Anchor;

/**
 * Names the things on screen annotations can be anchored to, and finds where they are: a node tagged with
 * {@link #tag} (a vGIC card, a lock), or an {@link AnchorSource}'s parts. Only what is shown counts: a node in
 * a hidden tab has no place, and annotations anchored to it are not drawn.
 */
public final class Anchors {
    public static final String KEY = "kstep.anchor";

    private Anchors() { }

    /** Lets annotations point at {@code n} by {@code name} (e.g. {@code vgic:pcpu0}). */
    public static <N extends Node> N tag(N n, String name) {
        n.getProperties().put(KEY, name);
        return n;
    }

    /** Every shown anchor under {@code root}, with its bounds in {@code layer}'s coordinates, outermost first. */
    public static Map<String, Bounds> resolve(Node root, Node layer) {
        Map<String, Bounds> out = new LinkedHashMap<>();
        walk(root, layer, out);
        return out;
    }

    private static void walk(Node n, Node layer, Map<String, Bounds> out) {
        if (!n.isVisible() || n == layer) return;
        Object name = n.getProperties().get(KEY);
        if (name instanceof String s) {
            Bounds b = toLayer(n, n.getLayoutBounds(), layer);
            if (b != null) out.putIfAbsent(s, b);
        }
        if (n instanceof AnchorSource src) {
            for (Map.Entry<String, Bounds> e : src.anchors().entrySet()) {
                Bounds b = toLayer(n, e.getValue(), layer);
                if (b != null) out.putIfAbsent(e.getKey(), b);
            }
        }
        if (n instanceof Parent p) for (Node c : p.getChildrenUnmodifiable()) walk(c, layer, out);
    }

    private static Bounds toLayer(Node n, Bounds local, Node layer) {
        Bounds scene = n.localToScene(local);
        Bounds b = scene == null ? null : layer.sceneToLocal(scene);
        return b == null || b.getWidth() <= 0 || b.getHeight() <= 0 ? null : b;
    }

    /** The point {@code a} stands for, or null when its target is not shown. */
    public static Point2D point(Anchor a, Map<String, Bounds> shown, Bounds window) {
        Bounds b = a.target().equals(Anchor.WINDOW) ? window : shown.get(a.target());
        if (b == null) return null;
        return new Point2D(b.getMinX() + a.x() * b.getWidth(), b.getMinY() + a.y() * b.getHeight());
    }

    /** An anchor for {@code p}: on the smallest shown thing under it, else on the window. */
    public static Anchor at(Point2D p, Map<String, Bounds> shown, Bounds window) {
        String best = null;
        double area = Double.MAX_VALUE;
        for (Map.Entry<String, Bounds> e : shown.entrySet()) {
            Bounds b = e.getValue();
            double ar = b.getWidth() * b.getHeight();
            if (b.contains(p) && ar < area) {
                best = e.getKey();
                area = ar;
            }
        }
        return on(best == null ? Anchor.WINDOW : best, p, shown, window);
    }

    /** An anchor for {@code p} on {@code target} (which must be shown, or the window). */
    public static Anchor on(String target, Point2D p, Map<String, Bounds> shown, Bounds window) {
        Bounds b = target.equals(Anchor.WINDOW) ? window : shown.get(target);
        if (b == null) {
            target = Anchor.WINDOW;
            b = window;
        }
        double w = Math.max(1, b.getWidth());
        double h = Math.max(1, b.getHeight());
        return new Anchor(target, (p.getX() - b.getMinX()) / w, (p.getY() - b.getMinY()) / h);
    }

    /** The window's own box in layer coordinates. */
    static Bounds box(double w, double h) {
        return new BoundingBox(0, 0, Math.max(1, w), Math.max(1, h));
    }
}
