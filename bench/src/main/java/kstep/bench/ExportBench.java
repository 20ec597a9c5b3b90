package kstep.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import kstep.app.Exporter;
import kstep.scenario.Samples;
import kstep.scenario.Session;

/**
 * Exports of the doorbell sample, headless, as `kstep export` writes them: one PNG of the whole window at
 * scale 2, and a 50-step PDF handout (one step a page, scale 1).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
@State(Scope.Benchmark)
public class ExportBench {
    Session session;
    Path dir;

    @Setup
    public void setUp() throws IOException {
        session = new Session(Samples.open("vgic/doorbell-preemption"), "buggy");
        dir = Files.createTempDirectory("kstep-export-bench");
    }

    @TearDown
    public void tearDown() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Benchmark
    public List<Path> pngAtScale2() throws IOException {
        return Exporter.export(session, dir, 100, 100, 2, true);
    }

    @Benchmark
    public Path pdfOf50Steps() throws IOException {
        return Exporter.exportPdf(session, dir, 0, 49, Exporter.Look.at(1), 1, true);
    }
}
