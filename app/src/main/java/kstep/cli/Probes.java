package kstep.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * kstep's small C probes of the running kernel (kstep-mm-probe, kstep-bpf-probe): shipped as source and
 * built with the system's cc on use, into a fresh temporary directory, so a probe always matches the
 * headers of the machine it runs on.
 */
final class Probes {
    private Probes() { }

    /** Builds probe {@code name} for {@code command}; a clear error if this is not Linux or there is no cc. */
    static Path build(String name, String command) throws IOException, InterruptedException {
        if (!System.getProperty("os.name").equals("Linux")) throw new IllegalArgumentException(command + " needs Linux");
        Path dir = Files.createTempDirectory(name);
        Path src = dir.resolve(name + ".c");
        try (InputStream in = Probes.class.getResourceAsStream("/kstep/compare/" + name + ".c")) {
            if (in == null) throw new IllegalStateException("the probe's source is missing from kstep");
            Files.copy(in, src);
        }
        Path bin = dir.resolve(name);
        Process cc;
        try {
            cc = new ProcessBuilder("cc", "-O2", "-o", bin.toString(), src.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalArgumentException(command + " needs a C compiler (cc): " + e.getMessage());
        }
        String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!cc.waitFor(60, TimeUnit.SECONDS) || cc.exitValue() != 0) throw new IllegalArgumentException("cc failed to build the probe:\n" + log);
        return bin;
    }

    /** Deletes a built probe and its directory. */
    static void remove(Path bin) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(bin.getParent())) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
        }
        Files.deleteIfExists(bin.getParent());
    }

    /** Runs a built probe with {@code stdin}, and returns its stdout; an error names what went wrong. */
    static String run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process pr = new ProcessBuilder(command).start();
        pr.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        pr.getOutputStream().close();
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(pr.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!pr.waitFor(60, TimeUnit.SECONDS)) {
            pr.destroyForcibly();
            throw new IOException("the probe did not finish");
        }
        if (pr.exitValue() != 0) throw new IllegalArgumentException("the probe failed: " + err.strip());
        return out;
    }
}
