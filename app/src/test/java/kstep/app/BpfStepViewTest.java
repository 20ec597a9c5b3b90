package kstep.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import javafx.scene.Scene;
import javafx.stage.Stage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import kstep.bpf.BpfProgram;
import kstep.bpf.KernelAsm;
import kstep.bpf.StepTrace;
import kstep.bpf.TestRun;
import kstep.views.BpfStepView;

/** The BPF step view: stepping forwards and back shows each instruction's registers and stack. */
@ExtendWith(ApplicationExtension.class)
class BpfStepViewTest {
    private BpfStepView view;

    static final String PROG = "r1 = 3\n*(u64 *)(r10 -8) = r1\nr2 = 2\nr2 = atomic64_fetch_add((u64 *)(r10 -8), r2)\nr0 = *(u64 *)(r10 -8)\nexit";

    @Start
    void start(Stage stage) {
        BpfProgram p = new BpfProgram("fetch-add", BpfProgram.ProgType.SOCKET_FILTER, KernelAsm.assemble("t", PROG));
        view = BpfWindow.view(p, StepTrace.record(TestRun.prepare(p, TestRun.DEFAULT_PACKET, 1), 1000));
        stage.setScene(new Scene(view, 1280, 720));
        stage.show();
    }

    @Test
    void steppingShowsTheRegistersAndTheStackSlotsAsTheyChange(FxRobot robot) {
        assertEquals("step 0 / 6, next: insn 0", view.positionText());
        assertEquals(List.of("(nothing written yet)"), view.stackRows());
        for (int i = 0; i < 4; i++) robot.clickOn("#bpf-step");
        assertEquals("step 4 / 6, next: insn 4", view.positionText());
        assertEquals("0x0000000000000003", view.register(2), "fetch_add gave the old value back in r2");
        assertEquals(List.of("fp-8   0000000000000005"), view.stackRows());
        robot.clickOn("#bpf-step");
        assertEquals("0x0000000000000005", view.register(0));
    }

    @Test
    void goingBackShowsTheSameStateAsGoingForward(FxRobot robot) {
        for (int i = 0; i < 3; i++) robot.clickOn("#bpf-step");
        String r1 = view.register(1);
        List<String> stack = view.stackRows();
        robot.clickOn("#bpf-step");
        robot.clickOn("#bpf-back");
        assertEquals(3, view.cursor());
        assertEquals(r1, view.register(1));
        assertEquals(stack, view.stackRows());
        assertTrue(view.lookup("#bpf-result") != null);
    }

    @Test
    void aWatchedSlotStopsWhereTheStoreAndTheAtomicWroteIt(FxRobot robot) {
        for (int i = 0; i < 2; i++) robot.clickOn("#bpf-step");
        robot.moveTo("#bpf-stack-8").clickOn(javafx.scene.input.MouseButton.SECONDARY);
        robot.clickOn("Stop when fp-8 changes (▶▶ and ◀◀)");
        assertEquals("watching fp-8: 2 steps change it (▶▶ the next, ◀◀ the previous)", view.watchText());
        robot.clickOn("#bpf-continue");
        assertEquals(4, view.cursor());
        assertEquals("step 4, insn 3 changed fp-8: 0x3 -> 0x5", view.watchText(), "the fetch-add");
        robot.clickOn("#bpf-continue");
        assertEquals(4, view.cursor());
        assertEquals("no step after step 4 changes fp-8", view.watchText());
        robot.clickOn("#bpf-reverse");
        assertEquals(2, view.cursor(), "back to the store");
        robot.interact(() -> view.watch("r2"));
        robot.clickOn("#bpf-reverse");
        assertEquals("no step before step 2 changes r2", view.watchText());
        robot.clickOn("#bpf-continue");
        assertEquals("step 3, insn 2 changed r2: 0x0 -> 0x2", view.watchText());
    }
}
