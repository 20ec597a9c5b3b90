package kstep.app;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.graphics.image.LosslessFactory;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;

/**
 * What a teacher hands out from exported steps: an image with its caption (the step and its note), an
 * animated GIF of a range of steps, and a PDF handout (one step a page, or two or four to a page: the
 * scenario, its variant, the step, the note). Every file is written to a temporary name beside the target
 * and renamed into place.
 */
public final class Handouts {
    /** PDFBox reports its font fallbacks (Helvetica from the system's fonts) on stderr: not news for a teacher. */
    private static final java.util.logging.Logger PDFBOX_LOG = java.util.logging.Logger.getLogger("org.apache.pdfbox");

    static {
        PDFBOX_LOG.setLevel(java.util.logging.Level.SEVERE);
    }

    private Handouts() { }

    /** One exported step: its image, the line naming it ("doorbell-preemption · buggy · step 7 of 40") and its note ("" when none). */
    public record Step(BufferedImage image, String heading, String note) { }

    /** The steps to hand out, rendered one at a time (a long range at scale 3 does not fit in memory at once). */
    public interface Steps {
        int count();

        Step get(int i) throws IOException;
    }

    /** The image with a white band below it: the heading in bold, then the note, wrapped. */
    public static BufferedImage captioned(Step s) {
        int w = s.image().getWidth();
        float scale = Math.max(1f, w / 1280f);
        Font bold = new Font(Font.SANS_SERIF, Font.BOLD, Math.round(16 * scale)), plain = new Font(Font.SANS_SERIF, Font.PLAIN, Math.round(15 * scale));
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(plain);
        List<String> lines = wrap(s.note(), fm::stringWidth, w - Math.round(24 * scale));
        int lineH = fm.getHeight(), headH = pg.getFontMetrics(bold).getHeight();
        pg.dispose();
        int band = Math.round(12 * scale) * 2 + headH + lineH * lines.size();
        BufferedImage out = new BufferedImage(w, s.image().getHeight() + band, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, out.getHeight());
        g.drawImage(s.image(), 0, 0, null);
        g.setColor(new Color(0x1f, 0x23, 0x28));
        int x = Math.round(12 * scale), y = s.image().getHeight() + Math.round(12 * scale) + g.getFontMetrics(bold).getAscent();
        g.setFont(bold);
        g.drawString(s.heading(), x, y);
        g.setFont(plain);
        for (String l : lines) {
            y += lineH;
            g.drawString(l, x, y);
        }
        g.dispose();
        return out;
    }

    /** The width of a line of text in some font, AWT's (no error) or PDFBox's (an IOException). */
    interface Width<E extends Exception> {
        double of(String line) throws E;
    }

    /** {@code text} broken at spaces into lines no wider than {@code max} (a word longer than that keeps a line of its own). */
    private static <E extends Exception> List<String> wrap(String text, Width<E> width, double max) throws E {
        List<String> out = new ArrayList<>();
        for (String para : text.split("\n")) {
            StringBuilder line = new StringBuilder();
            for (String word : para.split(" ")) {
                String next = line.length() == 0 ? word : line + " " + word;
                if (width.of(next) > max && line.length() > 0) {
                    out.add(line.toString());
                    line = new StringBuilder(word);
                } else {
                    line = new StringBuilder(next);
                }
            }
            if (line.length() > 0) out.add(line.toString());
        }
        return out;
    }

    /** An animated GIF, one frame a step, {@code frameMs} milliseconds each, looping. */
    public static void gif(Steps frames, boolean caption, int frameMs, Path target) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        atomically(target, tmp -> {
            try (ImageOutputStream out = ImageIO.createImageOutputStream(tmp.toFile())) {
                writer.setOutput(out);
                writer.prepareWriteSequence(null);
                for (int i = 0; i < frames.count(); i++) {
                    Step st = frames.get(i);
                    BufferedImage rgb = rgb(caption ? captioned(st) : st.image());
                    ImageTypeSpecifier type = ImageTypeSpecifier.createFromRenderedImage(rgb);
                    IIOMetadata meta = writer.getDefaultImageMetadata(type, null);
                    String format = meta.getNativeMetadataFormatName();
                    IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
                    IIOMetadataNode gce = child(root, "GraphicControlExtension");
                    gce.setAttribute("disposalMethod", "none");
                    gce.setAttribute("userInputFlag", "FALSE");
                    gce.setAttribute("transparentColorFlag", "FALSE");
                    gce.setAttribute("delayTime", Integer.toString(Math.max(1, frameMs / 10)));
                    gce.setAttribute("transparentColorIndex", "0");
                    IIOMetadataNode apps = child(root, "ApplicationExtensions");
                    IIOMetadataNode loop = new IIOMetadataNode("ApplicationExtension");
                    loop.setAttribute("applicationID", "NETSCAPE");
                    loop.setAttribute("authenticationCode", "2.0");
                    loop.setUserObject(new byte[] {1, 0, 0});
                    apps.appendChild(loop);
                    meta.setFromTree(format, root);
                    writer.writeToSequence(new IIOImage(rgb, null, meta), null);
                }
                writer.endWriteSequence();
            } finally {
                writer.dispose();
            }
        });
    }

    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (int i = 0; i < root.getLength(); i++) if (root.item(i).getNodeName().equals(name)) return (IIOMetadataNode) root.item(i);
        IIOMetadataNode n = new IIOMetadataNode(name);
        root.appendChild(n);
        return n;
    }

    private static BufferedImage rgb(BufferedImage f) {
        if (f.getType() == BufferedImage.TYPE_INT_RGB) return f;
        BufferedImage r = new BufferedImage(f.getWidth(), f.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = r.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, r.getWidth(), r.getHeight());
        g.drawImage(f, 0, 0, null);
        g.dispose();
        return r;
    }

    /**
     * A PDF handout, {@code perPage} steps a page: one on A4 landscape, two above each other on A4 portrait,
     * four in two rows on A4 landscape; each with its heading above its image and its note below; the
     * document's title is {@code title}.
     */
    public static void pdf(String title, Steps steps, int perPage, Path target) throws IOException {
        if (perPage != 1 && perPage != 2 && perPage != 4) throw new IllegalArgumentException("steps a page: 1, 2 or 4");
        atomically(target, tmp -> {
            try (PDDocument doc = new PDDocument()) {
                doc.getDocumentInformation().setTitle(title);
                doc.getDocumentInformation().setCreator("kstep");
                PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD), plain = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
                PDRectangle a4 = perPage == 2 ? PDRectangle.A4 : new PDRectangle(PDRectangle.A4.getHeight(), PDRectangle.A4.getWidth());
                int cols = perPage == 4 ? 2 : 1, rows = perPage == 1 ? 1 : 2;
                float margin = 28, cellW = (a4.getWidth() - margin * (cols + 1)) / cols, cellH = (a4.getHeight() - margin * (rows + 1)) / rows;
                for (int i = 0; i < steps.count(); i += perPage) {
                    PDPage page = new PDPage(a4);
                    doc.addPage(page);
                    try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                        for (int k = 0; k < perPage && i + k < steps.count(); k++) {
                            Step s = steps.get(i + k);
                            float x = margin + (k % cols) * (cellW + margin), top = a4.getHeight() - margin - (k / cols) * (cellH + margin);
                            float headSize = perPage == 1 ? 13 : 10, noteSize = perPage == 1 ? 11 : 8;
                            text(cs, bold, headSize, x, top - headSize, safe(s.heading()));
                            List<String> note = wrap(safe(s.note()), t -> plain.getStringWidth(t) / 1000 * noteSize, cellW);
                            float noteH = note.size() * noteSize * 1.3f;
                            float imgTop = top - headSize * 1.8f, imgMaxH = cellH - headSize * 1.8f - noteH - 6;
                            PDImageXObject img = LosslessFactory.createFromImage(doc, s.image());
                            float sc = Math.min(cellW / img.getWidth(), imgMaxH / img.getHeight());
                            float iw = img.getWidth() * sc, ih = img.getHeight() * sc;
                            cs.drawImage(img, x, imgTop - ih, iw, ih);
                            float y = imgTop - ih - noteSize * 1.3f;
                            for (String l : note) {
                                text(cs, plain, noteSize, x, y, l);
                                y -= noteSize * 1.3f;
                            }
                        }
                    }
                }
                doc.save(tmp.toFile());
            }
        });
    }

    private static void text(PDPageContentStream cs, PDType1Font font, float size, float x, float y, String s) throws IOException {
        cs.beginText();
        cs.setFont(font, size);
        cs.newLineAtOffset(x, y);
        cs.showText(s);
        cs.endText();
    }

    /** Helvetica's WinAnsi: characters it lacks (arrows, box drawing) become plain ones. */
    static String safe(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '→' -> b.append("->");
                case '←' -> b.append("<-");
                case '≤' -> b.append("<=");
                case '≥' -> b.append(">=");
                case '·', '•', '–', '—', '“', '”', '‘', '’', '…' -> b.append(c);
                default -> b.append(c < 256 ? c : '?');
            }
        }
        return b.toString();
    }

    interface Writing {
        void to(Path tmp) throws IOException;
    }

    /** Writes through a temporary file beside {@code target}, then renames it into place. */
    static void atomically(Path target, Writing w) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".part");
        try {
            w.to(tmp);
            try {
                // a temporary file is private; the handout is as readable as any file the user writes
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: its defaults stand
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
