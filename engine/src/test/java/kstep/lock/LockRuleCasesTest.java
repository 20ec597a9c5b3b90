package kstep.lock;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kstep.scenario.GoldenCases;

/**
 * The lock-rule cases under src/test/resources/locks: one scenario a rule of atomic context, sleeping and
 * lockdep, each run on its scripted schedule. A case's variant names the finding kind it must end with, and
 * NAME.expected holds the report's exact text, as the kernel prints it. A case replays alone with
 * {@code kstep run engine/src/test/resources/locks/NAME.yaml}.
 */
class LockRuleCasesTest {
    static Stream<Path> cases() throws IOException, URISyntaxException {
        return GoldenCases.in("locks");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void caseEndsWithItsReportWordForWord(Path file) throws IOException {
        GoldenCases.check("locks", file);
    }
}
