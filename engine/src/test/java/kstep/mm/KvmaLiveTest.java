package kstep.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against the kernel this machine runs, live: builds kvma (../shared/tools/kvma.c, or $KSTEP_KVMA_SRC) with
 * gcc and compares fresh random scripts. Skipped where there is no Linux, no gcc or no kvma source.
 */
class KvmaLiveTest {
    static Path kvmaSource() {
        String env = System.getenv("KSTEP_KVMA_SRC");
        if (env != null) return Path.of(env);
        return Path.of("..", "..", "shared", "tools", "kvma.c").toAbsolutePath().normalize();
    }

    static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Path out = dir.resolve("out-" + System.nanoTime());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " timed out");
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + Files.readString(out));
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    @Test
    void freshRandomScriptsMatchTheRunningKernel(@TempDir Path dir) throws Exception {
        assumeTrue(System.getProperty("os.name").equals("Linux"), "needs Linux");
        Path src = kvmaSource();
        assumeTrue(Files.isRegularFile(src), "no kvma source at " + src);
        Path bin = dir.resolve("kvma");
        try {
            run(dir, "gcc", "-O2", "-o", bin.toString(), src.toString());
        } catch (IOException e) {
            assumeTrue(false, "cannot build kvma: " + e.getMessage());
        }
        long seed = System.currentTimeMillis() / 86_400_000L; // a new set of scripts every day, the same all day
        for (int i = 0; i < 40; i++) {
            KvmaScriptGenerator g = new KvmaScriptGenerator(seed * 1000 + i, 4 + i % 20);
            String script = g.script(40);
            Path f = dir.resolve("live-" + i + ".kvma");
            Files.writeString(f, script, StandardCharsets.UTF_8);
            String kernel = run(dir, bin.toString(), f.toString());
            assertEquals(kernel, KvmaScript.parse(f.toString(), script).replay(), "script " + f.getFileName() + " (seed " + (seed * 1000 + i) + "):\n" + script);
        }
    }
}
