package kstep.app;

import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Modality;
import javafx.stage.Stage;

import kstep.scenario.Samples;
import kstep.scenario.Scenario;
import kstep.scenario.Session;

/** The kstep window: opens a scenario (the default sample unless told otherwise) in a {@link MainWindow}. */
public final class KstepApp extends Application {
    static volatile String scenarioArg = Samples.DEFAULT;
    static volatile String variantArg;
    static volatile java.nio.file.Path screenshotArg;

    private MainWindow window;
    private Stage stage;

    @Override
    public void start(Stage primary) {
        this.stage = primary;
        Fx.markStarted();
        kstep.bundle.Bundle.Moment moment = kstep.bundle.Bundle.isBundle(scenarioArg)
            ? kstep.bundle.Bundle.open(java.nio.file.Path.of(scenarioArg), kstep.annotate.Sidecar.dataHome()) : null;
        Scenario s = moment != null ? moment.session().scenario() : Samples.open(scenarioArg);
        Session session = moment != null && variantArg == null ? moment.session() : new Session(s, variantArg == null ? s.defaultVariant() : variantArg);
        window = new MainWindow(session, this::openGallery);
        if (moment != null) for (String t : moment.tabs()) window.showTab(t);
        primary.setScene(new Scene(window, 1280, 720));
        primary.setMinWidth(1024);
        primary.setMinHeight(600);
        primary.setTitle("kstep — " + s.title());
        for (String size : new String[] {"32", "64", "256"})
            primary.getIcons().add(new Image(KstepApp.class.getResource("/kstep/icons/kstep-" + size + ".png").toExternalForm()));
        primary.show();
        if (screenshotArg != null) screenshotAndQuit(primary, screenshotArg);
    }

    /** Saves what the real window shows (GTK, a display) once it has settled, then quits. */
    private static void screenshotAndQuit(Stage stage, java.nio.file.Path file) {
        javafx.animation.PauseTransition settle = new javafx.animation.PauseTransition(javafx.util.Duration.seconds(1.5));
        settle.setOnFinished(e -> {
            try {
                javafx.scene.image.WritableImage img = stage.getScene().snapshot(null);
                Exporter.write(javafx.embed.swing.SwingFXUtils.fromFXImage(img, null), file.toAbsolutePath());
            } catch (java.io.IOException ex) {
                System.err.println("kstep: cannot write " + file + ": " + ex.getMessage());
            }
            javafx.application.Platform.exit();
        });
        settle.play();
    }

    private void openGallery() {
        Stage g = new Stage();
        g.initOwner(stage);
        g.initModality(Modality.WINDOW_MODAL);
        g.setTitle("kstep samples");
        GalleryView view = new GalleryView(sc -> {
            window.setSession(new Session(sc, sc.defaultVariant()));
            stage.setTitle("kstep — " + sc.title());
            g.close();
        });
        Scene scene = new Scene(view, 720, 520);
        scene.getStylesheets().add(KstepApp.class.getResource("/kstep/views/kstep.css").toExternalForm());
        g.setScene(scene);
        g.show();
    }

    /**
     * Opens the window on {@code scenario} (a sample id or file) and blocks until it is closed; with a
     * {@code screenshot} path, saves the window there once it is up and closes it.
     */
    public static void launchWindow(String scenario, String variant, java.nio.file.Path screenshot) {
        scenarioArg = scenario == null ? Samples.DEFAULT : scenario;
        variantArg = variant;
        screenshotArg = screenshot;
        Fx.quietClasspathWarning();
        Application.launch(KstepApp.class);
    }
}
