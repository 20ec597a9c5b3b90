package kstep.app;

import java.io.File;
import java.util.function.Consumer;

import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

import kstep.lang.SourceError;
import kstep.scenario.Samples;
import kstep.scenario.Scenario;
import kstep.scenario.ScenarioLoader;

/**
 * The gallery: every sample with its title, the commit it comes from and a one-line description; and a button
 * to open one's own scenario file. A broken file is reported with its file:line:col and nothing else changes.
 */
public final class GalleryView extends VBox {
    private final Label error = new Label();

    public GalleryView(Consumer<Scenario> open) {
        super(10);
        setPadding(new Insets(14));
        setId("gallery");
        Label head = new Label("kstep samples");
        head.getStyleClass().add("help-title");
        VBox items = new VBox(8);
        for (String id : Samples.ids()) {
            Scenario s;
            try {
                s = ScenarioLoader.loadSample(id);
            } catch (SourceError e) {
                Label bad = new Label(id + ": " + e.getMessage());
                bad.getStyleClass().add("error-text");
                items.getChildren().add(bad);
                continue;
            }
            Label t = new Label(s.title());
            t.getStyleClass().add("gallery-title");
            Label seed = new Label(s.seed() == null ? id : id + " · seed: " + s.seed().title()
                + (s.seed().commit().isEmpty() ? "" : " (" + s.seed().commit() + ")"));
            seed.getStyleClass().add("gallery-seed");
            String d = s.description();
            int dot = d.indexOf(". ");
            Label desc = new Label(dot > 0 ? d.substring(0, dot + 1) : d);
            desc.setWrapText(true);
            Label variants = new Label("variants: " + String.join(", ", s.variants().keySet()));
            VBox card = new VBox(3, t, seed, desc, variants);
            card.getStyleClass().add("gallery-item");
            card.setId("sample-" + id.replace('/', '-'));
            card.setOnMouseClicked(e -> open.accept(s));
            items.getChildren().add(card);
        }
        Button file = new Button("Open a scenario file…");
        file.setId("open-file");
        file.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("kstep scenarios", "*.yaml", "*.yml"));
            File f = fc.showOpenDialog(getScene() == null ? null : getScene().getWindow());
            if (f != null) openFile(f.toPath(), open);
        });
        Button verifier = new Button("BPF verifier workbench…");
        verifier.setId("open-verifier");
        verifier.setTooltip(new javafx.scene.control.Tooltip("Open a BPF program or a tour directory (samples/bpf/verifier-tour) in the verifier workbench"));
        verifier.setOnAction(e -> {
            javafx.stage.DirectoryChooser dc = new javafx.stage.DirectoryChooser();
            File samples = new File("samples/bpf");
            if (samples.isDirectory()) dc.setInitialDirectory(samples);
            File d = dc.showDialog(getScene() == null ? null : getScene().getWindow());
            if (d != null) openVerifier(d.toPath());
        });
        error.getStyleClass().add("error-text");
        error.setId("gallery-error");
        error.setWrapText(true);
        ScrollPane scroll = new ScrollPane(items);
        scroll.setFitToWidth(true);
        getChildren().addAll(head, scroll, new HBox(8, file, verifier), error);
    }

    /** Opens the verifier workbench on a program or a tour directory, in its own window; errors are shown here. */
    public void openVerifier(java.nio.file.Path p) {
        try {
            javafx.stage.Stage st = new javafx.stage.Stage();
            st.setTitle("kstep — verifier workbench — " + p.getFileName());
            javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getPrimary().getVisualBounds();
            st.setScene(new javafx.scene.Scene(VerifierWindow.view(VerifierWindow.load(p), null, java.util.List.of(), null, true, null),
                Math.min(1600, screen.getWidth()), Math.min(900, screen.getHeight())));
            st.show();
            error.setText("");
        } catch (java.io.IOException | IllegalArgumentException | SourceError e) {
            error.setText(p + ": " + e.getMessage());
        }
    }

    /** Opens a scenario file; errors are shown here, not thrown. */
    public void openFile(java.nio.file.Path p, Consumer<Scenario> open) {
        try {
            open.accept(ScenarioLoader.load(p));
            error.setText("");
        } catch (SourceError e) {
            error.setText(e.getMessage());
        }
    }

    public String errorText() {
        return error.getText();
    }
}
