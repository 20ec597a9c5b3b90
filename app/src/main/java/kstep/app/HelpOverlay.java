package kstep.app;

import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/** The keyboard shortcuts, over the whole window (F1 or ? to show, Esc to close). */
final class HelpOverlay extends StackPane {
    static final String[][] KEYS = {
        {"→", "one step forward"},
        {"←", "one step back"},
        {"Home / End", "step 0 / last step"},
        {"F", "run to the next finding"},
        {"R", "run / pause"},
        {"+ / -", "faster / slower"},
        {"I", "interactive mode: you choose the next CPU, preemption, interrupt or device event"},
        {"1 … 9", "in interactive mode, take choice 1 … 9"},
        {"V", "next kernel variant (same schedule)"},
        {"G", "the gallery of samples"},
        {"P", "presentation mode: full screen, larger, no toolbar; Space/PageDown and Backspace/PageUp step, [ and ] resize, Esc leaves"},
        {"T", "next theme: light, dark, high contrast"},
        {"A", "annotate: 1-6 pick select, arrow, box, highlight, marker, text; drag to draw; Delete, Ctrl+Z, Ctrl+Y; Tab selects; arrows nudge"},
        {"Ctrl+G", "the interleaving game: schedule every step yourself to reach the bug (Shift+1-9 runs a choice); Ctrl+G again: the explorer's shortest"},
        {"F8 / Shift+F8", "continue to the next breakpoint / reverse-continue to the previous one (Breakpoints tab; right-click a line, card, lock, VMA, PTE or frame)"},
        {"Shift+F10", "breakpoints on what this step did: its line, the fields it wrote (and why they are so), its kernel happenings"},
        {"Ctrl+F", "find in the trace: words of a step or a breakpoint; Enter the next, Shift+Enter the previous"},
        {"Ctrl+E", "export this step or a range: the window or one view, PNG, GIF or PDF handout, 1-3x"},
        {"Ctrl+S", "save this moment (variant, schedule, step, tabs, annotations) as a .kstep file to send; ./kstep FILE.kstep opens it"},
        {"F1 or ?", "this help; Esc closes it"},
        {"click the timeline", "jump to that step"},
        {"double-click a finding", "jump to its step"},
    };

    HelpOverlay() {
        getStyleClass().add("help-overlay");
        setId("help-overlay");
        GridPane g = new GridPane();
        g.setHgap(14);
        g.setVgap(5);
        for (int i = 0; i < KEYS.length; i++) {
            Label k = new Label(KEYS[i][0]);
            k.getStyleClass().add("help-key");
            Label d = new Label(KEYS[i][1]);
            d.setWrapText(true);
            g.add(k, 0, i);
            g.add(d, 1, i);
        }
        Label t = new Label("kstep keyboard shortcuts");
        t.getStyleClass().add("help-title");
        Label tip = new Label("Lines with an orange bar in the gutter differ between the variants; dimmed lines are not compiled in this one.");
        tip.setWrapText(true);
        VBox box = new VBox(10, t, g, tip);
        box.getStyleClass().add("help-box");
        box.setMaxSize(620, 520);
        setAlignment(Pos.CENTER);
        getChildren().add(box);
        setOnMouseClicked(e -> setVisible(false));
    }
}
