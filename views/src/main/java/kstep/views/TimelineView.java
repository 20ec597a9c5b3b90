package kstep.views;

import java.util.function.IntConsumer;

import javafx.scene.control.Label;
import javafx.scene.layout.Region;
import javafx.scene.shape.ClosePath;
import javafx.scene.shape.Line;
import javafx.scene.shape.LineTo;
import javafx.scene.shape.MoveTo;
import javafx.scene.shape.Path;
import javafx.scene.shape.Rectangle;

import kstep.engine.Choice;
import kstep.engine.Finding;
import kstep.engine.StepRecord;
import kstep.engine.Trace;

/**
 * The whole trace at a glance: one lane per CPU (and one for devices), a tick for every step, preemptions and
 * interrupts in orange, findings as red marks, teacher notes as blue dots, and the cursor. Click or drag to
 * jump. Drawn with vector shapes so exports at 3x stay sharp; steps are bucketed per pixel.
 */
public final class TimelineView extends Region {
    private static final double PAD = 8;
    private static final double LANE = 11;
    private static final double TOP = 14;

    private Trace trace;
    private int cpus = 1;
    private int cursor;
    private IntConsumer onJump = n -> { };
    private java.util.List<Integer> breaks = java.util.List.of();

    public TimelineView() {
        getStyleClass().add("timeline");
        setId("timeline");
        kstep.views.annotate.Anchors.tag(this, "timeline");
        setMinHeight(TOP + 2 * LANE + 24);
        setOnMousePressed(e -> jumpTo(e.getX()));
        setOnMouseDragged(e -> jumpTo(e.getX()));
    }

    public void setOnJump(IntConsumer c) {
        this.onJump = c;
    }

    public void setTrace(Trace t, int cpuCount) {
        this.trace = t;
        this.cpus = cpuCount;
        setMinHeight(TOP + (cpus + 1) * LANE + 24);
        setPrefHeight(TOP + (cpus + 1) * LANE + 24);
        requestLayout();
    }

    public void setCursor(int n) {
        this.cursor = n;
        requestLayout();
    }

    public int cursor() {
        return cursor;
    }

    /** The steps where breakpoints stop, drawn as purple ticks above the lanes. */
    public void setBreakpointHits(java.util.List<Integer> steps) {
        breaks = java.util.List.copyOf(steps);
        requestLayout();
    }

    public java.util.List<Integer> breakpointHits() {
        return breaks;
    }

    /** The step drawn at x (0 .. length). */
    public int stepAt(double x) {
        if (trace == null || trace.length() == 0) return 0;
        double w = Math.max(1, getWidth() - 2 * PAD);
        int n = (int) Math.round((x - PAD) / w * trace.length());
        return Math.max(0, Math.min(trace.length(), n));
    }

    private void jumpTo(double x) {
        onJump.accept(stepAt(x));
    }

    private double xOf(int step) {
        double w = Math.max(1, getWidth() - 2 * PAD);
        return PAD + (trace.length() == 0 ? 0 : w * step / trace.length());
    }

    @Override
    protected void layoutChildren() {
        getChildren().clear();
        if (trace == null) return;
        double width = Math.max(1, getWidth() - 2 * PAD);
        int cols = (int) Math.ceil(width);
        int lanes = cpus + 1;
        boolean[][] used = new boolean[lanes][cols + 1];
        boolean[] inject = new boolean[cols + 1];
        int n = trace.length();
        for (int i = 1; i <= n; i++) {
            StepRecord r = trace.step(i);
            // step i covers the columns between steps i-1 and i, so short traces draw as solid runs
            int c0 = (int) ((double) (i - 1) / Math.max(1, n) * width);
            int c1 = Math.max(c0 + 1, (int) ((double) i / Math.max(1, n) * width));
            int lane = r.cpu() < 0 ? cpus : Math.min(r.cpu(), cpus - 1);
            for (int c = c0; c < c1 && c <= cols; c++) used[lane][c] = true;
            if (r.choice().kind() == Choice.Kind.PREEMPT || r.choice().kind() == Choice.Kind.IRQ || r.choice().kind() == Choice.Kind.EVENT)
                inject[c0] = true;
        }
        for (int l = 0; l < lanes; l++) {
            Rectangle bg = new Rectangle(PAD, TOP + l * LANE + 2, width, LANE - 3);
            bg.getStyleClass().add("lane-bg");
            getChildren().add(bg);
            Path p = new Path();
            p.getStyleClass().addAll("lane", "lane-" + (l == cpus ? "dev" : "cpu" + l % 4));
            int c = 0;
            while (c <= cols) {
                if (!used[l][c]) {
                    c++;
                    continue;
                }
                int s = c;
                while (c <= cols && used[l][c]) c++;
                rect(p, PAD + s, TOP + l * LANE + 2, Math.max(1, c - s), LANE - 3);
            }
            getChildren().add(p);
        }
        Path inj = new Path();
        inj.getStyleClass().add("lane-inject");
        for (int c = 0; c <= cols; c++) if (inject[c]) rect(inj, PAD + c, TOP - 4, 1.5, lanes * LANE + 4);
        getChildren().add(inj);
        for (int i = 1; i <= n; i++) {
            if (trace.step(i).note() != null) {
                Rectangle dot = new Rectangle(xOf(i) - 2, TOP + lanes * LANE + 3, 4, 4);
                dot.getStyleClass().add("note-mark");
                getChildren().add(dot);
            }
        }
        for (int b : breaks) {
            if (b > n) continue;
            Rectangle tick = new Rectangle(xOf(b) - 1, 2, 2, TOP - 4);
            tick.getStyleClass().add("break-mark");
            getChildren().add(tick);
        }
        for (Finding f : trace.findings()) {
            double x = xOf(f.step());
            Path tri = new Path(new MoveTo(x - 6, 0), new LineTo(x + 6, 0), new LineTo(x, 10), new ClosePath());
            tri.getStyleClass().add("finding-mark");
            getChildren().add(tri);
        }
        double cx = xOf(cursor);
        Line cur = new Line(cx, 0, cx, TOP + lanes * LANE + 8);
        cur.getStyleClass().add("cursor-line");
        getChildren().add(cur);
        Label label = new Label("step " + cursor + " / " + n);
        label.getStyleClass().add("cursor-label");
        getChildren().add(label);
        label.autosize();
        label.relocate(Math.min(Math.max(0, cx - label.getWidth() / 2), Math.max(0, getWidth() - label.getWidth())), TOP + lanes * LANE + 6);
        for (int l = 0; l < lanes; l++) {
            Label name = new Label(l == cpus ? "dev" : "cpu" + l);
            name.getStyleClass().add("lane-name");
            getChildren().add(name);
            name.autosize();
            name.relocate(PAD + 2, TOP + l * LANE);
        }
    }

    private static void rect(Path p, double x, double y, double w, double h) {
        p.getElements().addAll(new MoveTo(x, y), new LineTo(x + w, y), new LineTo(x + w, y + h), new LineTo(x, y + h), new ClosePath());
    }
}
