package kstep.views;

import java.util.ArrayList;
import java.util.List;

import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.layout.Pane;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Polygon;
import javafx.scene.shape.QuadCurve;

import kstep.lock.LockClass;
import kstep.lock.LockdepState;

/**
 * lockdep's dependency graph: each lock class that has been used, as a box with lockdep's usage characters,
 * and an arrow A -> B for "B was taken while A was held", labelled with the function and model line where
 * lockdep first saw it. The cycle of a circular-dependency report is red, and the dependency lockdep refused
 * to add, which would have closed it, is dashed.
 */
public final class LockdepGraphView extends VBox {
    static final double WIDTH = 560;
    static final double HEIGHT = 330;
    static final double BOX_W = 168;
    static final double BOX_H = 38;
    private final Pane canvas = new Pane();
    private final Label status = new Label();
    private final List<String> edgeLabels = new ArrayList<>();
    private final List<String> nodeNames = new ArrayList<>();

    public LockdepGraphView() {
        super(6);
        getStyleClass().add("lockdep-graph");
        setId("lockdep-graph");
        setPadding(new Insets(8));
        Label title = new Label("lockdep dependency graph");
        title.getStyleClass().add("pane-title");
        status.getStyleClass().add("card-line");
        status.setWrapText(true);
        canvas.setPrefSize(WIDTH, HEIGHT);
        canvas.setMinSize(WIDTH, HEIGHT);
        getChildren().addAll(title, status, canvas);
    }

    /** The labels of the drawn dependency arrows, in drawing order (tests read them). */
    public List<String> edgeLabels() {
        return List.copyOf(edgeLabels);
    }

    /** The classes drawn, as "name {usage}". */
    public List<String> nodes() {
        return List.copyOf(nodeNames);
    }

    public String status() {
        return status.getText();
    }

    public void show(StepView v) {
        canvas.getChildren().clear();
        edgeLabels.clear();
        nodeNames.clear();
        LockdepState s = v.world().ext(LockdepState.KEY, LockdepState.class);
        List<Integer> shown = new ArrayList<>();
        if (s != null) {
            for (int c = 0; c < s.classes().size(); c++) if (s.used(c)) shown.add(c);
        }
        if (shown.isEmpty()) {
            status.setText("no lock has been taken yet");
            return;
        }
        List<LockClass> classes = s.classes();
        List<Integer> cycle = s.reportedCycle();
        int n = shown.size();
        double[] x = new double[classes.size()];
        double[] y = new double[classes.size()];
        // classes round an ellipse in the order lockdep met them: two side by side, three in a triangle...
        for (int i = 0; i < n; i++) {
            double a = n == 1 ? -Math.PI / 2 : Math.PI + 2 * Math.PI * i / n;
            x[shown.get(i)] = WIDTH / 2 + (WIDTH / 2 - BOX_W / 2 - 12) * Math.cos(a);
            y[shown.get(i)] = HEIGHT / 2 + (HEIGHT / 2 - BOX_H / 2 - 30) * Math.sin(a);
        }
        for (LockdepState.Dependency d : s.dependencies()) {
            boolean red = onCycle(cycle, d.from(), d.to());
            String label = d.next().fn() + " (" + d.next().at().fileLine() + ")";
            arrow(x[d.from()], y[d.from()], x[d.to()], y[d.to()], red, false, label);
            edgeLabels.add(classes.get(d.from()).name() + " -> " + classes.get(d.to()).name() + ": " + label);
        }
        if (!cycle.isEmpty()) {
            // the report: next -> ... -> prev exists; prev -> next is the dependency it refused to add
            int prev = cycle.get(cycle.size() - 1);
            int next = cycle.get(0);
            arrow(x[prev], y[prev], x[next], y[next], true, true, "refused: closes the cycle");
            edgeLabels.add(classes.get(prev).name() + " -> " + classes.get(next).name() + ": refused");
        }
        for (int c : shown) {
            String usage = "{" + s.usageChars(c) + "}";
            Label name = new Label(classes.get(c).name());
            name.getStyleClass().add("lock-node-name");
            Label sub = new Label(usage + "  " + classes.get(c).lockType());
            sub.getStyleClass().add("lock-node-usage");
            VBox box = kstep.views.annotate.Anchors.tag(new VBox(1, name, sub), "lockdep:" + classes.get(c).name());
            box.getStyleClass().addAll("lock-node", cycle.contains(c) ? "lock-node-cycle" : "lock-node-plain");
            box.setPrefSize(BOX_W, BOX_H);
            box.setMaxSize(BOX_W, BOX_H);
            box.relocate(x[c] - BOX_W / 2, y[c] - BOX_H / 2);
            canvas.getChildren().add(box);
            nodeNames.add(classes.get(c).name() + " " + usage);
        }
        int deps = s.dependencies().size();
        status.setText(n + " lock class" + (n == 1 ? "" : "es") + " used, " + deps + " dependenc" + (deps == 1 ? "y" : "ies")
            + (cycle.isEmpty() ? "" : "; circular dependency reported (red)") + (s.debugLocks() ? "" : "; lockdep is off after its report")
            + ". Usage: + taken with irqs on, - taken in an interrupt, ? both (hardirq, then softirq; write, then read).");
    }

    private static boolean onCycle(List<Integer> cycle, int from, int to) {
        for (int i = 0; i + 1 < cycle.size(); i++) if (cycle.get(i) == from && cycle.get(i + 1) == to) return true;
        return false;
    }

    /** A curved arrow from box to box; A -> B and B -> A bend to opposite sides, so both stay visible. */
    private void arrow(double x1, double y1, double x2, double y2, boolean red, boolean dashed, String label) {
        double dx = x2 - x1;
        double dy = y2 - y1;
        double len = Math.max(1, Math.hypot(dx, dy));
        double nx = -dy / len;
        double ny = dx / len;
        double bend = dashed ? 70 : 42;
        double cx = (x1 + x2) / 2 + nx * bend;
        double cy = (y1 + y2) / 2 + ny * bend;
        double[] s = boxEdge(x1, y1, cx, cy);
        double[] e = boxEdge(x2, y2, cx, cy);
        QuadCurve curve = new QuadCurve(s[0], s[1], cx, cy, e[0], e[1]);
        curve.getStyleClass().addAll("dep-edge", red ? "dep-edge-cycle" : "dep-edge-plain");
        curve.setFill(null);
        if (dashed) curve.getStrokeDashArray().addAll(7.0, 5.0);
        double hx = e[0] - cx;
        double hy = e[1] - cy;
        double hl = Math.max(1, Math.hypot(hx, hy));
        hx /= hl;
        hy /= hl;
        Polygon head = new Polygon(e[0], e[1], e[0] - hx * 10 - hy * 5, e[1] - hy * 10 + hx * 5, e[0] - hx * 10 + hy * 5,
            e[1] - hy * 10 - hx * 5);
        head.getStyleClass().addAll("dep-head", red ? "dep-edge-cycle" : "dep-edge-plain");
        Label l = new Label(label);
        l.getStyleClass().addAll("dep-label", red ? "dep-label-cycle" : "dep-label-plain");
        // the curve's midpoint, pushed a little further out on its side
        double mx = 0.25 * s[0] + 0.5 * cx + 0.25 * e[0] + nx * 12;
        double my = 0.25 * s[1] + 0.5 * cy + 0.25 * e[1] + ny * 12;
        l.layoutBoundsProperty().addListener((o, a, b) -> l.relocate(mx - b.getWidth() / 2, my - b.getHeight() / 2));
        l.relocate(mx - 60, my - 7);
        canvas.getChildren().addAll(curve, head, l);
    }

    /** Where the line from a box's centre towards (tx, ty) leaves the box. */
    private static double[] boxEdge(double cx, double cy, double tx, double ty) {
        double dx = tx - cx;
        double dy = ty - cy;
        double sx = dx == 0 ? Double.MAX_VALUE : (BOX_W / 2 + 3) / Math.abs(dx);
        double sy = dy == 0 ? Double.MAX_VALUE : (BOX_H / 2 + 3) / Math.abs(dy);
        double k = Math.min(sx, sy);
        return new double[] {cx + dx * k, cy + dy * k};
    }
}
