package kstep.app;

import java.util.ArrayList;
import java.util.List;

import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

import kstep.engine.Choice;
import kstep.engine.Finding;
import kstep.engine.Runner;
import kstep.engine.World;
import kstep.scenario.Scenario;
import kstep.annotate.AnnotationEditor;
import kstep.annotate.Sidecar;
import kstep.scenario.Session;
import kstep.views.ChoiceBar;
import kstep.views.AddressSpaceView;
import kstep.views.CodePane;
import kstep.views.DoorbellDiagram;
import kstep.views.EventListView;
import kstep.views.FindingsView;
import kstep.views.KernelLogView;
import kstep.views.LockHoldersView;
import kstep.views.LockdepGraphView;
import kstep.views.NotesView;
import kstep.views.annotate.AnnotationLayer;
import kstep.views.StepView;
import kstep.views.TimelineView;

/**
 * The main window: toolbar (scenario, variant, mode, stepping controls), a code pane per CPU, the doorbell
 * diagram, notes / events / findings, the interactive choice bar and the timeline. It owns no state but the
 * {@link Session}; every control goes through it and then {@link #refresh()} redraws every view.
 */
public final class MainWindow extends StackPane {
    static final String[] MODES = {"Scripted", "Random", "Interactive"};

    private Session session;
    private final Runnable openGallery;
    private final BorderPane frame = new BorderPane();
    private final Label title = new Label();
    private final Label stepLabel = new Label();
    private final Label outcome = new Label();
    private final Label findingBanner = new Label();
    private final ChoiceBox<String> variant = new ChoiceBox<>();
    private final ChoiceBox<String> mode = new ChoiceBox<>();
    private final Slider speed = new Slider(1, 60, 8);
    private final javafx.scene.control.Spinner<Integer> seed = new javafx.scene.control.Spinner<>(0, 999_999, 1);
    private final Button runButton = new Button("▶ Run");
    private final List<CodePane> codePanes = new ArrayList<>();
    private final SplitPane codeSplit = new SplitPane();
    private final DoorbellDiagram diagram = new DoorbellDiagram();
    private final LockHoldersView locks = new LockHoldersView();
    private final LockdepGraphView lockdep = new LockdepGraphView();
    private final KernelLogView dmesg = new KernelLogView();
    private final TabPane stateTabs = new TabPane();
    private final Tab vgicTab = new Tab("vGIC");
    private final AddressSpaceView mmView = new AddressSpaceView();
    private final Tab mmTab = new Tab("mm", mmView);
    /** What the user picked in the memory views; they all highlight it. */
    private final kstep.views.MmSelection mmSelection = new kstep.views.MmSelection();
    private final kstep.views.PageTableView pageTables = new kstep.views.PageTableView(mmSelection);
    private final Tab pageTablesTab = new Tab("page tables", pageTables);
    private final kstep.views.PhysMemView physMem = new kstep.views.PhysMemView(mmSelection);
    private final Tab memoryTab = new Tab("memory");
    private final kstep.views.VmaListView vmaList = new kstep.views.VmaListView();
    private final Tab vmaListTab = new Tab("vma list");
    private final kstep.views.GupPanel gup = new kstep.views.GupPanel(mmSelection);
    private final Tab gupTab = new Tab("gup");
    private final NotesView notes = new NotesView();
    private final EventListView events = new EventListView();
    private final FindingsView findings = new FindingsView();
    private final TabPane tabs = new TabPane();
    private final ChoiceBar choiceBar = new ChoiceBar();
    private final TimelineView timeline = new TimelineView();
    private final HelpOverlay help = new HelpOverlay();
    private final Timeline player = new Timeline();
    private boolean updatingControls;
    private Presentation presentation;
    private final AnnotationLayer annotations = new AnnotationLayer(frame);
    private final Label annotationBanner = new Label();
    private final kstep.views.BreakpointsView breakpoints = new kstep.views.BreakpointsView();
    private final kstep.views.DiffView diff = new kstep.views.DiffView();
    private kstep.debug.InterleavingGame game;
    private Object boundTrace;
    private int boundLength = -1;
    private final javafx.scene.control.TextField search = new javafx.scene.control.TextField();
    // the breakpoints of a sidecar just opened, set once its session's names can be checked
    private List<String> pendingBreakpoints;
    private final javafx.scene.control.ToggleButton annotateButton = new javafx.scene.control.ToggleButton("✎ Annotate");

    public MainWindow(Session session, Runnable openGallery) {
        this.session = session;
        this.openGallery = openGallery;
        getStyleClass().add("main-window");
        getStylesheets().add(MainWindow.class.getResource("/kstep/views/kstep.css").toExternalForm());
        VBox bar = toolbar();
        placePalette((VBox) bar.getChildren().get(0));
        frame.setTop(bar);
        frame.setCenter(center());
        VBox bottom = new VBox(choiceBar, timeline);
        frame.setBottom(bottom);
        presentation = new Presentation(this, frame, bar);
        getChildren().addAll(frame, annotations, presentation.pointerLayer(), help);
        help.setVisible(false);

        timeline.setOnJump(n -> {
            pause();
            session.jump(n);
            refresh();
        });
        findings.setOnJump(n -> {
            session.jump(n);
            refresh();
        });
        choiceBar.setOnChoose(this::choose);
        player.setCycleCount(Timeline.INDEFINITE);
        speed.valueProperty().addListener((o, a, b) -> retime());
        retime();
        addEventFilter(KeyEvent.KEY_PRESSED, this::onKey);
        breakpoints.setOnHits(timeline::setBreakpointHits);
        // kept with the annotations (the sidecar, a bundle): what the user added or removed, not what a variant dropped
        breakpoints.setOnEdit(specs -> annotations.editor().setBreakpoints(specs));
        // the right button's press, as a popup trigger on Linux (the headless platform sends no context-menu event)
        addEventFilter(javafx.scene.input.MouseEvent.MOUSE_PRESSED, e -> {
            if (e.getButton() == javafx.scene.input.MouseButton.SECONDARY) contextMenu(e);
        });
        setSession(session);
    }

    public Session session() {
        return session;
    }

    /** Shows another scenario (from the gallery). */
    public void setSession(Session s) {
        pause();
        game = null;
        this.session = s;
        Scenario sc = s.scenario();
        title.setText(sc.title());
        title.setTooltip(new Tooltip(sc.description()));
        openAnnotations(Sidecar.open(Sidecar.pathFor(sc)));
        updatingControls = true;
        variant.getItems().setAll(sc.variants().keySet());
        variant.setValue(s.variant());
        mode.setValue(modeName(s.mode()));
        updatingControls = false;
        codePanes.clear();
        codeSplit.getItems().clear();
        int cpus = sc.cpus();
        for (int c = 0; c < cpus; c++) {
            CodePane p = new CodePane(c);
            codePanes.add(p);
            codeSplit.getItems().add(p);
        }
        if (cpus == 2) codeSplit.setDividerPositions(0.6);
        // the subsystem tabs come first, and only where the scenario has the subsystem
        boolean hasVgic = kstep.vgic.VgicSnapshot.of(s.world(), null) != null;
        boolean hasMm = s.world().ext(kstep.mm.MmState.KEY, kstep.mm.MmState.class) != null;
        boolean hasOldMm = s.world().ext(kstep.mm.linux23.OldMemory.KEY, kstep.mm.linux23.OldMemory.class) != null;
        // the GUP panel where the models include mm/gup.kc
        boolean hasGup = hasMm && s.instance().program().function("__get_user_pages") != null;
        stateTabs.getTabs().removeAll(vgicTab, gupTab, mmTab, pageTablesTab, memoryTab, vmaListTab);
        mmSelection.clear();
        if (hasMm) stateTabs.getTabs().addAll(0, List.of(mmTab, pageTablesTab, memoryTab));
        if (hasGup) stateTabs.getTabs().add(0, gupTab);
        if (hasOldMm) stateTabs.getTabs().add(0, vmaListTab);
        if (hasVgic) stateTabs.getTabs().add(0, vgicTab);
        stateTabs.getSelectionModel().select(0);
        timeline.setTrace(s.trace(), cpus);
        refresh();
    }

    private static String modeName(Session.Mode m) {
        return switch (m) {
            case SCRIPT -> MODES[0];
            case SEED -> MODES[1];
            default -> MODES[2];
        };
    }

    private HBox toolbar1() {
        Button gallery = new Button("☰ Samples");
        gallery.setId("gallery-button");
        gallery.setTooltip(new Tooltip("Open another scenario (G)"));
        gallery.setOnAction(e -> openGallery.run());
        title.getStyleClass().add("scenario-title");
        title.setId("scenario-title");
        title.setMinWidth(0);
        HBox.setHgrow(title, Priority.ALWAYS);
        title.setMaxWidth(Double.MAX_VALUE);
        variant.setId("variant");
        variant.setTooltip(new Tooltip("The kernel variant; the same schedule replays on it (V)"));
        variant.valueProperty().addListener((o, a, b) -> {
            if (!updatingControls && b != null && !b.equals(session.variant())) {
                pause();
                session.switchVariant(b);
                timeline.setTrace(session.trace(), session.scenario().cpus());
                refresh();
            }
        });
        mode.setId("mode");
        mode.getItems().setAll(MODES);
        mode.setTooltip(new Tooltip("Where the schedule comes from: the scenario's script, a seeded random walk, or you (I)"));
        mode.valueProperty().addListener((o, a, b) -> {
            if (!updatingControls && b != null) setMode(b);
        });
        seed.setId("seed");
        seed.setEditable(true);
        seed.setPrefWidth(90);
        seed.setTooltip(new Tooltip("The seed of the random schedule: the same seed gives the same run"));
        seed.valueProperty().addListener((o, a, b) -> {
            if (!updatingControls && session.mode() == Session.Mode.SEED) setMode(MODES[1]);
        });
        Button helpButton = new Button("?");
        helpButton.setId("help-button");
        helpButton.setTooltip(new Tooltip("Keyboard shortcuts (F1)"));
        helpButton.setOnAction(e -> toggleHelp());
        annotateButton.setId("annotate");
        annotateButton.setTooltip(new Tooltip("Draw arrows, boxes, highlights, numbered markers and text over any view (A); saved next to the scenario"));
        annotateButton.setOnAction(e -> setAnnotating(annotateButton.isSelected()));
        Button play = button("Play", "game", "The interleaving game: you schedule every step to reach the bug; moves are counted (Ctrl+G; Ctrl+G again shows the"
            + " explorer's shortest)", this::startGame);
        Button export = button("Export…", "export", "This step or a range as PNG, GIF or a PDF handout, at 1-3x (Ctrl+E)", this::openExport);
        Button present = button("Present", "present", "Presentation mode: full screen, larger, clicker keys (P); Esc leaves", this::togglePresentation);
        HBox row = new HBox(8, gallery, title, new Label("Variant"), variant, new Label("Schedule"), mode, seed, play, annotateButton, export, present, helpButton);
        row.setAlignment(Pos.CENTER_LEFT);
        return row;
    }

    private HBox toolbar2() {
        Button reset = button("|◀", "reset", "Back to step 0 (Home)", this::reset);
        Button back = button("◀ Back", "step-back", "One step back (←)", this::stepBack);
        Button fwd = button("Step ▶", "step", "One step forward (→)", this::step);
        Button end = button("▶|", "end", "Last step (End)", this::toEnd);
        Button finding = button("Next finding ⚑", "next-finding", "Run to the next finding (F)", this::nextFinding);
        Button reverse = button("◀◀", "reverse-continue", "Reverse-continue: back to the last step a breakpoint stops at (Shift+F8)", this::reverseContinue);
        Button cont = button("▶▶", "continue", "Continue to the next step a breakpoint stops at (F8); set them in the Breakpoints tab or by right-click", this::continueToBreakpoint);
        runButton.setId("run");
        runButton.setTooltip(new Tooltip("Run / pause (R); speed with + and -"));
        runButton.setOnAction(e -> togglePlay());
        speed.setId("speed");
        speed.setPrefWidth(110);
        speed.setTooltip(new Tooltip("Steps per second"));
        stepLabel.getStyleClass().add("step-label");
        stepLabel.setId("step-label");
        outcome.setId("outcome");
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        search.setId("trace-search");
        search.setPromptText("find in the trace (Ctrl+F)");
        search.setPrefColumnCount(16);
        search.setTooltip(new Tooltip("Words of a step (its line, task, events) or a breakpoint (watch vcpu0.its_vpe, lock-taken, when ...):"
            + " Enter finds the next step, Shift+Enter the previous; Esc goes back to the steps"));
        search.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ENTER) {
                find(search.getText(), e.isShiftDown());
                e.consume();
            } else if (e.getCode() == KeyCode.ESCAPE) {
                requestFocus();
                e.consume();
            }
        });
        HBox row = new HBox(6, reset, back, fwd, end, finding, reverse, cont, runButton, new Label("speed"), speed, stepLabel, search, spacer, outcome);
        row.setAlignment(Pos.CENTER_LEFT);
        return row;
    }

    private VBox toolbar() {
        VBox bar = new VBox(4, toolbar1(), toolbar2());
        bar.getStyleClass().add("toolbar");
        findingBanner.getStyleClass().add("finding-banner");
        findingBanner.setId("finding-banner");
        findingBanner.setMaxWidth(Double.MAX_VALUE);
        findingBanner.setWrapText(true);
        findingBanner.setOnMouseClicked(e -> tabs.getSelectionModel().select(2));
        annotationBanner.getStyleClass().add("annotation-banner");
        annotationBanner.setId("annotation-banner");
        annotationBanner.setMaxWidth(Double.MAX_VALUE);
        annotationBanner.setWrapText(true);
        annotationBanner.setVisible(false);
        annotationBanner.setManaged(false);
        return new VBox(bar, findingBanner, annotationBanner);
    }

    private void placePalette(VBox bar) {
        bar.getChildren().add(annotations.palette());
    }

    private static Button button(String text, String id, String tip, Runnable r) {
        Button b = new Button(text);
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        b.setOnAction(e -> r.run());
        return b;
    }

    private static Tab tab(String title, javafx.scene.Node content, String name) {
        Tab t = new Tab(title, content);
        t.setId("tab-" + name);
        return t;
    }

    private SplitPane center() {
        codeSplit.setOrientation(Orientation.VERTICAL);
        ScrollPane diagramScroll = new ScrollPane(diagram);
        diagramScroll.setFitToWidth(true);
        vgicTab.setContent(diagramScroll);
        vgicTab.setId("tab-vgic");
        mmTab.setId("tab-mm");
        pageTablesTab.setId("tab-page-tables");
        ScrollPane memScroll = new ScrollPane(physMem);
        memScroll.setFitToWidth(true);
        memoryTab.setContent(memScroll);
        memoryTab.setId("tab-memory");
        mmView.setSelection(mmSelection);
        ScrollPane vmaScroll = new ScrollPane(vmaList);
        vmaScroll.setFitToHeight(true);
        vmaListTab.setContent(vmaScroll);
        vmaListTab.setId("tab-vma-list");
        ScrollPane gupScroll = new ScrollPane(gup);
        gupScroll.setFitToWidth(true);
        gupTab.setContent(gupScroll);
        gupTab.setId("tab-gup");
        Tab locksTab = new Tab("Locks", locks);
        locksTab.setId("tab-locks");
        ScrollPane graphScroll = new ScrollPane(lockdep);
        graphScroll.setFitToWidth(true);
        Tab graphTab = new Tab("lockdep", graphScroll);
        graphTab.setId("tab-lockdep");
        stateTabs.getTabs().addAll(vgicTab, locksTab, graphTab);
        stateTabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        stateTabs.setId("state-tabs");
        Tab dmesgTab = new Tab("dmesg", dmesg);
        dmesgTab.setId("tab-dmesg");
        tabs.getTabs().addAll(tab("Notes", notes, "notes"), tab("Events", events, "events"), tab("Findings", findings, "findings"), dmesgTab,
            tab("Breakpoints", breakpoints, "breakpoints"), tab("Diff", diff, "diff"));
        tabs.getSelectionModel().selectedItemProperty().addListener((o, a, t) -> {
            if (t != null && "tab-diff".equals(t.getId())) diff.show(session.cursor());
        });
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.setId("tabs");
        SplitPane right = new SplitPane(stateTabs, tabs);
        right.setOrientation(Orientation.VERTICAL);
        right.setDividerPositions(0.71);
        SplitPane main = new SplitPane(codeSplit, right);
        main.setDividerPositions(0.53);
        return main;
    }

    // ------------------------------------------------------------------ drawing
    /** Redraws every view for the session's cursor. */
    public void refresh() {
        int n = session.cursor();
        World w = session.world();
        World prev = n == 0 ? null : session.worldAt(n - 1);
        int noteStep = session.lastNoteStep(n);
        StepView v = new StepView(n, session.length(), w, prev, session.record(), session.findingsSoFar(), session.noteAt(noteStep),
            noteStep, session.instance().program(), session.scenario().differingLines(), session.variant(), session.trace());
        for (CodePane p : codePanes) p.show(v);
        diagram.show(v, session.instance().machine().externalEvents());
        if (stateTabs.getTabs().contains(vmaListTab)) vmaList.show(v);
        if (stateTabs.getTabs().contains(gupTab)) gup.show(v);
        if (stateTabs.getTabs().contains(mmTab)) {
            mmView.show(v);
            pageTables.show(v);
            physMem.show(v);
        }
        locks.show(v);
        lockdep.show(v);
        dmesg.show(v);
        notes.show(v);
        annotations.setStep(session.variant(), n);
        // a new recording (variant, schedule, an interactive choice) has other hits
        if (session.trace() != boundTrace || session.length() != boundLength) {
            boundTrace = session.trace();
            boundLength = session.length();
            Session s = session;
            breakpoints.setSession(spec -> kstep.debug.Breakpoints.parse(spec, s.worldAt(0)), b -> kstep.debug.Debugger.all(s, b));
            if (pendingBreakpoints != null) {
                breakpoints.setSpecs(pendingBreakpoints);
                pendingBreakpoints = null;
            }
            List<String> others = new ArrayList<>(s.scenario().variants().keySet());
            others.remove(s.variant());
            diff.setChoices(others, a -> {
                List<kstep.debug.WorldDiff.Change> cs = a.variant() != null ? kstep.debug.WorldDiff.againstVariant(s, s.cursor(), a.variant())
                    : kstep.debug.WorldDiff.between(s.worldAt(Math.min(a.step(), s.length())), s.worldAt(s.cursor()));
                return cs.stream().map(Object::toString).toList();
            }, () -> diff.show(session.cursor()));
        }
        if (tabs.getSelectionModel().getSelectedItem() != null && "tab-diff".equals(tabs.getSelectionModel().getSelectedItem().getId())) diff.show(n);
        events.show(v);
        findings.show(v);
        timeline.setCursor(n);
        stepLabel.setText("step " + n + " / " + session.length());
        Scenario.Variant var = session.instance().variant();
        outcome.getStyleClass().removeAll("outcome-finding", "outcome-ok");
        List<Finding> fs = session.findings();
        String expect = var.expect().equals("none") ? "no finding" : var.expect();
        outcome.setTooltip(new Tooltip("this variant is expected to end with: " + expect));
        if (!fs.isEmpty()) {
            Finding f = fs.get(0);
            outcome.setText(var.name() + (var.kernel().isEmpty() ? "" : " (" + var.kernel() + ")") + ": " + f.kind() + " at step " + f.step());
            outcome.getStyleClass().add("outcome-finding");
        } else {
            Runner.Outcome o = session.outcome();
            outcome.setText(var.name() + (var.kernel().isEmpty() ? "" : " (" + var.kernel() + ")") + ": "
                + (o == Runner.Outcome.END ? "no finding, reached the end" : o == null ? "interactive" : "no finding"));
            outcome.getStyleClass().add("outcome-ok");
        }
        List<Finding> reached = v.findings();
        boolean banner = !reached.isEmpty();
        findingBanner.setVisible(banner);
        findingBanner.setManaged(banner);
        if (banner) {
            Finding f = reached.get(reached.size() - 1);
            findingBanner.setText("⚑ " + f.kind() + " at step " + f.step() + (f.step() == n ? "" : " (earlier)") + ":  " + f.headline());
        }
        boolean interactive = session.mode() == Session.Mode.INTERACTIVE;
        choiceBar.setVisible(interactive);
        choiceBar.setManaged(interactive);
        if (interactive) choiceBar.show(w, session.choices(), session.instance().machine().externalEvents());
        updatingControls = true;
        mode.setValue(modeName(session.mode()));
        variant.setValue(session.variant());
        seed.setVisible(session.mode() == Session.Mode.SEED);
        seed.setManaged(session.mode() == Session.Mode.SEED);
        updatingControls = false;
    }

    // ------------------------------------------------------------------ actions
    public void step() {
        if (session.stepForward()) {
            timeline.setTrace(session.trace(), session.scenario().cpus());
            refresh();
            scoreGame();
        } else {
            pause();
        }
    }

    public void stepBack() {
        pause();
        if (session.stepBack()) refresh();
    }

    public void reset() {
        pause();
        session.reset();
        refresh();
    }

    public void toEnd() {
        pause();
        session.jump(session.length());
        refresh();
    }

    /** ▶▶ (F8): the next step where a breakpoint stops; the banner says which and why. */
    public void continueToBreakpoint() {
        pause();
        stopAt(kstep.debug.Debugger.next(session, breakpoints.breakpoints(), session.cursor()), "after");
    }

    /** ◀◀ (Shift+F8): back to the last step before this one where a breakpoint stops. */
    public void reverseContinue() {
        pause();
        stopAt(kstep.debug.Debugger.previous(session, breakpoints.breakpoints(), session.cursor()), "before");
    }

    private void stopAt(kstep.debug.Debugger.Hit h, String way) {
        if (breakpoints.breakpoints().isEmpty()) {
            say("no breakpoints: add one in the Breakpoints tab, or right-click a code line, a card or a lock");
            return;
        }
        if (h == null) {
            say("no breakpoint stops " + way + " step " + session.cursor());
            return;
        }
        session.jump(h.step());
        refresh();
        say("stopped at step " + h.step() + ": " + h.breakpoint().spec() + " — " + h.why());
    }

    /** Lists the steps that made {@code target} what it is now, in the Breakpoints tab. */
    public void showWhy(String target) {
        int at = session.cursor();
        breakpoints.showHistory(target, at, kstep.debug.Why.history(session, target, at), n -> {
            session.jump(n);
            refresh();
        });
        showTab("breakpoints");
    }

    /**
     * Find (Ctrl+F): the next step (or, {@code back}, the previous) that {@code query} matches, words of the
     * step or a breakpoint as written; nothing is kept in the Breakpoints tab. Returns the step found, or -1.
     */
    public int find(String query, boolean back) {
        pause();
        if (query.isBlank()) return -1;
        kstep.debug.Breakpoint b;
        try {
            b = kstep.debug.Breakpoints.query(query, session.worldAt(0));
        } catch (kstep.debug.DebugError e) {
            say("find: column " + e.col() + ": " + e.getMessage());
            return -1;
        }
        kstep.debug.Debugger.Hit h = back ? kstep.debug.Debugger.previous(session, List.of(b), session.cursor())
            : kstep.debug.Debugger.next(session, List.of(b), session.cursor());
        if (h == null) {
            say("find: no step " + (back ? "before" : "after") + " step " + session.cursor() + " matches " + b.spec());
            return -1;
        }
        session.jump(h.step());
        refresh();
        say("found at step " + h.step() + ": " + h.why() + (back ? " (Shift+Enter: the one before)" : " (Enter: the next)"));
        return h.step();
    }

    /**
     * The keyboard's context menu (Shift+F10 or the menu key): breakpoints on what this step did, the line it
     * ran (on its CPU or any), each field it wrote (with its why) and each kernel happening in it.
     */
    List<String> breakpointsForStep() {
        List<String> out = new ArrayList<>();
        int n = session.cursor();
        if (n < 1) return out;
        kstep.engine.StepRecord r = session.trace().step(n);
        if (r.where() != null && r.where() != kstep.lang.SourcePos.NONE) {
            out.add("line " + r.where().fileLine() + " cpu" + r.cpu());
            out.add("line " + r.where().fileLine());
        }
        for (kstep.engine.Event e : r.events()) {
            if (e.subject() == null || e.field() == null || e.subject().contains(":")) continue;
            String w = "watch " + e.subject() + "." + e.field();
            if (!out.contains(w)) out.add(w);
        }
        for (kstep.debug.KernelEvent k : kstep.debug.KernelEvent.values()) {
            kstep.debug.Breakpoint b = kstep.debug.Breakpoints.parse(k.label(), session.worldAt(0));
            if (kstep.debug.Debugger.at(session, List.of(b), n) != null) out.add(k.label());
        }
        return out;
    }

    private void keyboardMenu() {
        List<String> specs = breakpointsForStep();
        if (specs.isEmpty()) {
            say("nothing has happened at step 0: step first, then Shift+F10 offers breakpoints on what that step did");
            return;
        }
        javafx.scene.control.ContextMenu m = breakMenu(specs);
        m.show(stepLabel, javafx.geometry.Side.BOTTOM, 0, 0);
        // the keyboard starts on the first item
        javafx.application.Platform.runLater(() -> {
            if (m.getSkin() != null && m.getSkin().getNode() != null) m.getSkin().getNode().requestFocus();
        });
    }

    private static String menuLabel(String s) {
        if (s.startsWith("watch frame")) return "Break when frame " + s.substring(11) + " changes (its struct page)";
        if (s.startsWith("watch pte@")) return "Break when the PTE of " + s.substring(10) + " changes";
        if (s.startsWith("watch vma@")) return "Break when the VMA at " + s.substring(10) + " changes (range, flags, offset)";
        if (s.startsWith("watch ")) return "Break when " + s.substring(6) + " changes";
        if (s.matches("line .* cpu[0-9]+")) return "Break at " + s.substring(5).replaceFirst(" (cpu[0-9]+)$", " on $1");
        if (s.startsWith("line ")) return "Break at " + s.substring(5) + " on any CPU";
        return "Break at " + (s.contains(" ") ? s.replaceFirst(" ", " of ") : s).replace('-', ' ');
    }

    public kstep.views.DiffView diff() {
        return diff;
    }

    public kstep.views.BreakpointsView breakpoints() {
        return breakpoints;
    }

    /**
     * What a right-click offers where it lands: a watchpoint on the card or lock under it, a breakpoint on the
     * code line under it (on that CPU or any), found through the same names annotations anchor to.
     */
    List<String> breakpointsAt(javafx.geometry.Point2D inLayer) {
        List<String> out = new ArrayList<>();
        for (var e : annotations.anchors().entrySet()) {
            if (!e.getValue().contains(inLayer)) continue;
            String a = e.getKey();
            if (a.matches("cpu[0-9]+:line:.+:[0-9]+")) {
                String cpu = a.substring(0, a.indexOf(':'));
                String where = a.substring(a.indexOf(":line:") + 6);
                out.add("line " + where + " " + cpu);
                out.add("line " + where);
            } else if (a.startsWith("lock:")) {
                out.add("watch " + a.substring(5));
            } else if (a.matches("vgic:pcpu[0-9]+")) {
                out.add("watch " + a.substring(6));
            } else if (a.startsWith("vgic:vcpu-")) {
                out.add("watch " + a.substring(10));
            } else if (a.startsWith("vgic:vpe-")) {
                out.add("watch " + a.substring(9) + ".its_vpe");
                out.add("doorbell-armed " + a.substring(9));
            } else if (a.startsWith("vma:")) {
                // the mm events name a VMA by its range, [0x10000000,...
                out.add("watch vma@0x" + a.substring(4));
                out.add("vma-split 0x" + a.substring(4));
                out.add("vma-merged 0x" + a.substring(4));
            } else if (a.startsWith("pt:1:")) {
                // a PTE (the last level): its value, and the happening
                out.add("watch pte@0x" + a.substring(5));
                out.add("pte-changed 0x" + a.substring(5));
            } else if (a.startsWith("pt:") && a.indexOf(':', 3) > 0) {
                out.add("pte-changed 0x" + a.substring(a.indexOf(':', 3) + 1));
            } else if (a.startsWith("frame:")) {
                out.add("watch frame" + a.substring(6));
            } else if (a.startsWith("lockdep:")) {
                out.add("lock-taken " + a.substring(8));
            }
        }
        return out;
    }

    private void contextMenu(javafx.scene.input.MouseEvent e) {
        List<String> specs = breakpointsAt(annotations.sceneToLocal(e.getSceneX(), e.getSceneY()));
        if (specs.isEmpty()) return;
        breakMenu(specs).show(this, e.getScreenX(), e.getScreenY());
        e.consume();
    }

    /** A menu of breakpoints to set, and for each watched value "Why is it so?". */
    private javafx.scene.control.ContextMenu breakMenu(List<String> specs) {
        javafx.scene.control.ContextMenu m = new javafx.scene.control.ContextMenu();
        m.setId("break-menu");
        for (String s : specs) {
            javafx.scene.control.MenuItem it = new javafx.scene.control.MenuItem(menuLabel(s));
            it.setOnAction(x -> {
                if (breakpoints.add(s)) say("breakpoint: " + s + " (▶▶ or F8 continues to it, ◀◀ or Shift+F8 back)");
            });
            m.getItems().add(it);
            if (s.startsWith("watch ")) {
                String target = s.substring(6);
                javafx.scene.control.MenuItem why = new javafx.scene.control.MenuItem("Why is " + target + " so? (the steps that wrote it)");
                why.setOnAction(x -> showWhy(target));
                m.getItems().add(why);
            }
        }
        return m;
    }

    public void nextFinding() {
        pause();
        if (session.nextFinding()) {
            refresh();
            tabs.getSelectionModel().select(2);
        }
    }

    public void choose(Choice c) {
        pause();
        session.choose(c);
        timeline.setTrace(session.trace(), session.scenario().cpus());
        refresh();
        scoreGame();
    }

    /**
     * The interleaving game: from step 0 the teacher or a student schedules every step (1-9 take a choice,
     * Shift+1-9 run it as long as it can) to reach the buggy kernel's finding; moves are runs of one choice.
     */
    public void startGame() {
        pause();
        game = new kstep.debug.InterleavingGame(session, kstep.debug.InterleavingGame.goalOf(session));
        updatingControls = true;
        mode.setValue(MODES[2]);
        updatingControls = false;
        timeline.setTrace(session.trace(), session.scenario().cpus());
        refresh();
        say("The interleaving game: you are the scheduler. Reach " + (game.goal() == null ? "a finding" : game.goal())
            + " in as few moves as you can. 1-9 take a choice, Shift+1-9 runs it as long as it can; a move is a run of one choice.");
    }

    /** Shift+digit in the game: the choice again and again, until it is not possible or the goal is reached. */
    public void runChoice(Choice c) {
        if (game == null) startGame();
        game.run(c, 5000);
        timeline.setTrace(session.trace(), session.scenario().cpus());
        refresh();
        scoreGame();
    }

    /** Ctrl+G in the game: the explorer's shortest schedule to the goal, shown at its finding. */
    public void showShortestSchedule() {
        if (game == null) return;
        game.showShortest();
        timeline.setTrace(session.trace(), session.scenario().cpus());
        refresh();
        say("The explorer's shortest schedule: " + kstep.debug.InterleavingGame.segments(game.shortest().schedule()) + " moves, "
            + game.shortest().schedule().size() + " steps (" + game.shortest().exploredStates() + " states explored).");
        game = null;
    }

    public kstep.debug.InterleavingGame game() {
        return game;
    }

    private void scoreGame() {
        if (game == null) return;
        kstep.engine.Finding f = game.reached();
        if (f == null) {
            say("The game: " + game.moves() + (game.moves() == 1 ? " move, " : " moves, ") + session.cursor() + " steps; goal: "
                + (game.goal() == null ? "a finding" : game.goal()) + ".");
            return;
        }
        kstep.engine.Explorer.Result best = game.shortest();
        say("You reached " + f.kind() + " at step " + f.step() + " in " + game.moves() + " moves. The explorer's shortest schedule takes "
            + (best.schedule() == null ? "? (it found none within its bound)" : kstep.debug.InterleavingGame.segments(best.schedule()) + " moves ("
            + best.schedule().size() + " steps)") + ": Ctrl+G shows it.");
    }

    public void setMode(String m) {
        pause();
        game = null;
        if (m.equals(MODES[0])) session.scripted();
        else if (m.equals(MODES[1])) session.seeded(seed.getValue());
        else session.interactive();
        timeline.setTrace(session.trace(), session.scenario().cpus());
        refresh();
    }

    public void nextVariant() {
        List<String> vs = new ArrayList<>(session.scenario().variants().keySet());
        variant.setValue(vs.get((vs.indexOf(session.variant()) + 1) % vs.size()));
    }

    public boolean playing() {
        return player.getStatus() == javafx.animation.Animation.Status.RUNNING;
    }

    public void togglePlay() {
        if (playing()) pause();
        else {
            player.play();
            runButton.setText("⏸ Pause");
        }
    }

    public void pause() {
        player.stop();
        runButton.setText("▶ Run");
    }

    private void retime() {
        boolean was = playing();
        player.stop();
        player.getKeyFrames().setAll(new KeyFrame(Duration.millis(1000.0 / speed.getValue()), e -> step()));
        if (was) player.play();
    }

    public void toggleHelp() {
        help.setVisible(!help.isVisible());
    }

    public boolean helpShown() {
        return help.isVisible();
    }

    @Override
    protected void layoutChildren() {
        super.layoutChildren();
        presentation.layout();
        javafx.scene.Node top = frame.getTop();
        annotations.setTopInset(presentation.on() || top == null || !top.isVisible() ? 0 : top.getBoundsInParent().getMaxY());
        annotations.redraw();
    }

    /** Annotations and notes from {@code s} (the scenario's sidecar): shown, edited and autosaved there. */
    public void openAnnotations(Sidecar s) {
        AnnotationEditor ed = new AnnotationEditor(s);
        annotations.setEditor(ed);
        pendingBreakpoints = ed.doc().breakpoints();
        boundTrace = null; // the next refresh reads them against this scenario
        notes.setEditor(ed);
        ed.onChange(this::showAnnotationProblems);
        showAnnotationProblems();
    }

    private void showAnnotationProblems() {
        AnnotationEditor ed = annotations.editor();
        String text = ed.saveError() != null ? ed.saveError() : ed.sidecar() == null ? null : ed.sidecar().problemText().orElse(null);
        annotationBanner.setText(text == null ? "" : "annotations: " + text);
        annotationBanner.setVisible(text != null);
        annotationBanner.setManaged(text != null);
    }

    public AnnotationLayer annotations() {
        return annotations;
    }

    /** The banner under the toolbar: why the annotations could not be read or saved, or what an export wrote. */
    public String bannerText() {
        return annotationBanner.getText();
    }

    /** The names of the tabs shown now (one a tab pane). */
    public List<String> selectedTabs() {
        List<String> out = new ArrayList<>();
        for (TabPane p : List.of(stateTabs, tabs)) {
            Tab t = p.getSelectionModel().getSelectedItem();
            if (t != null) out.add(t.getId().substring(4));
        }
        return out;
    }

    /** Saves this moment (scenario, variant, schedule, step, tabs, annotations) as a .kstep bundle. */
    public void saveMoment(java.nio.file.Path file) throws java.io.IOException {
        kstep.bundle.Bundle.write(file, session, annotations.editor().doc(), selectedTabs());
    }

    /** Ctrl+S: asks where, then saves the moment; a failure shows in the banner, the window keeps going. */
    private void saveMomentAs() {
        javafx.stage.FileChooser fc = new javafx.stage.FileChooser();
        fc.setTitle("Save this moment as a .kstep bundle");
        fc.getExtensionFilters().add(new javafx.stage.FileChooser.ExtensionFilter("kstep bundles", "*.kstep"));
        fc.setInitialFileName(session.scenario().id().replaceAll("[^A-Za-z0-9._-]+", "-") + "-step-" + session.cursor() + ".kstep");
        java.io.File f = fc.showSaveDialog(getScene() == null ? null : getScene().getWindow());
        if (f == null) return;
        java.nio.file.Path p = f.toPath();
        if (!kstep.bundle.Bundle.isBundle(p.getFileName().toString())) p = p.resolveSibling(p.getFileName() + ".kstep");
        try {
            saveMoment(p);
        } catch (java.io.IOException | RuntimeException ex) {
            say("cannot save " + p + ": " + ex.getMessage());
        }
    }

    /** The export dialog (Ctrl+E, or the toolbar's Export…). */
    public ExportDialog openExport() {
        ExportDialog d = new ExportDialog(this);
        if (getScene() != null && getScene().getWindow() != null) d.initOwner(getScene().getWindow());
        d.show();
        return d;
    }

    /** A one-line message in the banner under the toolbar (an export written, a save that failed). */
    void say(String text) {
        annotationBanner.setText(text);
        annotationBanner.setVisible(true);
        annotationBanner.setManaged(true);
    }

    /** Annotation editing (A): the palette shows and the mouse draws over the views. */
    public void setAnnotating(boolean on) {
        annotations.setEditing(on);
        annotateButton.setSelected(on);
    }

    /** Whether annotations are drawn at all (exports can leave them out). */
    public void setAnnotationsShown(boolean on) {
        annotations.setVisible(on);
    }

    /** Presentation mode (P): full screen, the window scaled, no toolbar, clicker keys, a pointer highlight. */
    public void togglePresentation() {
        presentation.toggle();
        annotations.setZoom(presentation.scale());
    }

    private void zoom(int dir) {
        presentation.zoom(dir);
        annotations.setZoom(presentation.scale());
    }

    public boolean presenting() {
        return presentation.on();
    }

    /** The presentation scale: 1 outside it, else 1.5, 2 or 3. */
    public double presentationScale() {
        return presentation.scale();
    }

    /** light, dark or high-contrast. */
    public String theme() {
        return presentation.theme();
    }

    public void setTheme(String name) {
        presentation.setTheme(name);
    }

    private void onKey(KeyEvent e) {
        KeyCode k = e.getCode();
        // typing a note or a callout: the keys are the text's
        if (e.getTarget() instanceof javafx.scene.control.TextInputControl && k != KeyCode.F1) return;
        if (e.isShortcutDown() && k == KeyCode.S) {
            saveMomentAs();
            e.consume();
            return;
        }
        if (e.isShortcutDown() && k == KeyCode.G) {
            if (game == null) startGame();
            else showShortestSchedule();
            e.consume();
            return;
        }
        if (e.isShortcutDown() && k == KeyCode.E) {
            openExport();
            e.consume();
            return;
        }
        if (e.isShortcutDown() && k == KeyCode.F) {
            search.requestFocus();
            search.selectAll();
            e.consume();
            return;
        }
        if (k == KeyCode.CONTEXT_MENU || (k == KeyCode.F10 && e.isShiftDown())) {
            keyboardMenu();
            e.consume();
            return;
        }
        if (annotations.editing() && annotations.handleKey(e)) {
            if (!annotations.editing()) annotateButton.setSelected(false);
            e.consume();
            return;
        }
        if (help.isVisible() && (k == KeyCode.ESCAPE || k == KeyCode.F1)) {
            help.setVisible(false);
            e.consume();
            return;
        }
        if (presentation.on()) {
            // a presentation clicker sends PageDown/PageUp; space and backspace as on a slide deck
            boolean used = true;
            switch (k) {
                case SPACE, PAGE_DOWN -> step();
                case BACK_SPACE, PAGE_UP -> stepBack();
                case CLOSE_BRACKET -> zoom(1);
                case OPEN_BRACKET -> zoom(-1);
                case ESCAPE -> togglePresentation();
                default -> used = false;
            }
            if (used) {
                e.consume();
                return;
            }
        }
        boolean done = true;
        switch (k) {
            case F8 -> {
                if (e.isShiftDown()) reverseContinue();
                else continueToBreakpoint();
            }
            case P -> togglePresentation();
            case A -> setAnnotating(!annotations.editing());
            case T -> presentation.nextTheme();
            case RIGHT -> step();
            case LEFT -> stepBack();
            case HOME -> reset();
            case END -> toEnd();
            case F -> nextFinding();
            case R -> togglePlay();
            case PLUS, EQUALS, ADD -> speed.setValue(Math.min(speed.getMax(), speed.getValue() * 1.5));
            case MINUS, SUBTRACT -> speed.setValue(Math.max(speed.getMin(), speed.getValue() / 1.5));
            case I -> setMode(session.mode() == Session.Mode.INTERACTIVE ? MODES[0] : MODES[2]);
            case V -> nextVariant();
            case G -> openGallery.run();
            case F1, SLASH -> toggleHelp();
            default -> {
                done = false;
                if (k.isDigitKey() && session.mode() == Session.Mode.INTERACTIVE) {
                    int i = k.getCode() - (k.getCode() >= KeyCode.NUMPAD0.getCode() ? KeyCode.NUMPAD0.getCode() : KeyCode.DIGIT0.getCode());
                    List<Choice> cs = choiceBar.choices();
                    if (i >= 1 && i <= cs.size()) {
                        if (e.isShiftDown()) runChoice(cs.get(i - 1));
                        else choose(cs.get(i - 1));
                        done = true;
                    }
                }
            }
        }
        if (done) e.consume();
    }

    // ------------------------------------------------------------------ for tests and export
    public List<CodePane> codePanes() {
        return codePanes;
    }

    public DoorbellDiagram diagram() {
        return diagram;
    }

    public AddressSpaceView addressSpace() {
        return mmView;
    }

    public kstep.views.PageTableView pageTables() {
        return pageTables;
    }

    public kstep.views.PhysMemView physicalMemory() {
        return physMem;
    }

    public kstep.views.GupPanel gupPanel() {
        return gup;
    }

    public kstep.views.VmaListView vmaList() {
        return vmaList;
    }

    public kstep.views.MmSelection mmSelection() {
        return mmSelection;
    }

    public LockHoldersView lockHolders() {
        return locks;
    }

    public LockdepGraphView lockdepGraph() {
        return lockdep;
    }

    public KernelLogView kernelLog() {
        return dmesg;
    }

    /** The names {@link #showTab} takes: the state tabs above, then the tabs below. */
    public List<String> tabNames() {
        List<String> names = new ArrayList<>();
        for (TabPane p : List.of(stateTabs, tabs)) for (Tab t : p.getTabs()) names.add(t.getId().substring(4));
        return names;
    }

    /** The views an export can show alone: window, cpu0.., timeline and the tab names. */
    public List<String> viewNames() {
        List<String> names = new ArrayList<>(List.of("window"));
        for (int i = 0; i < codePanes().size(); i++) names.add("cpu" + i);
        names.add("timeline");
        names.addAll(tabNames());
        return names;
    }

    /**
     * The node of view {@code name} (see {@link #viewNames()}); a tab is selected first, so its content is the
     * one laid out and drawn.
     */
    public Node view(String name) {
        if (name.equals("window")) return this;
        if (name.equals("timeline")) return timeline;
        if (name.matches("cpu[0-9]+")) {
            int i = Integer.parseInt(name.substring(3));
            if (i < codePanes().size()) return codePanes().get(i);
        }
        for (TabPane p : List.of(stateTabs, tabs)) {
            for (Tab t : p.getTabs()) {
                if (t.getId().equals("tab-" + name)) {
                    p.getSelectionModel().select(t);
                    return t.getContent();
                }
            }
        }
        throw new IllegalArgumentException("no view '" + name + "' here (views: " + String.join(", ", viewNames()) + ")");
    }

    /** Selects the tab called {@code name} ("gup", "mm", "page-tables", "memory", "vma-list", "vgic", "locks", "lockdep", "notes", "events", "findings", "dmesg"). */
    public void showTab(String name) {
        for (TabPane p : List.of(stateTabs, tabs)) {
            for (Tab t : p.getTabs()) {
                if (t.getId().equals("tab-" + name)) {
                    p.getSelectionModel().select(t);
                    return;
                }
            }
        }
        throw new IllegalArgumentException("no tab '" + name + "' here (tabs: " + String.join(", ", tabNames()) + ")");
    }

    public NotesView notes() {
        return notes;
    }

    public TimelineView timeline() {
        return timeline;
    }

    public ChoiceBar choiceBar() {
        return choiceBar;
    }

    public String stepText() {
        return stepLabel.getText();
    }

    public String findingBannerText() {
        return findingBanner.isVisible() ? findingBanner.getText() : "";
    }

    public String outcomeText() {
        return outcome.getText();
    }
}
