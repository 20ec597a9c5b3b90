package kstep.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javafx.geometry.Insets;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.stage.DirectoryChooser;

import kstep.scenario.Session;

/**
 * The window's export (Ctrl+E): this step or a range, the whole window or one view, PNG (one a step), GIF or a
 * PDF handout, at scale 1-3, with the notes as a caption. Files that exist are replaced only when the teacher
 * says so.
 */
final class ExportDialog extends Dialog<ButtonType> {
    private final MainWindow window;
    final ChoiceBox<String> view = new ChoiceBox<>();
    final TextField steps = new TextField();
    final ChoiceBox<String> format = new ChoiceBox<>();
    final ChoiceBox<Integer> scale = new ChoiceBox<>();
    final ChoiceBox<Integer> perPage = new ChoiceBox<>();
    final CheckBox caption = new CheckBox("the step and its notes below each image");
    final TextField folder = new TextField();
    private final Label error = new Label();

    ExportDialog(MainWindow window) {
        this.window = window;
        setTitle("Export");
        setHeaderText("Export " + window.session().scenario().title() + " · " + window.session().variant());
        view.setId("export-view");
        view.getItems().setAll(window.viewNames());
        view.setValue("window");
        steps.setId("export-steps");
        steps.setText(Integer.toString(window.session().cursor()));
        steps.setPromptText("40, or 30..60");
        format.setId("export-format");
        format.getItems().setAll("png", "gif", "pdf");
        format.setValue("png");
        scale.setId("export-scale");
        scale.getItems().setAll(1, 2, 3);
        scale.setValue(2);
        perPage.setId("export-per-page");
        perPage.getItems().setAll(1, 2, 4);
        perPage.setValue(1);
        caption.setId("export-caption");
        folder.setId("export-folder");
        folder.setText(Path.of(System.getProperty("user.home"), "kstep-exports").toString());
        folder.setPrefColumnCount(32);
        Button choose = new Button("Choose…");
        choose.setOnAction(e -> {
            DirectoryChooser dc = new DirectoryChooser();
            dc.setTitle("Export to");
            java.io.File f = dc.showDialog(getDialogPane().getScene().getWindow());
            if (f != null) folder.setText(f.getPath());
        });
        error.setId("export-error");
        error.getStyleClass().add("export-error");
        error.setWrapText(true);
        GridPane g = new GridPane();
        g.setHgap(8);
        g.setVgap(6);
        g.setPadding(new Insets(10));
        String[] labels = {"What", "Steps", "Format", "Scale", "PDF steps a page", "Caption", "Folder"};
        javafx.scene.Node[] fields = {view, steps, format, scale, perPage, caption, new HBox(6, folder, choose)};
        for (int i = 0; i < labels.length; i++) {
            g.add(new Label(labels[i]), 0, i);
            g.add(fields[i], 1, i);
        }
        g.add(error, 0, labels.length, 2, 1);
        getDialogPane().setContent(g);
        getDialogPane().getButtonTypes().setAll(ButtonType.OK, ButtonType.CANCEL);
        // OK exports; a bad field or a refused overwrite keeps the dialog open with the reason
        getDialogPane().lookupButton(ButtonType.OK).addEventFilter(javafx.event.ActionEvent.ACTION, e -> {
            if (!export()) e.consume();
        });
    }

    /** Runs the export as the fields say; false (and the reason shown) when it did not happen. */
    boolean export() {
        error.setText("");
        Session session = window.session();
        int from;
        int to;
        try {
            String[] ab = steps.getText().strip().split("\\.\\.", -1);
            from = Integer.parseInt(ab[0].strip());
            to = ab.length == 1 ? from : Integer.parseInt(ab[1].strip());
            if (ab.length > 2) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            error.setText("Steps are a number or A..B, not '" + steps.getText() + "'.");
            return false;
        }
        if (from < 0 || to > session.length() || from > to) {
            error.setText("Steps " + from + ".." + to + " are outside 0.." + session.length() + ".");
            return false;
        }
        Path dir = Path.of(folder.getText().strip());
        List<Path> targets = new ArrayList<>();
        if (format.getValue().equals("png")) for (int n = from; n <= to; n++) targets.add(Exporter.fileFor(dir, n, to));
        else targets.add(Exporter.handoutFile(dir, session, from, to, format.getValue()));
        List<Path> existing = targets.stream().filter(Files::exists).toList();
        boolean force = false;
        if (!existing.isEmpty()) {
            if (!confirmReplace(existing)) {
                error.setText("Nothing exported: " + existing.size() + " file" + (existing.size() == 1 ? "" : "s") + " would have been replaced.");
                return false;
            }
            force = true;
        }
        Exporter.Look look = new Exporter.Look(scale.getValue(), window.getWidth(), window.getHeight(), window.selectedTabs(), window.theme(),
            view.getValue(), true);
        Session copy = session.copy();
        try {
            if (format.getValue().equals("png")) Exporter.export(copy, dir, from, to, look, caption.isSelected(), force);
            else if (format.getValue().equals("gif")) Exporter.exportGif(copy, dir, from, to, look, caption.isSelected(), 1000, force);
            else Exporter.exportPdf(copy, dir, from, to, look, perPage.getValue(), force);
        } catch (IOException | RuntimeException e) {
            error.setText("Cannot export: " + e.getMessage());
            return false;
        }
        window.say("wrote " + (targets.size() == 1 ? targets.get(0) : targets.size() + " images to " + dir));
        return true;
    }

    /** Asks before files are replaced; the answer is no unless the teacher says yes. */
    boolean confirmReplace(List<Path> existing) {
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, existing.size() == 1 ? existing.get(0) + " exists. Replace it?"
            : existing.size() + " files exist in " + existing.get(0).getParent() + ", " + existing.get(0).getFileName() + " the first. Replace them?",
            ButtonType.YES, ButtonType.NO);
        a.setHeaderText("Replace existing files?");
        a.initOwner(getDialogPane().getScene().getWindow());
        Optional<ButtonType> r = a.showAndWait();
        return r.isPresent() && r.get() == ButtonType.YES;
    }
}
