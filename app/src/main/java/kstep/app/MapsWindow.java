package kstep.app;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

import kstep.mm.MapsFile;
import kstep.views.AddressSpaceView;

/** A real process's address space (from its maps or smaps) in the address-space view, read only. */
public final class MapsWindow {
    private MapsWindow() { }

    static AddressSpaceView view(MapsFile.Result r, String name) {
        AddressSpaceView v = new AddressSpaceView();
        v.getStylesheets().add(MapsWindow.class.getResource("/kstep/views/kstep.css").toExternalForm());
        v.show(r.mm(), name, r.fields());
        return v;
    }

    /** Renders the view headless (Monocle) at 1280x720 and writes it to {@code png}, through a temporary file. */
    public static void png(MapsFile.Result r, String name, Path png) throws IOException {
        Fx.startHeadless();
        BufferedImage img = Fx.call(() -> {
            AddressSpaceView v = view(r, name);
            new Scene(v, 1280, 720);
            for (int i = 0; i < 2; i++) {
                v.applyCss();
                v.layout();
                v.fit();
            }
            return Exporter.snapshot(v, 1);
        });
        Exporter.write(img, png.toAbsolutePath());
    }

    /** Opens a window on a display (GTK), and returns when it is closed. */
    public static void show(MapsFile.Result r, String name) {
        Platform.startup(() -> {
            Stage s = new Stage();
            s.setTitle("kstep — " + name);
            s.setScene(new Scene(view(r, name), 1280, 720));
            s.setOnHidden(e -> Platform.exit());
            s.show();
        });
    }
}
