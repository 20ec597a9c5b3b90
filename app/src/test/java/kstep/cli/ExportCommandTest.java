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
    void oneViewAloneAndInATheme(@TempDir Path dir) throws Exception {
        CliTest.Out r = CliTest.kstep("export", "vgic/doorbell-preemption", "--out", dir.toString(), "--steps", "40", "--view", "vgic", "--scale", "2");
        assertEquals(Cli.FOUND, r.code(), r.err());
        BufferedImage vgic = ImageIO.read(dir.resolve("step-0040.png").toFile());
        assertTrue(vgic.getWidth() > 1000 && vgic.getWidth() < 1400, "the vGIC pane alone, at 2x: " + vgic.getWidth());
        assertTrue(vgic.getHeight() < 1440 && vgic.getHeight() > 400);
        CliTest.Out dark = CliTest.kstep("export", "vgic/doorbell-preemption", "--out", dir.resolve("dark").toString(), "--steps", "40", "--theme", "dark");
        assertEquals(Cli.FOUND, dark.code(), dark.err());
        BufferedImage d = ImageIO.read(dir.resolve("dark/step-0040.png").toFile());
        CliTest.kstep("export", "vgic/doorbell-preemption", "--out", dir.resolve("light").toString(), "--steps", "40");
        BufferedImage light = ImageIO.read(dir.resolve("light/step-0040.png").toFile());
        // the code pane's background, well away from text: dark in the dark theme, white in the light one
        assertTrue(luma(d.getRGB(620, 250)) < 80, "dark theme: " + Integer.toHexString(d.getRGB(620, 250)));
        assertTrue(luma(light.getRGB(620, 250)) > 200, "light theme: " + Integer.toHexString(light.getRGB(620, 250)));
        Path none = dir.resolve("none");
        CliTest.Out bad = CliTest.kstep("export", "vgic/doorbell-preemption", "--out", none.toString(), "--steps", "40", "--view", "mm");
        assertEquals(Cli.BAD_INPUT, bad.code());
        assertEquals("kstep: no view 'mm' here (views: window, cpu0, cpu1, timeline, vgic, locks, lockdep, notes, events, findings, dmesg, breakpoints, diff)\n", bad.err());
        assertFalse(Files.exists(none), "a refused export makes no folder");
    }

    private static int luma(int rgb) {
        return (((rgb >> 16) & 0xff) * 3 + ((rgb >> 8) & 0xff) * 6 + (rgb & 0xff)) / 10;
    }

    @Test
    void theAnnotationsAndNotesSavedNextToTheScenarioAreInTheExports(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("abba.yaml");
        Files.writeString(yaml, Files.readString(Path.of("../samples/locks/abba.yaml")));
        Files.writeString(dir.resolve("abba.annotations.json"), "{\"kstep\": \"kstep annotations\", \"version\": 1, \"annotations\": [\n"
            + "  {\"id\": \"a1\", \"kind\": \"highlight\", \"variant\": \"buggy\", \"steps\": \"all\", \"colour\": \"#0000ff\",\n"
            + "   \"at\": [{\"target\": \"window\", \"x\": 0.4, \"y\": 0.4}, {\"target\": \"window\", \"x\": 0.6, \"y\": 0.6}]}],\n"
            + " \"notes\": [{\"variant\": \"buggy\", \"step\": 5, \"text\": \"Ask: which mutex does worker-ba want?\"}]}\n");
        CliTest.Out r = CliTest.kstep("export", yaml.toString(), "--out", dir.resolve("with").toString(), "--steps", "5");
        assertEquals(Cli.FOUND, r.code(), r.err());
        CliTest.Out plain = CliTest.kstep("export", yaml.toString(), "--out", dir.resolve("without").toString(), "--steps", "5", "--no-annotations");
        assertEquals(Cli.FOUND, plain.code(), plain.err());
        int with = ImageIO.read(dir.resolve("with/step-0005.png").toFile()).getRGB(640, 360);
        int without = ImageIO.read(dir.resolve("without/step-0005.png").toFile()).getRGB(640, 360);
        assertTrue((with & 0xff) - ((with >> 16) & 0xff) > 40, "the blue highlight is drawn: " + Integer.toHexString(with));
        assertFalse((without & 0xff) - ((without >> 16) & 0xff) > 40, "and left out on request: " + Integer.toHexString(without));
        CliTest.Out p = CliTest.kstep("export", yaml.toString(), "--out", dir.toString(), "--steps", "5", "--format", "pdf");
        assertEquals(Cli.FOUND, p.code(), p.err());
        try (org.apache.pdfbox.pdmodel.PDDocument doc = org.apache.pdfbox.Loader.loadPDF(dir.resolve("abba-buggy-steps-5-5.pdf").toFile())) {
            String text = new org.apache.pdfbox.text.PDFTextStripper().getText(doc);
            assertTrue(text.contains("Ask: which mutex does worker-ba want?"), "the teacher's note is in the handout: " + text);
        }
    }

    @Test
    void rejectsStepsOutsideTheTrace(@TempDir Path dir) {
        CliTest.Out r = CliTest.kstep("export", "vgic/doorbell-preemption", "--out", dir.toString(), "--steps", "9000..9001");
        assertEquals(Cli.BAD_INPUT, r.code());
        assertEquals("kstep: steps 9000..9001 are outside 0..252\n", r.err());
    }

    @Test
    void aGifHasAFrameAStepAndAPdfHandoutAPageAStepOrTwo(@TempDir Path dir) throws Exception {
        CliTest.Out g = CliTest.kstep("export", "vgic/doorbell-preemption", "--out", dir.toString(), "--steps", "0..4", "--format", "gif", "--frame-ms", "500", "--caption");
        assertEquals(Cli.FOUND, g.code(), g.err());
        Path gif = dir.resolve("vgic-doorbell-preemption-buggy-steps-0-4.gif");
        try (var in = ImageIO.createImageInputStream(gif.toFile())) {
            javax.imageio.ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            assertEquals(5, reader.getNumImages(true), "one frame a step");
            javax.imageio.metadata.IIOMetadataNode root = (javax.imageio.metadata.IIOMetadataNode) reader.getImageMetadata(0).getAsTree("javax_imageio_gif_image_1.0");
            assertEquals("50", ((javax.imageio.metadata.IIOMetadataNode) root.getElementsByTagName("GraphicControlExtension").item(0)).getAttribute("delayTime"),
                "500 ms, in hundredths");
            assertTrue(reader.read(0).getHeight() > 720, "the caption band is below the window");
        }
        CliTest.Out p = CliTest.kstep("export", "vgic/doorbell-preemption", "--out", dir.toString(), "--steps", "0..4", "--format", "pdf", "--per-page", "2");
        assertEquals(Cli.FOUND, p.code(), p.err());
        Path pdf = dir.resolve("vgic-doorbell-preemption-buggy-steps-0-4.pdf");
        try (org.apache.pdfbox.pdmodel.PDDocument doc = org.apache.pdfbox.Loader.loadPDF(pdf.toFile())) {
            assertEquals(3, doc.getNumberOfPages(), "five steps, two a page");
            String text = new org.apache.pdfbox.text.PDFTextStripper().getText(doc);
            assertTrue(text.contains("GICv4.1: a preempted WFI loses its doorbell · buggy · step 4 of 252"), text);
            assertEquals("GICv4.1: a preempted WFI loses its doorbell — buggy", doc.getDocumentInformation().getTitle());
        }
        CliTest.Out again = CliTest.kstep("export", "vgic/doorbell-preemption", "--out", dir.toString(), "--steps", "0..4", "--format", "pdf");
        assertEquals(Cli.BAD_INPUT, again.code(), "the handout exists: not overwritten without --force");
        CliTest.Out bad = CliTest.kstep("export", "vgic/doorbell-preemption", "--out", dir.toString(), "--format", "svg");
        assertEquals("kstep: --format is png, gif or pdf, not 'svg'\n", bad.err());
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".part")), "no temporary files are left");
        }
    }
}
