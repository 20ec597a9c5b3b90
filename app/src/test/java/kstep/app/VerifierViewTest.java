package kstep.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.layout.BorderPane;
import javafx.stage.Stage;

import org.fxmisc.richtext.CodeArea;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import kstep.views.VerifierView;

/** The verifier workbench on the verifier tour: the rejected line, the table, the tree, the log, editing. */
@ExtendWith(ApplicationExtension.class)
class VerifierViewTest {
    private BorderPane root;
    private VerifierView view;

    @Start
    void start(Stage stage) throws Exception {
        root = VerifierWindow.view(VerifierWindow.load(Path.of("../samples/bpf/verifier-tour")), null, List.of(), null, true, null);
        view = (VerifierView) root.getCenter();
        stage.setScene(new Scene(root, 1280, 720));
        stage.show();
    }

    @SuppressWarnings("unchecked")
    private void tourStep(FxRobot robot, int i) {
        robot.interact(() -> ((ComboBox<String>) root.lookup("#verifier-tour")).getSelectionModel().select(i));
    }

    @Test
    void aRejectedProgramUnderlinesTheLineWithTheKernelsMessage(FxRobot robot) {
        assertEquals("line 7, insn 2: R2 !read_ok", view.messageText());
        assertTrue(robot.lookup("#verifier-verdict").queryLabeled().getText().contains("rejected — R2 !read_ok"));
        tourStep(robot, 2);
        assertEquals("line 13, insn 8: R0 invalid mem access 'map_value_or_null'", view.messageText());
        assertEquals("R0: — -> map_value_or_null(id=1,ks=4,vs=8)  R1: map_ptr(ks=4,vs=8) -> —  R2: fp-4 -> —  ", view.stateText(7));
    }

    @Test
    void theTreeShowsTheBranchAndThePrunedPathAndStepsFollowTheLog(FxRobot robot) {
        tourStep(robot, 4);
        assertTrue(robot.lookup("#verifier-verdict").queryLabeled().getText().startsWith("kstep: accepted"));
        assertEquals(List.of("path 0 — from insn 0", "  path 1 — branch to insn 12, pushed at insn 8", "    explored from step 23",
            "    pruned at insn 12: path 0's checkpoint there covers it", "  exit at insn 21"), view.treeLines());
        robot.interact(() -> view.show(0));
        assertEquals("not reached yet", view.stateText(13));
        int line = 0;
        while (!view.logLines().get(line).startsWith("13: (57)")) line++;
        int at = line;
        robot.interact(() -> view.selectLogLine(at));
        assertTrue(view.selectedLogLine().startsWith("13: (57) r4 &= 15"), view.selectedLogLine());
        assertTrue(view.stateText(13).startsWith("R4: scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) -> scalar(smin=smin32=0,"), view.stateText(13));
    }

    @Test
    void editingAndVerifyingAgainTakesTheFix(FxRobot robot) {
        tourStep(robot, 0);
        CodeArea editor = robot.lookup("#verifier-editor").queryAs(CodeArea.class);
        robot.interact(() -> editor.replaceText(editor.getText().replace("*(u32 *)(r10 -4) = r2", "*(u32 *)(r10 -4) = r0")));
        robot.clickOn("#verifier-verify");
        assertEquals("line 12, insn 8: R0 invalid mem access 'map_value_or_null'", view.messageText(), "r0 holds the length: the store is fine now");
        robot.interact(() -> editor.replaceText("r0 = 1\nbogus\nexit\n"));
        robot.clickOn("#verifier-verify");
        assertTrue(view.messageText().contains(":2:1:"), view.messageText());
        assertEquals("not a program", robot.lookup("#verifier-verdict").queryLabeled().getText());
    }

    @Test
    void theLivenessTableShowsWhichSlotsAreLiveAndWhichTheCallWrites(FxRobot robot) throws Exception {
        robot.interact(() -> {
            try {
                BorderPane other = VerifierWindow.view(VerifierWindow.load(Path.of("../samples/bpf/subprograms/1-pointer-into-the-callers-stack.s")), null,
                    List.of(), null, true, null);
                root.setCenter(other);
                view = (VerifierView) other.getCenter();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        kstep.views.LivenessTableView t = view.livenessTable();
        assertTrue(t.row(1).contains("fp-8 ·□"), "insn 1 writes fp-8, which is not live before it: " + t.row(1));
        assertTrue(t.row(4).contains("fp-16 ·□"), "the call writes fp-16 through the pointer: " + t.row(4));
        assertTrue(t.row(5).contains("fp-16 ■") && t.row(5).contains("fp-8 ■"), t.row(5).toString());
        assertTrue(t.row(4).contains("r1 ■□") || t.row(4).contains("r1 ■"), "the call reads r1 (and clobbers it): " + t.row(4));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theStackArgsTourPicksEachStepsKernelAndShowsTheArgumentsFlowAndTheSlotTheUnpatchedSeriesLoses(FxRobot robot) {
        BorderPane[] other = new BorderPane[1];
        robot.interact(() -> {
            try {
                other[0] = VerifierWindow.view(VerifierWindow.load(Path.of("../samples/bpf/stack-args-liveness")), null, List.of(), null, true, null);
                root.setCenter(other[0]);
                view = (VerifierView) other[0].getCenter();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        ComboBox<String> tour = (ComboBox<String>) other[0].lookup("#verifier-tour");
        ComboBox<String> kernel = (ComboBox<String>) other[0].lookup("#verifier-kernel-variant");
        assertEquals("6.18", kernel.getValue());
        assertEquals("line 10, insn 4: R11 is invalid", view.messageText());
        robot.interact(() -> tour.getSelectionModel().select(1));
        assertEquals("stack-args", kernel.getValue());
        kstep.views.LivenessTableView t = view.livenessTable();
        assertEquals(List.of("4 -> 16"), t.arrows(), "main's r11-8 store reaches the callee's r11+8 load");
        assertTrue(t.row(11).contains("fp-8 ■"), "the callee's read keeps fp-8 live at the call: " + t.row(11));
        assertTrue(t.row(4).contains("r11 ·□") && t.row(16).contains("r11 ■"), t.row(4) + " " + t.row(16));
        assertTrue(t.row(11).contains("args sa0=fp0-8"), t.row(11).toString());
        robot.interact(() -> tour.getSelectionModel().select(2));
        assertEquals("stack-args-unpatched", kernel.getValue());
        assertTrue(t.row(11).contains("fp-8 ·"), "without patch 04 nothing reads fp-8 after insn 1: " + t.row(11));
        assertTrue(view.messageText().contains("invalid read from poisoned stack frame0 off -8+0 size 8"), view.messageText());
        robot.interact(() -> kernel.getSelectionModel().select("stack-args"));
        assertTrue(robot.lookup("#verifier-verdict").queryLabeled().getText().startsWith("kstep: accepted"), "the same program with the patch");
    }

    @Test
    void clickingARegisterShowsTheInstructionsThatMadeIt(FxRobot robot) {
        tourStep(robot, 2);
        // at the rejection, insn 7's row shows R0 being set by the call: click it
        javafx.scene.Node r0 = robot.from(robot.lookup("#verifier-state-7").queryAs(javafx.scene.Node.class)).lookup("#reg-0").query();
        robot.clickOn(r0);
        String why = robot.lookup("#verifier-why").queryLabeled().getText();
        assertEquals("R0 = map_value_or_null(id=1,ks=4,vs=8): set at insn 7 `call bpf_map_lookup_elem#1` (step 7), from R1 set at insn 5"
            + " `r1 = map[id:0]` (step 6); R2 set at insn 4 `r2 += -4` (step 5), from R2 set at insn 3 `r2 = r10` (step 4)", why);
        assertTrue(robot.lookup("#verifier-row-5").queryLabeled().getStyle().contains("#8250df"), "the chain's rows are marked");
        assertFalse(robot.lookup("#verifier-row-8").queryLabeled().getStyle().contains("#8250df"));
        // bpfvv's arrows: each definition to its use, the first into the rejected load
        assertEquals(List.of("7 -> 8 R0", "5 -> 7 R1", "4 -> 7 R2", "3 -> 4 R2"), view.arrows());
        assertEquals(8, robot.lookup("#verifier-arrows").queryAs(javafx.scene.layout.Pane.class).getChildren().size(), "a path and a label an arrow");
        robot.interact(() -> view.show(0));
        assertEquals(List.of(), view.arrows(), "moving on clears them");
    }

    @Test
    void rightClickingAStackSlotStopsWhereItChangesAndSaysWhy(FxRobot robot) {
        tourStep(robot, 2);
        javafx.scene.Node slot = robot.from(robot.lookup("#verifier-state-2").queryAs(javafx.scene.Node.class)).lookup("#slot-fp-8").query();
        robot.moveTo(slot).clickOn(javafx.scene.input.MouseButton.SECONDARY);
        robot.clickOn("Stop when fp-8 changes (▶▶ and ◀◀)");
        assertEquals("r3, fp-8", robot.lookup("#verifier-stop-arg").queryAs(javafx.scene.control.TextField.class).getPromptText());
        robot.clickOn("#verifier-reverse");
        assertTrue(view.positionText().contains("simulates insn 2"), view.positionText());
        assertTrue(robot.lookup("#verifier-why").queryLabeled().getText().startsWith("Stopped at step 3: change of fp-8 (— -> mmmm????) (1 in all)."),
            robot.lookup("#verifier-why").queryLabeled().getText());
        robot.clickOn(robot.from(robot.lookup("#verifier-state-2").queryAs(javafx.scene.Node.class)).lookup("#slot-fp-8").queryAs(javafx.scene.Node.class));
        assertEquals("fp-8 = mmmm????: set at insn 2 `*(u32 *)(r10 -4) = r2` (step 3), from R2 set at insn 1 `r2 = *(u32 *)(r6 +0)` (step 2), from R6 set at"
            + " insn 0 `r6 = r1` (step 1)", robot.lookup("#verifier-why").queryLabeled().getText());
        assertEquals(List.of("1 -> 2 R2", "0 -> 1 R6"), view.arrows());
        robot.interact(() -> view.setStopAt(kstep.bpf.VerifierStop.CHANGED, "r12"));
        robot.clickOn("#verifier-continue");
        assertEquals("Type the register or stack slot to watch: r3, fp-8, r11-8.", robot.lookup("#verifier-why").queryLabeled().getText());
    }

    @Test
    void continueStopsAtThePrunedStateAndReverseAtThePush(FxRobot robot) {
        tourStep(robot, 4);
        robot.interact(() -> view.show(0));
        robot.clickOn("#verifier-continue");
        int pruned = view.cursor();
        assertTrue(robot.lookup("#verifier-position").queryLabeled().getText().contains("pruned"), robot.lookup("#verifier-position").queryLabeled().getText());
        assertTrue(robot.lookup("#verifier-why").queryLabeled().getText().startsWith("Stopped at step " + (pruned + 1) + ": state pruned (1 in all)."));
        robot.clickOn("#verifier-continue");
        assertEquals(pruned, view.cursor(), "there is no second one");
        assertEquals("No state pruned after step " + (pruned + 1) + " (1 in all).", robot.lookup("#verifier-why").queryLabeled().getText());
        robot.interact(() -> view.setStopAt(kstep.bpf.VerifierStop.PUSHED, ""));
        robot.clickOn("#verifier-reverse");
        assertTrue(view.cursor() < pruned);
        assertTrue(robot.lookup("#verifier-position").queryLabeled().getText().contains("pushes a branch"), robot.lookup("#verifier-position").queryLabeled().getText());
    }
}
