package kstep.views;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.layout.Pane;
import javafx.scene.paint.Color;
import javafx.scene.shape.ArcTo;
import javafx.scene.shape.LineTo;
import javafx.scene.shape.MoveTo;
import javafx.scene.shape.Path;
import javafx.scene.text.Text;

/**
 * The def-use arrows of the verifier's states table, drawn in its left gutter as bpfvv draws them: from the
 * instruction that defined a value to the one that used it, nested so that no two overlap, each labelled with
 * what it carries (R2, fp-8). Laid over the table; it reads the rows' positions at every layout.
 */
final class DefUseArrows extends Pane {
    /** {@code what} defined at instruction {@code from} is used at instruction {@code to}. */
    record Edge(int from, int to, String what) {
        @Override
        public String toString() {
            return from + " -> " + to + " " + what;
        }
    }

    static final double STEP = 12;
    private static final Color PURPLE = Color.web("#8250df");

    private final IntFunction<Node> rowOf;
    private List<Edge> edges = List.of();
    private int[] levels = new int[0];

    /** {@code rowOf} gives the row head of an instruction (null if it has none), a node of the table beside this pane. */
    DefUseArrows(IntFunction<Node> rowOf) {
        this.rowOf = rowOf;
        setMouseTransparent(true);
        setId("verifier-arrows");
    }

    /** Draws {@code e} (none: clears); returns the gutter width they need, for the table's left padding. */
    double set(List<Edge> e) {
        edges = List.copyOf(e);
        levels = nest(edges);
        requestLayout();
        int max = 0;
        for (int l : levels) max = Math.max(max, l + 1);
        return edges.isEmpty() ? 0 : STEP * (max + 1) + 4;
    }

    List<Edge> edges() {
        return edges;
    }

    /** Each edge's distance from the rows: shorter spans nearer, an edge outside every edge it overlaps and encloses. */
    static int[] nest(List<Edge> edges) {
        int n = edges.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, java.util.Comparator.comparingInt(i -> span(edges.get(i))));
        int[] level = new int[n];
        List<Integer> placed = new ArrayList<>();
        for (int i : order) {
            int l = 0;
            boolean clash = true;
            while (clash) {
                clash = false;
                for (int j : placed) {
                    if (level[j] == l && overlap(edges.get(i), edges.get(j))) {
                        clash = true;
                        l++;
                        break;
                    }
                }
            }
            level[i] = l;
            placed.add(i);
        }
        return level;
    }

    private static int span(Edge e) {
        return Math.abs(e.to() - e.from());
    }

    private static boolean overlap(Edge a, Edge b) {
        return Math.min(a.from(), a.to()) <= Math.max(b.from(), b.to()) && Math.min(b.from(), b.to()) <= Math.max(a.from(), a.to());
    }

    @Override
    protected void layoutChildren() {
        List<Node> shapes = new ArrayList<>();
        double gutter = STEP * (maxLevel() + 2);
        for (int i = 0; i < edges.size(); i++) {
            Edge e = edges.get(i);
            Node a = rowOf.apply(e.from());
            Node b = rowOf.apply(e.to());
            if (a == null || b == null) continue;
            double ya = middle(a);
            double yb = middle(b);
            double x0 = gutter;
            double x = gutter - STEP * (levels[i] + 1);
            double r = Math.min(3, Math.abs(yb - ya) / 2);
            double dir = yb >= ya ? 1 : -1;
            Path p = new Path(new MoveTo(x0, ya), new LineTo(x + r, ya), new ArcTo(r, r, 0, x, ya + dir * r, false, dir < 0),
                new LineTo(x, yb - dir * r), new ArcTo(r, r, 0, x + r, yb, false, dir < 0), new LineTo(x0, yb),
                // the head, pointing at the use
                new MoveTo(x0 - 4, yb - 3), new LineTo(x0, yb), new LineTo(x0 - 4, yb + 3));
            // unmanaged: drawing them must not ask for another layout of the table
            p.setManaged(false);
            p.setStroke(PURPLE);
            p.setStrokeWidth(1.5);
            shapes.add(p);
            Text label = new Text(e.what());
            label.setManaged(false);
            label.setFill(PURPLE);
            label.setStyle("-fx-font-size: 8px;");
            // over the arrow's first stretch, next to the row it leaves
            label.setX(x0 - 5 - label.getLayoutBounds().getWidth());
            label.setY(ya - 2);
            shapes.add(label);
        }
        getChildren().setAll(shapes);
    }

    private int maxLevel() {
        int m = -1;
        for (int l : levels) m = Math.max(m, l);
        return m;
    }

    private double middle(Node row) {
        Bounds b = sceneToLocal(row.localToScene(row.getBoundsInLocal()));
        return b.getMinY() + b.getHeight() / 2;
    }
}
