package kstep.views;

import java.util.List;

import javafx.scene.control.TextArea;

import kstep.engine.Event;
import kstep.engine.Finding;
import kstep.engine.StepRecord;

/**
 * The kernel log as dmesg shows it up to the current step: every printk and every report (WARN, BUG,
 * lockdep...), in order, each line with a timestamp. kstep has no clock; a step counts as a millisecond.
 */
public final class KernelLogView extends TextArea {
    public KernelLogView() {
        getStyleClass().add("kernel-log");
        setId("kernel-log");
        setEditable(false);
        setWrapText(false);
    }

    /** dmesg's "[    0.013000] " for step {@code n}. */
    static String stamp(int n) {
        return String.format("[%5d.%06d] ", n / 1000, (n % 1000) * 1000);
    }

    public static String log(StepView v) {
        StringBuilder b = new StringBuilder();
        List<Finding> fs = v.trace().findings(); // in step order
        int next = 0;
        for (int n = 1; n <= v.step(); n++) {
            StepRecord r = v.trace().step(n);
            for (Event e : r.events()) if (e.kind() == Event.Kind.NOTE && e.subject().equals("printk")) b.append(stamp(n)).append(e.text()).append('\n');
            for (; next < fs.size() && fs.get(next).step() <= n; next++) {
                String m = fs.get(next).message();
                if (m.endsWith("\n")) m = m.substring(0, m.length() - 1);
                // dmesg shows a report's empty lines too, each with its timestamp
                for (String line : m.split("\n", -1)) b.append(stamp(n)).append(line).append('\n');
            }
        }
        return b.toString();
    }

    public void show(StepView v) {
        setText(log(v));
        positionCaret(getLength());
        setScrollTop(Double.MAX_VALUE);
    }
}
