package kstep.app;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import javafx.application.Platform;

/** Starting JavaFX without a display (Monocle, software rendering) and running work on its thread. */
public final class Fx {
    /** Held here so the level set on it is not lost to garbage collection of the logger. */
    private static final java.util.logging.Logger JAVAFX_LOG = java.util.logging.Logger.getLogger("javafx");
    private static boolean started;

    private Fx() { }

    /** Starts the JavaFX toolkit headless: no X server, no GTK. Call before any JavaFX class is used. */
    public static synchronized void startHeadless() {
        if (started) return;
        System.setProperty("glass.platform", "Monocle");
        System.setProperty("monocle.platform", "Headless");
        System.setProperty("prism.order", "sw");
        System.setProperty("java.awt.headless", "true");
        System.setProperty("prism.lcdtext", "false");
        quietClasspathWarning();
        try {
            Platform.startup(() -> { });
        } catch (IllegalStateException alreadyRunning) {
            // the toolkit is up (a test started it): reuse it
        }
        Platform.setImplicitExit(false);
        started = true;
    }

    /**
     * JavaFX warns "Unsupported JavaFX configuration: classes were loaded from 'unnamed module'" when it runs
     * from the class path, as kstep does (one plain java -jar); the warning says nothing a user can act on.
     */
    static void quietClasspathWarning() {
        JAVAFX_LOG.setLevel(java.util.logging.Level.SEVERE);
    }

    /** The window's toolkit (GTK) is up: exports from the window use it as it is. */
    static synchronized void markStarted() {
        started = true;
    }

    /** Runs {@code work} on the JavaFX thread and waits for its result. */
    public static <T> T call(Callable<T> work) {
        if (Platform.isFxApplicationThread()) {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(work.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }
}
