package kstep.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import kstep.app.Exporter;
import kstep.bundle.Bundle;
import kstep.scenario.Scenario;
import kstep.scenario.Session;

/** {@code kstep export}: one PNG a step of the whole window, rendered without a display. */
@Command(name = "export", description = "Render the main window at each step to PNG (headless: no X server, no GTK).")
final class ExportCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ScenarioArgs args;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder for step-NNNN.png (created if missing).")
    Path out;

    @Option(names = "--steps", paramLabel = "A..B", description = "Steps to export, e.g. 0..20 or 57 (default: every step, 0 to the last).")
    String steps;

    @Option(names = "--scale", paramLabel = "S", defaultValue = "1", description = "1, 2 or 3 (3 for crisp slides); default ${DEFAULT-VALUE}.")
    int scale;

    @Option(names = "--size", paramLabel = "WxH", defaultValue = "1280x720", description = "Window size in pixels at scale 1 (default ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--tabs", paramLabel = "NAME,...", split = ",",
        description = "Tabs to show, e.g. lockdep,dmesg (vgic, locks, lockdep above; notes, events, findings, dmesg below).")
    List<String> tabs = List.of();

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "png", description = "png (step-NNNN.png files, the default), gif (one"
        + " animated GIF of the steps) or pdf (a handout: the scenario, variant, step and note with each image).")
    String format;

    @Option(names = "--caption", description = "PNG and GIF: the step and its teacher's note below each image (a PDF always has them).")
    boolean caption;

    @Option(names = "--frame-ms", paramLabel = "MS", defaultValue = "1000", description = "GIF: how long each step shows, in milliseconds (default ${DEFAULT-VALUE}).")
    int frameMs;

    @Option(names = "--per-page", paramLabel = "N", defaultValue = "1", description = "PDF: steps a page, 1, 2 or 4 (default ${DEFAULT-VALUE}).")
    int perPage;

    @Option(names = "--theme", paramLabel = "THEME", defaultValue = "light", description = "light (the default), dark or high-contrast (for projectors).")
    String theme;

    @Option(names = "--view", paramLabel = "NAME", defaultValue = "window", description = "The part drawn: window (the default), cpu0, cpu1, timeline,"
        + " or a tab (vgic, locks, lockdep, mm, page-tables, memory, gup, vma-list, notes, events, findings, dmesg: the scenario's own).")
    String view;

    @Option(names = "--no-annotations", negatable = false, description = "Leave out the annotations saved next to the scenario (they are drawn by default).")
    boolean noAnnotations;

    @Option(names = "--force", description = "Overwrite existing images.")
    boolean force;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (scale < 1 || scale > 3) throw new IllegalArgumentException("--scale must be 1, 2 or 3");
        if (!format.equals("png") && !format.equals("gif") && !format.equals("pdf")) throw new IllegalArgumentException("--format is png, gif or pdf, not '" + format + "'");
        if (frameMs < 10 || frameMs > 60000) throw new IllegalArgumentException("--frame-ms is 10 to 60000");
        if (perPage != 1 && perPage != 2 && perPage != 4) throw new IllegalArgumentException("--per-page is 1, 2 or 4");
        if (!size.matches("[0-9]{3,4}x[0-9]{3,4}")) throw new IllegalArgumentException("--size takes WIDTHxHEIGHT, e.g. 1920x1080");
        int width = Integer.parseInt(size.substring(0, size.indexOf('x')));
        int height = Integer.parseInt(size.substring(size.indexOf('x') + 1));
        if (width < 1024 || height < 600) throw new IllegalArgumentException("--size must be at least 1024x600");
        Scenario s = args.open();
        String v = args.variantOf(s);
        Bundle.Moment m = args.moment();
        // a bundle is one moment: its schedule, its tabs, and (unless --steps says otherwise) its step
        Session session = m != null && v.equals(m.session().variant()) ? m.session() : new Session(s, v);
        if (m != null && tabs.isEmpty()) tabs = m.tabs();
        int from = m != null ? m.step() : 0;
        int to = m != null ? m.step() : session.length();
        if (steps != null) {
            String[] ab = steps.strip().split("\\.\\.", -1);
            try {
                if (ab.length == 1) {
                    from = to = Integer.parseInt(ab[0]);
                } else if (ab.length == 2) {
                    from = ab[0].isEmpty() ? 0 : Integer.parseInt(ab[0]);
                    to = ab[1].isEmpty() ? session.length() : Integer.parseInt(ab[1]);
                } else {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--steps takes A..B or N, not '" + steps + "'");
            }
        }
        Exporter.Look look = new Exporter.Look(scale, width, height, tabs, theme, view, !noAnnotations);
        if (format.equals("png")) {
            List<Path> files = Exporter.export(session, out, from, to, look, caption, force);
            spec.commandLine().getOut().printf("wrote %d image%s to %s (%s, variant %s, steps %d..%d, scale %d)%n", files.size(),
                files.size() == 1 ? "" : "s", out, s.id(), v, from, to, scale);
        } else {
            Path file = format.equals("gif") ? Exporter.exportGif(session, out, from, to, look, caption, frameMs, force)
                : Exporter.exportPdf(session, out, from, to, look, perPage, force);
            spec.commandLine().getOut().printf("wrote %s (%s, variant %s, steps %d..%d, scale %d)%n", file, s.id(), v, from, to, scale);
        }
        return session.findings().isEmpty() ? Cli.OK : Cli.FOUND;
    }
}
