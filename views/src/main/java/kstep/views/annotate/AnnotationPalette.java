package kstep.views.annotate;

import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.ColorPicker;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.paint.Color;

/** The annotation tools shown while editing: the six tools, the colour, the steps, delete, undo, redo and done. */
final class AnnotationPalette extends HBox {
    private final AnnotationLayer layer;
    private final ToggleGroup tools = new ToggleGroup();
    private final ColorPicker colour = new ColorPicker();
    private final ChoiceBox<AnnotationLayer.Scope> scope = new ChoiceBox<>();
    private final Button delete = new Button("Delete");
    private final Button undo = new Button("Undo");
    private final Button redo = new Button("Redo");
    private boolean syncing;

    AnnotationPalette(AnnotationLayer layer) {
        super(4);
        this.layer = layer;
        getChildren().add(new javafx.scene.control.Label("Annotate"));
        setId("annotation-palette");
        getStyleClass().add("annotation-palette");
        setAlignment(Pos.CENTER_LEFT);
        String[][] names = {{"select", "Select", "1: select, move, resize (drag a handle)"}, {"arrow", "Arrow", "2: drag from the tail to the head"},
            {"box", "Box", "3: drag a rectangle"}, {"highlight", "Highlight", "4: drag a region to shade"},
            {"marker", "Marker", "5: click to place the next number"}, {"text", "Text", "6: click, type, Enter"}};
        for (int i = 0; i < names.length; i++) {
            ToggleButton b = new ToggleButton(names[i][1]);
            b.setId("ann-" + names[i][0]);
            b.setToggleGroup(tools);
            b.setUserData(AnnotationLayer.Tool.values()[i]);
            b.setTooltip(new Tooltip(names[i][2]));
            b.setFocusTraversable(false);
            getChildren().add(b);
        }
        tools.selectedToggleProperty().addListener((o, a, t) -> {
            if (syncing) return;
            if (t == null) sync();
            else layer.setTool((AnnotationLayer.Tool) t.getUserData());
        });
        colour.setId("ann-colour");
        colour.setFocusTraversable(false);
        colour.setOnAction(e -> {
            if (!syncing) layer.setColour(AnnotationShapes.web(colour.getValue()));
        });
        scope.setId("ann-scope");
        scope.getItems().setAll(AnnotationLayer.Scope.values());
        scope.setFocusTraversable(false);
        scope.valueProperty().addListener((o, a, s) -> {
            if (!syncing && s != null) layer.setScope(s);
        });
        delete.setId("ann-delete");
        delete.setOnAction(e -> layer.deleteSelected());
        undo.setId("ann-undo");
        undo.setOnAction(e -> layer.undo());
        redo.setId("ann-redo");
        redo.setOnAction(e -> layer.redo());
        Button done = new Button("Done");
        done.setId("ann-done");
        done.setOnAction(e -> layer.setEditing(false));
        for (Button b : new Button[] {delete, undo, redo, done}) b.setFocusTraversable(false);
        getChildren().addAll(colour, scope, delete, undo, redo, done);
    }

    /** Shows the layer's tool, colour and scope. */
    void sync() {
        syncing = true;
        try {
            for (var t : tools.getToggles()) t.setSelected(t.getUserData() == layer.tool());
            colour.setValue(Color.web(layer.colour()));
            scope.setValue(layer.scope());
            delete.setDisable(layer.selected() == null);
            undo.setDisable(!layer.editor().canUndo());
            redo.setDisable(!layer.editor().canRedo());
        } finally {
            syncing = false;
        }
    }
}
