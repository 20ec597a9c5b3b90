package kstep.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import kstep.engine.StepRecord;
import kstep.scenario.ScenarioLoader;
import kstep.scenario.Session;

/** The views draw what the engine says and mark what the step changed. */
@ExtendWith(ApplicationExtension.class)
class ViewsTest {
    private CodePane cpu0;
    private DoorbellDiagram diagram;
    private TimelineView timeline;
    private Session session;

    @Start
    void start(Stage stage) {
        cpu0 = new CodePane(0);
        diagram = new DoorbellDiagram();
        timeline = new TimelineView();
        session = new Session(ScenarioLoader.loadSample("vgic/doorbell-preemption"), "buggy");
        timeline.setTrace(session.trace(), 2);
        timeline.setPrefWidth(1000);
        VBox box = new VBox(cpu0, diagram, timeline);
        stage.setScene(new Scene(box, 1000, 800));
        stage.show();
    }

    private StepView at(int n) {
        session.jump(n);
        return new StepView(n, session.length(), session.world(), n == 0 ? null : session.worldAt(n - 1), session.record(),
            session.findingsSoFar(), session.noteAt(n), n, session.instance().program(), session.scenario().differingLines(),
            session.variant(), session.trace());
    }

    private int firstStepChanging(String subject, String field) {
        for (StepRecord r : session.trace().steps())
            for (var e : r.events()) if (e.subject().equals(subject) && field.equals(e.field())) return r.n();
        throw new AssertionError(subject + "." + field + " never changes");
    }

    @Test
    void theCardOfWhatChangedIsOutlined(FxRobot robot) {
        int n = firstStepChanging("vcpu0.its_vpe", "resident");
        robot.interact(() -> diagram.show(at(n), session.instance().machine().externalEvents()));
        Node vpe = robot.lookup("#vpe-vcpu0").query();
        assertTrue(vpe.getStyleClass().contains("changed"));
        assertFalse(robot.lookup("#pcpu1").query().getStyleClass().contains("changed"));
        robot.interact(() -> diagram.show(at(n + 1), session.instance().machine().externalEvents()));
        assertFalse(robot.lookup("#vpe-vcpu0").query().getStyleClass().contains("changed"), "only for the step that changed it");
    }

    @Test
    void theCodePaneShowsTheNextLineAndMarksLinesTheVariantsChange(FxRobot robot) {
        int call = -1;
        for (StepRecord r : session.trace().steps())
            for (var e : r.events()) if (call < 0 && e.text().equals("call vgic_v4_put(vcpu0, true)")) call = r.n();
        int n = call - 1;
        robot.interact(() -> cpu0.show(at(n)));
        assertEquals("vgic/arm.kc", cpu0.shownFile());
        int line = cpu0.currentLine();
        assertEquals("\tvgic_v4_put(vcpu, true);", session.instance().program().file("vgic/arm.kc").source().lines().get(line - 1));
        assertTrue(session.scenario().differingLines().get("vgic/arm.kc").get(line), "the fix changed this line");
        assertTrue(cpu0.area().getParagraph(line - 1).getParagraphStyle().contains("current-line"));
        int fixLine = session.instance().program().file("vgic/arm.kc").source().lines().indexOf("\tvcpu_set_flag(vcpu, IN_WFI);") + 1;
        assertTrue(cpu0.area().getParagraph(fixLine - 1).getParagraphStyle().contains("inactive-line"), "the fixed kernel's line is dimmed");
        assertTrue(cpu0.headerText().startsWith("CPU0  CPU 0/KVM (pid 1201)"));
    }

    @Test
    void theTimelineMapsClicksToSteps(FxRobot robot) {
        robot.interact(() -> timeline.setCursor(10));
        double w = timeline.getWidth();
        assertEquals(0, timeline.stepAt(0));
        assertEquals(session.length(), timeline.stepAt(w));
        int mid = timeline.stepAt(w / 2);
        assertTrue(Math.abs(mid - session.length() / 2) <= 1);
    }
}
