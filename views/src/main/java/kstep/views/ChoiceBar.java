package kstep.views;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;

import kstep.engine.Choice;
import kstep.engine.ExternalEvent;
import kstep.engine.KObject;
import kstep.engine.Task;
import kstep.engine.Value;
import kstep.engine.World;

/**
 * Interactive mode: the user plays the scheduler. One button per possible choice at the cursor (step a CPU,
 * preempt it, deliver its pending interrupt, let a device fire), numbered for the keyboard (1-9).
 */
public final class ChoiceBar extends HBox {
    private final Label title = new Label("You are the scheduler:");
    private Consumer<Choice> onChoose = c -> { };
    private List<Choice> choices = List.of();

    public ChoiceBar() {
        super(6);
        getStyleClass().add("choice-bar");
        setId("choice-bar");
        setAlignment(Pos.CENTER_LEFT);
    }

    public void setOnChoose(Consumer<Choice> c) {
        this.onChoose = c;
    }

    public List<Choice> choices() {
        return choices;
    }

    public void show(World w, List<Choice> possible, Map<String, ExternalEvent> events) {
        this.choices = List.copyOf(possible);
        getChildren().setAll(title);
        int i = 1;
        for (Choice c : possible) {
            Button b = new Button((i <= 9 ? i + " " : "") + label(w, c, events));
            b.setId("choice-" + c.toString().replace(':', '-'));
            b.setTooltip(new Tooltip(c.toString()));
            b.setFocusTraversable(false);
            b.setOnAction(e -> onChoose.accept(c));
            getChildren().add(b);
            i++;
        }
        if (possible.isEmpty()) getChildren().add(new Label("nothing can happen: every CPU is stuck or idle"));
    }

    /** "Step cpu0 (CPU 0/KVM)", "Preempt CPU 0/KVM on cpu0", "IRQ 45 (vcpu) on cpu0", "Softirq NET_RX on cpu0", "Device: msi". */
    public static String label(World w, Choice c, Map<String, ExternalEvent> events) {
        switch (c.kind()) {
            case EVENT -> {
                return "Device: " + c.event();
            }
            case IRQ -> {
                return "IRQ " + w.irqName(w.cpu(c.cpu()).pendingIrqs().get(0)) + " on cpu" + c.cpu();
            }
            case PREEMPT -> {
                return "Preempt " + comm(w, w.current(c.cpu())) + " on cpu" + c.cpu();
            }
            case SOFTIRQ -> {
                StringBuilder names = new StringBuilder();
                int pending = w.cpu(c.cpu()).pendingSoftirqs();
                for (int nr = 0; nr < 10; nr++) {
                    KObject s = w.named("softirq" + nr);
                    if ((pending & (1 << nr)) == 0 || s == null) continue;
                    names.append(names.length() == 0 ? "" : ", ").append(s.text("name"));
                }
                return "Softirq " + names + " on cpu" + c.cpu();
            }
            default -> {
                return "Step cpu" + c.cpu() + " (" + comm(w, w.current(c.cpu())) + ")";
            }
        }
    }

    private static String comm(World w, Task t) {
        KObject ts = w.taskStruct(t);
        return ts.text("comm");
    }
}
