package kstep.bpf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** The kernel-recorded case files of the BPF tests: one case a file, sections headed "-- NAME". */
final class CaseFiles {
    private CaseFiles() { }

    /** The .case files of test resource directory {@code dir}, in name order. */
    static Stream<Path> in(String dir) throws Exception {
        Path d = Path.of(CaseFiles.class.getResource(dir).toURI());
        return Files.list(d).filter(p -> p.toString().endsWith(".case")).sorted();
    }

    /** The text of section {@code name}, up to the next section. */
    static String section(String text, String name) {
        return text.split("-- " + name + "\n")[1].split("\n-- ")[0];
    }

    /** A section's non-blank lines. */
    static List<String> lines(String text, String name) {
        List<String> l = new ArrayList<>(Arrays.asList(section(text, name).split("\n")));
        l.removeIf(String::isBlank);
        return l;
    }
}
