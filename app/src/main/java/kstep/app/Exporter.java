package kstep.app;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.SnapshotParameters;
import javafx.scene.transform.Transform;

import kstep.scenario.Session;

/**
 * Renders the main window at chosen steps to PNG files, headless. Each file is written to a temporary name in
 * the target folder and renamed into place, so a crash never leaves half an image, and existing files are
 * never overwritten unless asked.
 */
public final class Exporter {
    public static final double WIDTH = 1280;
    public static final double HEIGHT = 720;

    private Exporter() { }

    /** The file step {@code n} is written to: step-0007.png (four digits at least, more for long traces). */
    public static Path fileFor(Path dir, int n, int last) {
        int digits = Math.max(4, Integer.toString(last).length());
        return dir.resolve(String.format("step-%0" + digits + "d.png", n));
    }

    /**
     * How the window is drawn for an export: at {@code scale} (1, 2 or 3), {@code width} x {@code height} at scale 1,
     * with the named {@code tabs} selected (see {@link MainWindow#showTab}) and in {@code theme} (light, dark or
     * high-contrast); {@code view} is the part drawn: the whole window, or one view of it (see
     * {@link MainWindow#viewNames()}); {@code annotations} draws the scenario's annotations (its sidecar's).
     */
    public record Look(double scale, double width, double height, List<String> tabs, String theme, String view, boolean annotations) {
        public Look {
            tabs = List.copyOf(tabs);
            if (!List.of(Presentation.THEMES).contains(theme))
                throw new IllegalArgumentException("themes are light, dark and high-contrast, not '" + theme + "'");
        }

        /** The default window (1280x720, light) at {@code scale}. */
        public static Look at(double scale) {
            return new Look(scale, WIDTH, HEIGHT, List.of(), "light", "window", true);
        }
    }

    /**
     * Writes steps {@code from..to} of {@code session} to {@code dir} at {@code scale} (1, 2 or 3). Refuses
     * (IllegalArgumentException) if a target file exists and {@code force} is false.
     */
    public static List<Path> export(Session session, Path dir, int from, int to, double scale, boolean force) throws IOException {
        return export(session, dir, from, to, Look.at(scale), false, force);
    }

    /** As the other; with {@code caption}, each image has the step and its teacher's note below it. */
    public static List<Path> export(Session session, Path dir, int from, int to, Look look, boolean caption, boolean force) throws IOException {
        checkRange(session, from, to);
        List<Path> targets = new ArrayList<>();
        for (int n = from; n <= to; n++) targets.add(fileFor(dir, n, to));
        if (!force) {
            for (Path p : targets)
                if (Files.exists(p)) throw new IllegalArgumentException(p + " exists; kstep does not overwrite files (use --force)");
        }
        Handouts.Steps st = steps(session, from, to, look); // an unknown view is refused before any folder is made
        Files.createDirectories(dir);
        for (int n = from; n <= to; n++) {
            Handouts.Step s = st.get(n - from);
            write(caption ? Handouts.captioned(s) : s.image(), targets.get(n - from));
        }
        return targets;
    }

    private static void checkRange(Session session, int from, int to) {
        if (from < 0 || to > session.length() || from > to)
            throw new IllegalArgumentException("steps " + from + ".." + to + " are outside 0.." + session.length());
    }

    /** The file a GIF or PDF of steps {@code from..to} is written to: SCENARIO-VARIANT-steps-A-B.EXT. */
    public static Path handoutFile(Path dir, Session session, int from, int to, String ext) {
        String id = (session.scenario().id() + "-" + session.variant()).replaceAll("[^A-Za-z0-9._-]+", "-");
        return dir.resolve(id + "-steps-" + from + "-" + to + "." + ext);
    }

    /** Steps {@code from..to} as an animated GIF, {@code frameMs} a step; refuses an existing file without {@code force}. */
    public static Path exportGif(Session session, Path dir, int from, int to, Look look, boolean caption, int frameMs, boolean force)
        throws IOException {
        checkRange(session, from, to);
        Path target = refuseExisting(handoutFile(dir, session, from, to, "gif"), force);
        Handouts.gif(steps(session, from, to, look), caption, frameMs, target);
        return target;
    }

    /** Steps {@code from..to} as a PDF handout, {@code perPage} a page (1, 2 or 4). */
    public static Path exportPdf(Session session, Path dir, int from, int to, Look look, int perPage, boolean force) throws IOException {
        checkRange(session, from, to);
        Path target = refuseExisting(handoutFile(dir, session, from, to, "pdf"), force);
        Handouts.pdf(session.scenario().title() + " — " + session.variant(), steps(session, from, to, look), perPage, target);
        return target;
    }

    private static Path refuseExisting(Path p, boolean force) {
        if (Files.exists(p) && !force) throw new IllegalArgumentException(p + " exists; kstep does not overwrite files (use --force)");
        return p;
    }

    /** The main window at each step, headless, rendered when asked for, with its heading and note. */
    static Handouts.Steps steps(Session session, int from, int to, Look look) {
        Fx.startHeadless();
        MainWindow window = Fx.call(() -> {
            MainWindow w = new MainWindow(session, () -> { });
            new Scene(w, look.width(), look.height());
            for (String t : look.tabs()) w.showTab(t.strip());
            w.setTheme(look.theme());
            w.view(look.view());
            w.setAnnotationsShown(look.annotations());
            return w;
        });
        return new Handouts.Steps() {
            @Override
            public int count() {
                return to - from + 1;
            }

            @Override
            public Handouts.Step get(int i) {
                int step = from + i;
                BufferedImage img = Fx.call(() -> render(window, step, look));
                String note = session.noteAt(step);
                String mine = window.annotations().editor().doc().note(session.variant(), step);
                String both = note == null || note.isBlank() ? mine : mine.isBlank() ? note : note + "\n" + mine;
                return new Handouts.Step(img, session.scenario().title() + " · " + session.variant() + " · step " + step + " of " + session.length(), both);
            }
        };
    }

    /** Lays the window out at step {@code n} and snapshots it. Runs on the JavaFX thread. */
    static BufferedImage render(MainWindow window, int n, Look look) {
        window.session().jump(n);
        window.refresh();
        // RichTextFX creates its visible lines lazily: two layout passes settle them before the snapshot.
        for (int i = 0; i < 3; i++) {
            window.applyCss();
            window.layout();
            for (var p : window.codePanes()) p.centre();
        }
        window.annotations().redraw();
        Node view = window.view(look.view());
        if (view == window) return snapshot(window, look.scale());
        // a view alone is cut out of the whole window, so the annotations over it come along
        javafx.geometry.Bounds b = window.sceneToLocal(view.localToScene(view.getLayoutBounds()));
        SnapshotParameters sp = new SnapshotParameters();
        sp.setTransform(Transform.scale(look.scale(), look.scale()));
        sp.setViewport(new javafx.geometry.Rectangle2D(b.getMinX() * look.scale(), b.getMinY() * look.scale(), b.getWidth() * look.scale(), b.getHeight() * look.scale()));
        return SwingFXUtils.fromFXImage(window.snapshot(sp, null), null);
    }

    /** The node as laid out, at {@code scale} pixels a point. Runs on the JavaFX thread. */
    static BufferedImage snapshot(Node node, double scale) {
        SnapshotParameters sp = new SnapshotParameters();
        sp.setTransform(Transform.scale(scale, scale));
        return SwingFXUtils.fromFXImage(node.snapshot(sp, null), null);
    }

    static void write(BufferedImage img, Path target) throws IOException {
        Handouts.atomically(target, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer");
        });
    }
}
