package kstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class CliTest {
    record Out(int code, String out, String err) { }

    static Out kstep(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Cli.run(args, new PrintWriter(o), new PrintWriter(e));
        return new Out(code, o.toString(), e.toString());
    }

    static JsonNode json(String s) throws Exception {
        return new ObjectMapper().readTree(s);
    }

    @Test
    void listShowsTheSamplesWithTheirVariants() throws Exception {
        Out r = kstep("list", "--json");
        assertEquals(0, r.code());
        JsonNode first = json(r.out()).get(0);
        assertEquals("vgic/doorbell-preemption", first.get("id").asText());
        assertEquals("[\"buggy\",\"fixed\",\"backport-5.15\"]", first.get("variants").toString());
        assertTrue(kstep("list").out().contains("GICv4.1: a preempted WFI loses its doorbell"));
    }

    @Test
    void runPrintsALineAStepAndExitsThreeOnAFinding() {
        Out r = kstep("run", "vgic/doorbell-preemption");
        assertEquals(Cli.FOUND, r.code());
        List<String> lines = r.out().lines().toList();
        assertEquals("# vgic/doorbell-preemption, variant buggy (kernel 6.4): scripted schedule", lines.get(0));
        assertEquals("    1 cpu0  CPU 0/KVM    vgic/kvm_main.kc:9       vcpu0.pid NULL -> CPU 0/KVM", lines.get(1));
        assertTrue(r.out().contains("finding lost-wakeup at step 252:\n  lost wake-up: CPU 0/KVM (pid 1201) sleeps in kvm_vcpu_block()"));
        assertEquals("outcome: finding after 252 steps", lines.get(lines.size() - 2));
        assertEquals("expected: lost-wakeup (as expected)", lines.get(lines.size() - 1));
        assertEquals("", r.err());
        Out fixed = kstep("run", "vgic/doorbell-preemption", "--variant", "fixed");
        assertEquals(Cli.OK, fixed.code());
        assertTrue(fixed.out().endsWith("outcome: end after 364 steps\nexpected: none (as expected)\n"));
    }

    @Test
    void runJsonHasTheDocumentedShapeAndIsByteForByteRepeatable() throws Exception {
        Out a = kstep("run", "vgic/doorbell-preemption", "--json");
        Out b = kstep("run", "vgic/doorbell-preemption", "--json");
        assertEquals(a.out(), b.out());
        JsonNode j = json(a.out());
        assertEquals(List.of("scenario", "variant", "steps", "findings", "outcome", "expect", "as_expected"), fieldNames(j));
        JsonNode s1 = j.get("steps").get(0);
        assertEquals(1, s1.get("n").asInt());
        assertEquals(0, s1.get("cpu").asInt());
        assertEquals("CPU 0/KVM", s1.get("task").asText());
        assertEquals("vgic/kvm_main.kc:9", s1.get("where").asText());
        assertEquals("set", s1.get("events").get(0).get("kind").asText());
        JsonNode f = j.get("findings").get(0);
        assertEquals(List.of("kind", "step", "message"), fieldNames(f));
        assertEquals("lost-wakeup", f.get("kind").asText());
        assertEquals(j.get("steps").size(), f.get("step").asInt());
        JsonNode msi = j.get("steps").get(f.get("step").asInt() - 1);
        assertTrue(msi.get("cpu").isNull(), "the device's step runs on no CPU");
    }

    @Test
    void theLockSamplesRunAndExploreFromTheCommandLine(@TempDir Path dir) throws Exception {
        Out run = kstep("run", "locks/pgo-prf-open", "--json");
        assertEquals(Cli.FOUND, run.code());
        String msg = json(run.out()).get("findings").get(0).get("message").asText();
        assertTrue(msg.startsWith("BUG: sleeping function called from invalid context at include/linux/sched/mm.h:201\n"
            + "in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: 337, name: cat\n1 lock held by cat/337:\n"), msg);
        assertTrue(msg.contains("\nCall trace:\n"), "the whole splat, stack and all");

        Out v2 = kstep("explore", "locks/pgo-prf-open", "--variant", "v2", "--json");
        assertEquals(Cli.FOUND, v2.code());
        assertEquals("syscall-error", json(v2.out()).get("finding").get("kind").asText());
        Out clean = kstep("explore", "locks/pgo-prf-open", "--variant", "buggy", "--goal", "clean-end");
        assertEquals(Cli.FOUND, clean.code(), "no clean schedule exists");
        assertTrue(clean.out().contains("every one meets a finding first"));

        Out abba = kstep("explore", "locks/abba", "--target", "lockdep-circular");
        assertEquals(Cli.FOUND, abba.code());
        assertTrue(abba.out().contains("WARNING: possible circular locking dependency detected"));

        Out shot = kstep("export", "locks/abba", "--out", dir.toString(), "--steps", "42", "--tabs", "lockdep,dmesg");
        assertEquals(Cli.FOUND, shot.code(), shot.err());
        assertTrue(Files.exists(dir.resolve("step-0042.png")));
        Out badTab = kstep("export", "locks/abba", "--out", dir.resolve("x").toString(), "--steps", "1", "--tabs", "vgic");
        assertEquals(Cli.BAD_INPUT, badTab.code());
        assertEquals("kstep: no tab 'vgic' here (tabs: locks, lockdep, notes, events, findings, dmesg, breakpoints, diff)\n", badTab.err());
    }

    @Test
    void seededRunsRepeatAndDifferBySeed() {
        Out a = kstep("run", "vgic/doorbell-preemption", "--variant", "fixed", "--seed", "5", "--max-steps", "3000");
        Out b = kstep("run", "vgic/doorbell-preemption", "--variant", "fixed", "--seed", "5", "--max-steps", "3000");
        Out c = kstep("run", "vgic/doorbell-preemption", "--variant", "fixed", "--seed", "6", "--max-steps", "3000");
        assertEquals(a.out(), b.out());
        assertNotEquals(a.out(), c.out());
        assertTrue(a.out().startsWith("# vgic/doorbell-preemption, variant fixed (kernel 6.5): random schedule, seed 5"));
    }

    @Test
    void exploreFindsASchedulThatRunReplays(@TempDir Path dir) throws Exception {
        Out x = kstep("explore", "vgic/doorbell-preemption", "--json");
        assertEquals(Cli.FOUND, x.code());
        JsonNode j = json(x.out());
        assertEquals("lost-wakeup", j.get("finding").get("kind").asText());
        assertEquals(j.get("schedule").size(), j.get("finding").get("step").asInt());
        assertTrue(j.get("explored_states").asLong() > 1000);
        Path file = dir.resolve("schedule.json");
        Files.writeString(file, x.out(), StandardCharsets.UTF_8);
        Out replay = kstep("run", "vgic/doorbell-preemption", "--schedule", "@" + file, "--json");
        assertEquals(Cli.FOUND, replay.code());
        assertEquals(j.get("finding").toString(), json(replay.out()).get("findings").get(0).toString());

        Out fixed = kstep("explore", "vgic/doorbell-preemption", "--variant", "fixed", "--json");
        assertEquals(Cli.OK, fixed.code());
        JsonNode fj = json(fixed.out());
        assertTrue(fj.get("finding").isNull());
        assertTrue(fj.get("exhausted").asBoolean());
        assertEquals("[]", fj.get("schedule").toString());
    }

    @Test
    void badInputExitsTwoWithFileLineAndColumn(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "title: broken\nmachine: {cpus: two}\n", StandardCharsets.UTF_8);
        Out r = kstep("run", bad.toString());
        assertEquals(Cli.BAD_INPUT, r.code());
        assertEquals(bad + ":2:17: error: expected a number, found 'two'\n", r.err());
        assertEquals("", r.out());
        assertEquals("title: broken\nmachine: {cpus: two}\n", Files.readString(bad), "the file is untouched");

        Out noSample = kstep("run", "vgic/nope");
        assertEquals(Cli.BAD_INPUT, noSample.code());
        assertTrue(noSample.err().startsWith("vgic/nope:1:1: error: no such file"));

        Out badChoice = kstep("run", "vgic/doorbell-preemption", "--schedule", "cpu0,cpuX");
        assertEquals(Cli.BAD_INPUT, badChoice.code());
        assertEquals("kstep: schedule entry 2: 'cpuX' is not a choice (cpuN, preempt:cpuN, irq:cpuN, softirq:cpuN, event:NAME)\n", badChoice.err());

        Out impossible = kstep("run", "vgic/doorbell-preemption", "--schedule", "irq:cpu0");
        assertEquals(Cli.BAD_INPUT, impossible.code());
        assertEquals("kstep: schedule entry 1 (irq:cpu0) is not possible at step 0: no interrupt is pending on cpu0\n", impossible.err());

        Out variant = kstep("run", "vgic/doorbell-preemption", "--variant", "nope");
        assertEquals(Cli.BAD_INPUT, variant.code());
        assertTrue(variant.err().contains("no variant 'nope' (this scenario has: buggy, fixed, backport-5.15)"));

        Out usage = kstep("run", "vgic/doorbell-preemption", "--frobnicate");
        assertEquals(Cli.BAD_INPUT, usage.code());
        assertTrue(usage.err().startsWith("kstep: Unknown option: '--frobnicate'"));
    }

    @Test
    void mmReplayPrintsWhatKvmaPrintsWithAHeaderPerScript(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.kvma");
        Path b = dir.resolve("b.kvma");
        Path bad = dir.resolve("bad.kvma");
        Files.writeString(a, "mmap 0x10000 0x3000 rw- private|anon\nmprotect 0x11000 0x1000 r--\n", StandardCharsets.UTF_8);
        Files.writeString(b, "mmap 0x10000 0x2000 rw- shared|anon\nmremap 0x10000 0x2000 0x1000\n", StandardCharsets.UTF_8);
        Files.writeString(bad, "mmap 0x10000 0x3000 rw- private|anon\nmprotect 0x11000 0x1000 rwz\n", StandardCharsets.UTF_8);
        // recorded from ../shared/tools/kvma.c on Linux 6.18
        String kernelA = """
            ## 1 mmap 0x10000 0x3000 rw- private|anon -> 0
            00010000-00013000 rw-p 00000000  [rd wr mr mw me ac ]
            ## 2 mprotect 0x11000 0x1000 r-- -> 0
            00010000-00011000 rw-p 00000000  [rd wr mr mw me ac ]
            00011000-00012000 r--p 00000000  [rd mr mw me ]
            00012000-00013000 rw-p 00000000  [rd wr mr mw me ac ]
            """;
        String kernelB = """
            ## 1 mmap 0x10000 0x2000 rw- shared|anon -> 0
            00010000-00012000 rw-s 00000000 /dev/zero (deleted) [rd wr sh mr mw me ms ]
            ## 2 mremap 0x10000 0x2000 0x1000 -> 0
            00010000-00011000 rw-s 00000000 /dev/zero (deleted) [rd wr sh mr mw me ms ]
            """;
        Out one = kstep("mm", "replay", a.toString());
        assertEquals(Cli.OK, one.code(), one.err());
        assertEquals(kernelA, one.out(), "one script: no header");
        Out two = kstep("mm", "replay", a.toString(), b.toString());
        assertEquals("==> " + a + " <==\n" + kernelA + "==> " + b + " <==\n" + kernelB, two.out());
        Out withBad = kstep("mm", "replay", a.toString(), bad.toString(), b.toString());
        assertEquals(Cli.BAD_INPUT, withBad.code());
        assertEquals(bad + ":2:25: error: 'rwz' is not a protection (r, w, x letters or '-': rw-)\n", withBad.err());
        assertEquals("==> " + a + " <==\n" + kernelA + "==> " + b + " <==\n" + kernelB, withBad.out(), "the good scripts still replay");
    }

    @Test
    void mmMapsReadsASavedMapsFilePrintsItBackAndRendersIt(@TempDir Path dir) throws Exception {
        String maps = """
            55b069abf000-55b069ac0000 rw-p 0000a000 fe:00 260131                     /usr/bin/cat
            55b0a0832000-55b0a0853000 rw-p 00000000 00:00 0                          [heap]
            7f5f38467000-7f5f38489000 rw-p 00000000 00:00 0\s
            7f5f38489000-7f5f384e0000 r--p 00000000 fe:00 329635                     /usr/lib/locale/C.utf8/LC_CTYPE
            7ffd1c2a4000-7ffd1c2c5000 rw-p 00000000 00:00 0                          [stack]
            """;
        Path file = dir.resolve("cat.maps");
        Files.writeString(file, maps, StandardCharsets.UTF_8);
        Out printed = kstep("mm", "maps", file.toString(), "--print");
        assertEquals(Cli.OK, printed.code(), printed.err());
        assertEquals(maps, printed.out());
        Out summary = kstep("mm", "maps", file.toString());
        assertTrue(summary.out().startsWith(file + ": 5 VMAs, 752 KiB mapped\n"), summary.out());
        assertTrue(summary.out().contains("\n  heap          1    132 KiB\n"), summary.out());
        Path png = dir.resolve("cat.png");
        Out rendered = kstep("mm", "maps", file.toString(), "--png", png.toString());
        assertEquals(Cli.OK, rendered.code(), rendered.err());
        assertEquals(1280, javax.imageio.ImageIO.read(png.toFile()).getWidth());
        Out again = kstep("mm", "maps", file.toString(), "--png", png.toString());
        assertEquals(Cli.BAD_INPUT, again.code());
        assertEquals("kstep: " + png + " exists; kstep does not overwrite files (use --force)\n", again.err());
        assertEquals(Cli.OK, kstep("mm", "maps", file.toString(), "--png", png.toString(), "--force").code());
    }

    @Test
    void mmMapsRefusesAMalformedFileAtItsLineAndColumn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("broken.maps");
        String text = "55b069abf000-55b069ac0000 rw-p 0000a000 fe:00 260131 /usr/bin/cat\n55b0a0832000-55b0a0853000 rwzp 00000000 00:00 0\n";
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Out r = kstep("mm", "maps", file.toString());
        assertEquals(Cli.BAD_INPUT, r.code());
        assertEquals(file + ":2:27: error: not a maps line (start-end perms offset dev inode [name]) nor an smaps field (Name: value)\n", r.err());
        assertEquals(text, Files.readString(file));
        Out neither = kstep("mm", "maps");
        assertEquals(Cli.BAD_INPUT, neither.code());
        assertEquals("kstep: give a maps file or --pid N\n", neither.err());
        Out self = kstep("mm", "maps", "--pid", String.valueOf(ProcessHandle.current().pid()));
        assertEquals(Cli.OK, self.code(), self.err());
        assertTrue(self.out().startsWith("/proc/" + ProcessHandle.current().pid() + "/smaps: "), "the test JVM's own address space: " + self.out());
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
