package kstep.views;

import java.util.List;

import javafx.geometry.Insets;
import javafx.scene.Group;
import javafx.scene.control.Label;
import javafx.scene.layout.Pane;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Circle;
import javafx.scene.shape.Line;
import javafx.scene.shape.Polygon;

import kstep.lock.LockClass;
import kstep.lock.LockdepState;

/**
 * lockdep's dependency graph: lock classes on a circle, an arrow A -> B for "B was taken while holding A",
 * labelled with where that happened. The cycle of a circular-dependency report is drawn in red, the edge
 * that would have closed it dashed.
 */
public final class LockdepGraphView extends VBox {
    private static final double SIZE = 330;
    private final Pane canvas = new Pane();
    private final Label status = new Label();
    private int edges;

    public LockdepGraphView() {
        super(6);
        getStyleClass().add("lockdep-graph");
        setId("lockdep-graph");
        setPadding(new Insets(8));
        Label title = new Label("lockdep dependency graph");
        title.getStyleClass().add("pane-title");
        status.getStyleClass().add("card-line");
        status.setWrapText(true);
        canvas.setPrefSize(SIZE + 160, SIZE);
        canvas.setMinSize(SIZE + 160, SIZE);
        getChildren().addAll(title, status, canvas);
    }

    /** The number of dependency edges drawn (tests read it). */
    public int edges() {
        return edges;
    }

    public String status() {
        return status.getText();
    }

    public void show(StepView v) {
        canvas.getChildren().clear();
        edges = 0;
        LockdepState s = v.world().ext(LockdepState.KEY, LockdepState.class);
        if (s == null || s.classes().isEmpty()) {
            status.setText("no lock classes yet");
            return;
        }
        List<LockClass> classes = s.classes();
        List<Integer> cycle = s.reportedCycle();
        int n = classes.size();
        double cx = (SIZE + 160) / 2;
        double cy = SIZE / 2;
        double r = SIZE / 2 - 40;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double a = -Math.PI / 2 + 2 * Math.PI * i / n;
            x[i] = cx + r * Math.cos(a);
            y[i] = cy + r * Math.sin(a);
        }
        for (LockdepState.Dependency d : s.dependencies()) {
            boolean red = onCycle(cycle, d.from(), d.to());
            arrow(x[d.from()], y[d.from()], x[d.to()], y[d.to()], red, false, d.next().at().fileLine());
            edges++;
        }
        if (!cycle.isEmpty()) {
            // the report: next -> ... -> prev exists; prev -> next is the dependency it refused to add
            int prev = cycle.get(cycle.size() - 1);
            int next = cycle.get(0);
            arrow(x[prev], y[prev], x[next], y[next], true, true, "closes the cycle");
        }
        for (int i = 0; i < n; i++) {
            Circle c = new Circle(x[i], y[i], 7);
            c.getStyleClass().addAll("lock-node", cycle.contains(i) ? "lock-node-cycle" : "lock-node-plain");
            Label name = new Label(classes.get(i).name() + " {" + s.usageChars(i) + "}");
            name.getStyleClass().add("lock-node-label");
            name.relocate(x[i] + 9, y[i] - 8);
            canvas.getChildren().addAll(c, name);
        }
        status.setText(n + " lock class" + (n == 1 ? "" : "es") + ", " + edges + " dependenc" + (edges == 1 ? "y" : "ies")
            + (cycle.isEmpty() ? "" : "; circular dependency reported (red)") + (s.debugLocks() ? "" : "; lockdep is off after its report"));
    }

    private static boolean onCycle(List<Integer> cycle, int from, int to) {
        for (int i = 0; i + 1 < cycle.size(); i++) if (cycle.get(i) == from && cycle.get(i + 1) == to) return true;
        return false;
    }

    private void arrow(double x1, double y1, double x2, double y2, boolean red, boolean dashed, String label) {
        double dx = x2 - x1;
        double dy = y2 - y1;
        double len = Math.max(1, Math.hypot(dx, dy));
        double ux = dx / len;
        double uy = dy / len;
        // offset sideways so A -> B and B -> A do not overlap
        double ox = -uy * 5;
        double oy = ux * 5;
        double sx = x1 + ux * 9 + ox;
        double sy = y1 + uy * 9 + oy;
        double ex = x2 - ux * 11 + ox;
        double ey = y2 - uy * 11 + oy;
        Line line = new Line(sx, sy, ex, ey);
        line.getStyleClass().addAll("dep-edge", red ? "dep-edge-cycle" : "dep-edge-plain");
        if (dashed) line.getStrokeDashArray().addAll(6.0, 4.0);
        Polygon head = new Polygon(ex, ey, ex - ux * 9 - uy * 4, ey - uy * 9 + ux * 4, ex - ux * 9 + uy * 4, ey - uy * 9 - ux * 4);
        head.getStyleClass().addAll("dep-head", red ? "dep-edge-cycle" : "dep-edge-plain");
        Label l = new Label(label);
        l.getStyleClass().add("dep-label");
        l.relocate((sx + ex) / 2 + ox * 2, (sy + ey) / 2 + oy * 2 - 6);
        canvas.getChildren().add(new Group(line, head, l));
    }
}
