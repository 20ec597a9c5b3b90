package kstep.app;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

import kstep.bpf.BpfProgram;
import kstep.bpf.StepTrace;
import kstep.views.BpfStepView;

/** A BPF program's run in the step view: in a window, or rendered headless to a PNG at a given step. */
public final class BpfWindow {
    private BpfWindow() { }

    static BpfStepView view(BpfProgram p, StepTrace t) {
        BpfStepView v = new BpfStepView();
        v.getStylesheets().add(BpfWindow.class.getResource("/kstep/views/kstep.css").toExternalForm());
        v.setTrace(p, t);
        return v;
    }

    /** Renders the view at step {@code step} headless (Monocle), 1280x720 times {@code scale}, through a temporary file. */
    public static void png(BpfProgram p, StepTrace t, int step, double scale, Path png) throws IOException {
        Fx.startHeadless();
        BufferedImage img = Fx.call(() -> {
            BpfStepView v = view(p, t);
            v.show(step);
            new Scene(v, 1280, 720);
            v.applyCss();
            v.layout();
            return Exporter.snapshot(v, scale);
        });
        Exporter.write(img, png.toAbsolutePath());
    }

    /** Opens a window on a display (GTK), and returns when it is closed. */
    public static void show(BpfProgram p, StepTrace t) {
        Platform.startup(() -> {
            Stage s = new Stage();
            s.setTitle("kstep — " + p.name());
            s.setScene(new Scene(view(p, t), 1280, 720));
            s.setOnHidden(e -> Platform.exit());
            s.show();
        });
    }
}
