package kstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kstep export renders headless (Monocle): no X server and no GTK in the test JVM. */
class ExportCommandTest {
    @Test
    void writesOnePngAStepAtTheRequestedScale(@TempDir Path dir) throws Exception {
        CliTest.Out r = CliTest.kstep("export", "vgic/doorbell-preemption", "--out", dir.toString(), "--steps", "0..2");
        assertEquals(Cli.FOUND, r.code(), r.err());
        for (int n = 0; n <= 2; n++) {
            BufferedImage img = ImageIO.read(dir.resolve(String.format("step-%04d.png", n)).toFile());
            assertEquals(1280, img.getWidth());
            assertEquals(720, img.getHeight());
        }
        assertFalse(Files.exists(dir.resolve("step-0003.png")));
        CliTest.Out big = CliTest.kstep("export", "vgic/doorbell-preemption", "--out", dir.resolve("x2").toString(), "--steps", "5", "--scale", "2");
        assertEquals(Cli.FOUND, big.code(), big.err());
        BufferedImage img = ImageIO.read(dir.resolve("x2/step-0005.png").toFile());
        assertEquals(2560, img.getWidth());
        assertEquals(1440, img.getHeight());
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".part")), "no temporary files are left");
        }
    }

    @Test
    void neverOverwritesWithoutForce(@TempDir Path dir) throws Exception {
        Path mine = dir.resolve("step-0001.png");
        Files.writeString(mine, "my work");
        CliTest.Out r = CliTest.kstep("export", "vgic/doorbell-preemption", "--out", dir.toString(), "--steps", "0..1");
        assertEquals(Cli.BAD_INPUT, r.code());
        assertEquals("kstep: " + mine + " exists; kstep does not overwrite files (use --force)\n", r.err());
        assertEquals("my work", Files.readString(mine));
        assertFalse(Files.exists(dir.resolve("step-0000.png")), "nothing is written when anything would be overwritten");
        CliTest.Out forced = CliTest.kstep("export", "vgic/doorbell-preemption", "--out", dir.toString(), "--steps", "0..1", "--force");
        assertEquals(Cli.FOUND, forced.code(), forced.err());
        assertEquals(1280, ImageIO.read(mine.toFile()).getWidth());
    }

    @Test
    void rejectsStepsOutsideTheTrace(@TempDir Path dir) {
        CliTest.Out r = CliTest.kstep("export", "vgic/doorbell-preemption", "--out", dir.toString(), "--steps", "9000..9001");
        assertEquals(Cli.BAD_INPUT, r.code());
        assertEquals("kstep: steps 9000..9001 are outside 0..252\n", r.err());
    }
}
