package kstep.app;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
     * Writes steps {@code from..to} of {@code session} to {@code dir} at {@code scale} (1, 2 or 3). Refuses
     * (IllegalArgumentException) if a target file exists and {@code force} is false.
     */
    public static List<Path> export(Session session, Path dir, int from, int to, double scale, boolean force) throws IOException {
        return export(session, dir, from, to, scale, WIDTH, HEIGHT, List.of(), force);
    }

    /**
     * As {@link #export(Session, Path, int, int, double, boolean)}, with the window {@code width} x {@code height}
     * and the named {@code tabs} selected (see {@link MainWindow#showTab}).
     */
    public static List<Path> export(Session session, Path dir, int from, int to, double scale, double width, double height,
                                    List<String> tabs, boolean force) throws IOException {
        if (from < 0 || to > session.length() || from > to)
            throw new IllegalArgumentException("steps " + from + ".." + to + " are outside 0.." + session.length());
        Files.createDirectories(dir);
        List<Path> targets = new ArrayList<>();
        for (int n = from; n <= to; n++) targets.add(fileFor(dir, n, to));
        if (!force) {
            for (Path p : targets)
                if (Files.exists(p)) throw new IllegalArgumentException(p + " exists; kstep does not overwrite files (use --force)");
        }
        Fx.startHeadless();
        MainWindow window = Fx.call(() -> {
            MainWindow w = new MainWindow(session, () -> { });
            new Scene(w, width, height);
            for (String t : tabs) w.showTab(t.strip());
            return w;
        });
        for (int n = from; n <= to; n++) {
            int step = n;
            BufferedImage img = Fx.call(() -> render(window, step, scale));
            write(img, targets.get(n - from));
        }
        return targets;
    }

    /** Lays the window out at step {@code n} and snapshots it. Runs on the JavaFX thread. */
    static BufferedImage render(MainWindow window, int n, double scale) {
        window.session().jump(n);
        window.refresh();
        // RichTextFX creates its visible lines lazily: two layout passes settle them before the snapshot.
        for (int i = 0; i < 3; i++) {
            window.applyCss();
            window.layout();
            for (var p : window.codePanes()) p.centre();
        }
        return snapshot(window, scale);
    }

    /** The node as laid out, at {@code scale} pixels a point. Runs on the JavaFX thread. */
    static BufferedImage snapshot(Node node, double scale) {
        SnapshotParameters sp = new SnapshotParameters();
        sp.setTransform(Transform.scale(scale, scale));
        return SwingFXUtils.fromFXImage(node.snapshot(sp, null), null);
    }

    static void write(BufferedImage img, Path target) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer");
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
