package kstep.app;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.stage.Stage;

import kstep.bpf.BpfMap;
import kstep.bpf.BpfProgram;
import kstep.bpf.KernelVariant;
import kstep.bpf.ProgramFile;
import kstep.bpf.Verifier;
import kstep.lang.SourceError;
import kstep.views.VerifierView;

/**
 * The verifier workbench in a window, or rendered headless to a PNG: one program, or a tour (a directory of
 * programs to read in order, each starting with "//" comment lines that say what it teaches). A program's
 * text may name its type and maps in comments: "// type xdp", "// map array:4:8:16" (map N is the N-th).
 */
public final class VerifierWindow {
    private VerifierWindow() { }

    /** A program of the workbench: its file, its text, and the note at its head. */
    public record Program(Path file, String text) {
        public String note() {
            StringBuilder b = new StringBuilder();
            for (String l : text.split("\n")) {
                if (!l.startsWith("//")) break;
                String s = l.substring(2).strip();
                if (s.startsWith("type ") || s.startsWith("map ") || s.startsWith("kernel ")) continue;
                b.append(b.length() > 0 ? " " : "").append(s);
            }
            return b.toString();
        }

        public String title() {
            return file.getFileName().toString();
        }

        /** The kernel its "// kernel" line names, or null. */
        public KernelVariant kernel() {
            return KernelVariant.declared(file.toString(), text);
        }
    }

    /** The programs of {@code path}: the file itself, or a directory's .s and .hex files in name order. */
    public static List<Program> load(Path path) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (var s = Files.list(path)) {
                s.filter(p -> p.toString().endsWith(".s") || p.toString().endsWith(".hex")).sorted().forEach(files::add);
            }
            if (files.isEmpty()) throw new IllegalArgumentException(path + " has no .s or .hex programs");
        } else {
            files.add(path);
        }
        List<Program> out = new ArrayList<>();
        for (Path f : files) out.add(new Program(f, new String(Files.readAllBytes(f), StandardCharsets.UTF_8)));
        return out;
    }

    /** The program {@code text} declares (its "// type" and "// map" lines unless the caller forces them). */
    public static BpfProgram parse(String name, String text, BpfProgram.ProgType forced, List<BpfMap> forcedMaps) {
        BpfProgram p = ProgramFile.read(name, text.getBytes(StandardCharsets.UTF_8), false, forced).get(0);
        return forcedMaps.isEmpty() ? p : new BpfProgram(p.name(), p.type(), p.insns(), forcedMaps);
    }

    /**
     * The workbench on {@code programs}, showing the first; {@code kernel} asks the running kernel (null
     * when it cannot be asked). {@code forced} is the kernel variant for every program, or null to take
     * each program's "// kernel" line (6.18 without one).
     */
    static BorderPane view(List<Program> programs, BpfProgram.ProgType type, List<BpfMap> maps, Function<BpfProgram, VerifierView.Kernel> kernel,
                           boolean privileged, KernelVariant forced) {
        VerifierView v = new VerifierView();
        v.getStylesheets().add(VerifierWindow.class.getResource("/kstep/views/kstep.css").toExternalForm());
        Label note = new Label();
        note.setId("verifier-note");
        note.setWrapText(true);
        ComboBox<String> tour = new ComboBox<>();
        tour.setId("verifier-tour");
        for (Program p : programs) tour.getItems().add(p.title());
        String[] name = {programs.get(0).title()};
        javafx.scene.control.CheckBox unpriv = new javafx.scene.control.CheckBox("unprivileged loader");
        unpriv.setId("verifier-unprivileged");
        unpriv.setSelected(!privileged);
        unpriv.setMinWidth(javafx.scene.control.Control.USE_PREF_SIZE);
        ComboBox<String> variant = new ComboBox<>();
        variant.setId("verifier-kernel-variant");
        for (KernelVariant k : KernelVariant.values()) variant.getItems().add(k.label());
        variant.getSelectionModel().select((forced != null ? forced : KernelVariant.LINUX_6_18).label());
        boolean[] switching = {false};
        java.util.function.Supplier<KernelVariant> chosen = () -> KernelVariant.of(variant.getValue());
        v.setOnVerify(text -> verify(v, name[0], text, type, maps, kernel, !unpriv.isSelected(), chosen.get()));
        // each program's annotations sit next to its file (prog.s -> prog.annotations.json), one set a kernel and loader
        Runnable annotationVariant = () -> v.setAnnotationVariant(chosen.get().label() + (unpriv.isSelected() ? " unprivileged" : ""));
        unpriv.selectedProperty().addListener((o, a, b) -> {
            annotationVariant.run();
            verify(v, name[0], v.sourceText(), type, maps, kernel, !b, chosen.get());
        });
        variant.valueProperty().addListener((o, a, b) -> {
            if (b != null) annotationVariant.run();
            if (!switching[0] && b != null) verify(v, name[0], v.sourceText(), type, maps, kernel, !unpriv.isSelected(), chosen.get());
        });
        tour.getSelectionModel().selectedIndexProperty().addListener((o, a, b) -> {
            if (b.intValue() < 0) return;
            Program p = programs.get(b.intValue());
            name[0] = p.title();
            v.annotations().setEditor(new kstep.annotate.AnnotationEditor(kstep.annotate.Sidecar.open(kstep.annotate.Sidecar.nextTo(p.file()))));
            note.setText(p.note());
            v.setSource(p.text());
            KernelVariant declared;
            try {
                declared = p.kernel();
            } catch (SourceError e) {
                v.setInputError(e.getMessage(), e.pos().line());
                return;
            }
            switching[0] = true;
            variant.getSelectionModel().select((forced != null ? forced : declared != null ? declared : KernelVariant.LINUX_6_18).label());
            switching[0] = false;
            annotationVariant.run();
            verify(v, p.title(), p.text(), type, maps, kernel, !unpriv.isSelected(), chosen.get());
        });
        BorderPane root = new BorderPane(v);
        Label what = new Label(programs.size() > 1 ? "tour:" : "program:");
        what.setMinWidth(Label.USE_PREF_SIZE);
        tour.setMinWidth(230);
        Label kernelLabel = new Label("kernel:");
        kernelLabel.setMinWidth(Label.USE_PREF_SIZE);
        variant.setMinWidth(Label.USE_PREF_SIZE);
        HBox head = new HBox(10, what, tour, kernelLabel, variant, unpriv, note);
        head.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        head.getStyleClass().add("toolbar");
        root.setTop(head);
        tour.getSelectionModel().select(0);
        return root;
    }

    private static void verify(VerifierView v, String name, String text, BpfProgram.ProgType type, List<BpfMap> maps,
                               Function<BpfProgram, VerifierView.Kernel> kernel, boolean privileged, KernelVariant variant) {
        BpfProgram p;
        try {
            p = parse(name, text, type, maps);
        } catch (SourceError e) {
            v.setInputError(e.getMessage(), e.pos().line());
            return;
        } catch (IllegalArgumentException e) {
            v.setInputError(e.getMessage(), -1);
            return;
        }
        Verifier.Result r = Verifier.verify(p, 2, true, privileged, variant, true);
        v.setResult(p.insns(), r, kernel == null ? null : kernel.apply(p), privileged);
    }

    /**
     * Renders program {@code index} at verifier step {@code step} (-1: the last) headless, through a temporary
     * file; {@code livenessChain} above 0 shows the liveness tab on that call chain (1 the first) instead of the states.
     */
    public static void png(List<Program> programs, int index, int step, BpfProgram.ProgType type, List<BpfMap> maps,
                           Function<BpfProgram, VerifierView.Kernel> kernel, boolean privileged, KernelVariant forced, int livenessChain, String why,
                           double scale, Path png) throws IOException {
        Fx.startHeadless();
        BufferedImage img = Fx.call(() -> {
            BorderPane root = view(programs, type, maps, kernel, privileged, forced);
            @SuppressWarnings("unchecked")
            ComboBox<String> tour = (ComboBox<String>) root.lookup("#verifier-tour");
            tour.getSelectionModel().select(index);
            VerifierView v = (VerifierView) root.getCenter();
            new Scene(root, 1600, 900);
            root.applyCss();
            root.layout();
            v.show(step < 0 ? v.steps() - 1 : step);
            // the def-use chain and its arrows, as a click on the register or slot shows them
            if (why != null) {
                root.applyCss();
                root.layout();
                v.explain(why);
            }
            if (livenessChain > 0) {
                ((javafx.scene.control.TabPane) root.lookup("#verifier-tabs")).getSelectionModel().select(1);
                v.livenessTable().selectChain(livenessChain - 1);
            }
            root.applyCss();
            root.layout();
            return Exporter.snapshot(root, scale);
        });
        Exporter.write(img, png.toAbsolutePath());
    }

    /** Opens the workbench in a window (needs a display), and returns when it is closed. */
    public static void show(List<Program> programs, BpfProgram.ProgType type, List<BpfMap> maps, Function<BpfProgram, VerifierView.Kernel> kernel,
                            boolean privileged, KernelVariant forced) {
        Platform.startup(() -> {
            Stage s = new Stage();
            s.setTitle("kstep — verifier workbench");
            s.setScene(new Scene(view(programs, type, maps, kernel, privileged, forced), 1600, 900));
            s.setOnHidden(e -> Platform.exit());
            s.show();
        });
    }
}
