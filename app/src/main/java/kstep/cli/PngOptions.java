package kstep.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import picocli.CommandLine.Option;

/** The options of a command that renders a view headless to a PNG: the file, its scale, and leave to overwrite. */
final class PngOptions {
    @Option(names = "--png", paramLabel = "FILE", description = "Render the view to this PNG (headless).")
    Path png;

    @Option(names = "--scale", paramLabel = "S", defaultValue = "1", description = "The PNG's scale: 1, 2 or 3.")
    double scale;

    @Option(names = "--force", description = "Overwrite the PNG if it exists.")
    boolean force;

    /** Refuses to overwrite without --force, and a scale other than 1, 2 or 3. */
    void check() {
        if (Files.exists(png) && !force) throw new IllegalArgumentException(png + " exists; kstep does not overwrite files (use --force)");
        if (scale != 1 && scale != 2 && scale != 3) throw new IllegalArgumentException("--scale is 1, 2 or 3");
    }
}
