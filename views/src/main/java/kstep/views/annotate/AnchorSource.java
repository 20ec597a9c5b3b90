package kstep.views.annotate;

import java.util.Map;

import javafx.geometry.Bounds;

/**
 * A view that draws things annotations can point at without a node for each (a canvas of VMAs, the lines
 * of a code pane): their anchor names and bounds, in the view's own coordinates, as shown right now.
 */
public interface AnchorSource {
    Map<String, Bounds> anchors();
}
