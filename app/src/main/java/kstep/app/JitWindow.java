package kstep.app;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

import kstep.bpf.Insn;
import kstep.bpf.jit.X86Jit;
import kstep.views.JitView;

/** The JIT side by side in a window, or rendered headless to a PNG. */
public final class JitWindow {
    private JitWindow() { }

    /** A compiled program: its rewritten instructions' texts, their jump targets, both images, and the kernel's x86-64 image (or null). */
    public record Compiled(String name, List<String> texts, List<Integer> targets, X86Jit.Image image, X86Jit.Image arm64, String kernelJited) { }

    /** The texts and jump targets of {@code insns} (the rewritten program), for the left pane. */
    public static Compiled compiled(String name, List<Insn> insns, java.util.function.IntFunction<String> text, X86Jit.Image image, X86Jit.Image arm64,
                                    String kernelJited) {
        List<String> texts = new ArrayList<>();
        List<Integer> targets = new ArrayList<>();
        for (int i = 0; i < insns.size(); i++) {
            Insn x = insns.get(i);
            texts.add(text.apply(i));
            boolean jump = (x.cls() == Insn.JMP || x.cls() == Insn.JMP32) && x.op() != Insn.EXIT && x.op() != Insn.CALL;
            targets.add(jump ? i + (x.cls() == Insn.JMP32 && x.op() == Insn.JA ? x.imm() : x.off()) + 1 : -1);
        }
        return new Compiled(name, texts, targets, image, arm64, kernelJited);
    }

    /** The view of {@code c}, with the annotations of {@code sidecar} (beside the program's file; null: none kept). */
    static JitView view(Compiled c, Path sidecar) {
        JitView v = new JitView();
        if (sidecar != null) v.annotations().setEditor(new kstep.annotate.AnnotationEditor(kstep.annotate.Sidecar.open(sidecar)));
        v.getStylesheets().add(JitWindow.class.getResource("/kstep/views/kstep.css").toExternalForm());
        v.set("JIT — " + c.name() + " (Linux 6.18's x86-64 JIT on this machine: BMI2, return thunks, no IBT; its arm64 JIT for the defconfig: BTI, PAC, LSE)",
            c.texts(), c.targets(), c.image(), c.arm64(), c.kernelJited());
        return v;
    }

    /** Renders the view headless to {@code png} (through a temporary file), {@code highlight} lit (-1: none). */
    public static void png(Compiled c, Path sidecar, int highlight, double scale, Path png) throws IOException {
        Fx.startHeadless();
        BufferedImage img = Fx.call(() -> {
            JitView v = view(c, sidecar);
            new Scene(v, 1400, 900);
            v.applyCss();
            v.layout();
            if (highlight >= 0) v.highlight(highlight);
            v.applyCss();
            v.layout();
            v.annotations().redraw();
            return Exporter.snapshot(v, scale);
        });
        Exporter.write(img, png.toAbsolutePath());
    }

    /** Opens the view in a window (needs a display) and returns when it is closed. */
    public static void show(Compiled c, Path sidecar) {
        Platform.startup(() -> {
            Stage s = new Stage();
            s.setTitle("kstep — x86-64 JIT — " + c.name());
            s.setScene(new Scene(view(c, sidecar), 1400, 900));
            s.setOnHidden(e -> Platform.exit());
            s.show();
        });
    }
}
