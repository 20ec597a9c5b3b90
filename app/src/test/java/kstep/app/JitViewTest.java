package kstep.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.stage.Stage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import kstep.bpf.BpfProgram;
import kstep.bpf.ProgramFile;
import kstep.bpf.Verifier;
import kstep.bpf.Xlated;
import kstep.bpf.jit.X86Jit;
import kstep.views.JitView;

/** The JIT side by side on the JIT sample: hovering links both sides, the jumps have arrows, the kernel's bytes are compared. */
@ExtendWith(ApplicationExtension.class)
class JitViewTest {
    private JitView view;
    private JitWindow.Compiled compiled;

    static JitWindow.Compiled compile(String kernel) throws Exception {
        Path f = Path.of("../samples/bpf/jit/socket-filter.s");
        BpfProgram p = ProgramFile.read(f.toString(), Files.readAllBytes(f), false, null).get(0);
        Verifier.Result r = Verifier.verify(p, 1, false, true);
        Xlated x = r.xlated();
        X86Jit.Image img = X86Jit.compile(x.insns(), X86Jit.functions(x.subprogStarts(), x.stackDepths(), x.insns().size()));
        X86Jit.Image arm = kstep.bpf.jit.Arm64Jit.compile(x.insns(), X86Jit.functions(x.subprogStarts(), x.stackDepths(), x.insns().size()));
        return JitWindow.compiled("socket-filter.s", x.insns(), i -> kstep.bpf.Disasm.text(x.insns().get(i), null), img, arm, kernel == null ? null : kernel.replace("IMG", img.hex()));
    }

    @Start
    void start(Stage stage) throws Exception {
        compiled = compile(null);
        view = JitWindow.view(compiled, null);
        stage.setScene(new Scene(view, 1280, 720));
        stage.show();
    }

    @Test
    void hoveringABpfInstructionLightsUpTheMachineCodeItBecame(FxRobot robot) {
        Node divide = robot.lookup(".jit-bpf-row").queryAll().stream().filter(n -> Integer.valueOf(11).equals(n.getUserData())).findFirst().orElseThrow();
        robot.moveTo(divide);
        assertEquals(List.of("bpf 11", "x86 45", "x86 46", "x86 47", "x86 4a", "x86 4c", "x86 4f", "x86 52", "x86 53", "arm64 68"), view.lit(),
            "r1 /= r7 is push rax, push rdx, mov rax,rdi, xor edx,edx, div r13, mov rdi,rax, pop rdx, pop rax; on arm64 one udiv");
        Node shift = robot.lookup(".jit-x86-row").queryAll().stream().filter(n -> Integer.valueOf(5).equals(n.getUserData())).findFirst().orElseThrow();
        robot.moveTo(shift);
        assertEquals(List.of("bpf 5", "x86 2e", "arm64 4c"), view.lit(), "and back: shlx rax,rax,rsi is r0 <<= r2, lsl x7, x7, x1 on arm64");
    }

    @Test
    void jumpsHaveArrowsOnBothSides() {
        List<String> j = view.jumps();
        assertTrue(j.contains("bpf 2->18") && j.contains("bpf 8->11") && j.contains("bpf 10->12"), j.toString());
        assertTrue(j.contains("x86 24->74") && j.contains("x86 76->6b"), "ja to r0 = 0, and the second exit to the first epilogue: " + j);
        assertTrue(j.contains("arm64 40->8c") && j.contains("arm64 88->90"), "b.hi to r0 = 0, and the first exit to the epilogue: " + j);
    }

    @Test
    void theKernelsBytesAreShownAndADifferenceIsMarked(FxRobot robot) throws Exception {
        JitWindow.Compiled same = compile("IMG");
        robot.interact(() -> view.set("t", same.texts(), same.targets(), same.image(), same.arm64(), same.kernelJited()));
        assertEquals(0, view.differingBytes());
        assertTrue(robot.lookup("#jit-status").queryLabeled().getText().contains("the same as the running kernel's"));
        String hex = same.image().hex();
        String changed = hex.substring(0, 20) + "ff" + hex.substring(22);
        robot.interact(() -> view.set("t", same.texts(), same.targets(), same.image(), same.arm64(), changed));
        assertEquals(1, view.differingBytes());
        assertTrue(robot.lookup("#jit-status").queryLabeled().getText().contains("differs from the running kernel's in 1 bytes"));
    }
}
