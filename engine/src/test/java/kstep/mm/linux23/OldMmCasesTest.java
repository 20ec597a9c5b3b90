package kstep.mm.linux23;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kstep.scenario.GoldenCases;

/**
 * The rules of Documentation/vm/locking (2.3.22) as kstep checks them: one case under
 * src/test/resources/mm/linux-2.3 a rule broken, and one that keeps them all. Replay one with
 * {@code kstep run engine/src/test/resources/mm/linux-2.3/NAME.yaml}.
 */
class OldMmCasesTest {
    static Stream<Path> cases() throws IOException, URISyntaxException {
        return GoldenCases.in("mm/linux-2.3");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void caseEndsWithItsReportWordForWord(Path file) throws IOException {
        GoldenCases.check("mm/linux-2.3", file);
    }
}
