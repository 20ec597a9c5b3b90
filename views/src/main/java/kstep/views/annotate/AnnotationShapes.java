package kstep.views.annotate;

import java.util.ArrayList;
import java.util.List;

import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.paint.Color;
import javafx.scene.shape.Circle;
import javafx.scene.shape.Line;
import javafx.scene.shape.Polygon;
import javafx.scene.shape.Rectangle;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.Text;

import kstep.annotate.Annotation;

/** Draws one annotation as JavaFX shapes (vector, so a 3x export stays crisp) and tells whether a point is on it. */
final class AnnotationShapes {
    static final double MARKER_R = 13;

    private AnnotationShapes() { }

    static List<Node> draw(Annotation a, List<Point2D> ps, double zoom, boolean selected) {
        Color c = Color.web(a.colour());
        List<Node> out = new ArrayList<>();
        if (a instanceof Annotation.Arrow) {
            out.addAll(arrow(ps.get(0), ps.get(1), c, zoom));
        } else if (a instanceof Annotation.Box || a instanceof Annotation.Highlight) {
            Rectangle r = rect(ps.get(0), ps.get(1));
            if (a instanceof Annotation.Box) {
                r.setFill(Color.TRANSPARENT);
                r.setStroke(c);
                r.setStrokeWidth(3 * zoom);
                r.setArcWidth(8 * zoom);
                r.setArcHeight(8 * zoom);
            } else {
                r.setFill(c.deriveColor(0, 1, 1, 0.28));
            }
            out.add(r);
        } else if (a instanceof Annotation.Marker m) {
            Circle disc = new Circle(ps.get(0).getX(), ps.get(0).getY(), MARKER_R * zoom, c);
            disc.setStroke(Color.WHITE);
            disc.setStrokeWidth(2 * zoom);
            Text n = new Text(Integer.toString(m.number()));
            n.setFont(Font.font("DejaVu Sans", FontWeight.BOLD, 14 * zoom));
            n.setStyle("-fx-fill: white;");
            n.setX(ps.get(0).getX() - n.getLayoutBounds().getWidth() / 2);
            n.setY(ps.get(0).getY() + n.getLayoutBounds().getHeight() / 2 - n.getBaselineOffset() / 4 - 1.5 * zoom);
            out.add(disc);
            out.add(n);
        } else if (a instanceof Annotation.Callout k) {
            Label l = callout(k.text(), c, zoom);
            l.relocate(ps.get(0).getX(), ps.get(0).getY());
            out.add(l);
        }
        for (Node n : out) n.getProperties().put("annotation", a.id());
        if (selected) {
            for (Point2D p : ps) {
                Rectangle h = new Rectangle(p.getX() - 5 * zoom, p.getY() - 5 * zoom, 10 * zoom, 10 * zoom);
                h.setFill(Color.WHITE);
                h.setStroke(Color.web("#1f6feb"));
                h.setStrokeWidth(2);
                h.getStyleClass().add("annotation-handle");
                out.add(h);
            }
        }
        return out;
    }

    static Label callout(String text, Color c, double zoom) {
        Label l = new Label(text);
        l.setWrapText(true);
        l.setMaxWidth(360 * zoom);
        l.setFont(Font.font("DejaVu Sans", FontWeight.BOLD, 14 * zoom));
        // inline styles, so the themes' label colours leave an annotation as the teacher drew it
        l.setStyle(String.format(java.util.Locale.ROOT, "-fx-text-fill: %s; -fx-background-color: rgba(255,255,255,0.94); -fx-border-color: %s; -fx-border-width: %.1f; -fx-padding: %.1f %.1f;"
            + " -fx-background-radius: 5; -fx-border-radius: 5;", web(c.darker()), web(c), 2 * zoom, 4 * zoom, 8 * zoom));
        l.autosize();
        return l;
    }

    static List<Node> preview(AnnotationLayer.Tool tool, Point2D a, Point2D b, String colour, double zoom) {
        Color c = Color.web(colour);
        if (tool == AnnotationLayer.Tool.ARROW) return arrow(a, b, c, zoom);
        Rectangle r = rect(a, b);
        r.setFill(tool == AnnotationLayer.Tool.HIGHLIGHT ? c.deriveColor(0, 1, 1, 0.28) : Color.TRANSPARENT);
        r.setStroke(c);
        r.setStrokeWidth(2 * zoom);
        r.getStrokeDashArray().setAll(6.0 * zoom, 4.0 * zoom);
        return List.of(r);
    }

    private static List<Node> arrow(Point2D from, Point2D to, Color c, double zoom) {
        Point2D d = to.subtract(from);
        double len = Math.max(1e-6, d.magnitude());
        Point2D u = d.multiply(1 / len);
        Point2D n = new Point2D(-u.getY(), u.getX());
        double head = 14 * zoom;
        Point2D base = to.subtract(u.multiply(head));
        Line l = new Line(from.getX(), from.getY(), base.getX(), base.getY());
        l.setStroke(c);
        l.setStrokeWidth(3 * zoom);
        Point2D p1 = base.add(n.multiply(head * 0.5));
        Point2D p2 = base.subtract(n.multiply(head * 0.5));
        Polygon tip = new Polygon(to.getX(), to.getY(), p1.getX(), p1.getY(), p2.getX(), p2.getY());
        tip.setFill(c);
        return List.of(l, tip);
    }

    private static Rectangle rect(Point2D a, Point2D b) {
        return new Rectangle(Math.min(a.getX(), b.getX()), Math.min(a.getY(), b.getY()), Math.abs(b.getX() - a.getX()), Math.abs(b.getY() - a.getY()));
    }

    /**
     * Whether {@code p} is on {@code a} drawn at {@code ps}: near an arrow or a box's edge, inside a region or a
     * marker, inside a callout's drawn {@code label}.
     */
    static boolean near(Annotation a, List<Point2D> ps, javafx.geometry.Bounds label, Point2D p, double tol) {
        if (ps == null) return false;
        if (a instanceof Annotation.Arrow) return segmentDistance(p, ps.get(0), ps.get(1)) <= tol;
        if (a instanceof Annotation.Marker) return ps.get(0).distance(p) <= MARKER_R + tol;
        if (a instanceof Annotation.Callout) return label != null && label.contains(p);
        double x0 = Math.min(ps.get(0).getX(), ps.get(1).getX()), x1 = Math.max(ps.get(0).getX(), ps.get(1).getX());
        double y0 = Math.min(ps.get(0).getY(), ps.get(1).getY()), y1 = Math.max(ps.get(0).getY(), ps.get(1).getY());
        boolean inside = p.getX() >= x0 - tol && p.getX() <= x1 + tol && p.getY() >= y0 - tol && p.getY() <= y1 + tol;
        if (a instanceof Annotation.Highlight) return inside;
        boolean deep = p.getX() > x0 + tol && p.getX() < x1 - tol && p.getY() > y0 + tol && p.getY() < y1 - tol;
        return inside && !deep;
    }

    private static double segmentDistance(Point2D p, Point2D a, Point2D b) {
        Point2D ab = b.subtract(a);
        double t = ab.magnitude() < 1e-9 ? 0 : Math.max(0, Math.min(1, p.subtract(a).dotProduct(ab) / ab.dotProduct(ab)));
        return p.distance(a.add(ab.multiply(t)));
    }

    static String web(Color c) {
        return String.format("#%02x%02x%02x", (int) Math.round(c.getRed() * 255), (int) Math.round(c.getGreen() * 255), (int) Math.round(c.getBlue() * 255));
    }
}
