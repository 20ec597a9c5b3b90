package kstep.mm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Random kvma scripts that keep many VMAs close together in a window of the arena, so merges, splits,
 * anon_vma sharing, locks, moves and their errors meet often. The same seed gives the same script.
 * {@code java -cp ... kstep.mm.KvmaScriptGenerator DIR FIRST COUNT [WINDOW [LINES]]} writes DIR/gen-SEED.kvma.
 */
public final class KvmaScriptGenerator {
    private final Random rnd;
    private final int window;

    public KvmaScriptGenerator(long seed, int windowPages) {
        this.rnd = new Random(seed);
        this.window = windowPages;
    }

    /** Sizes that overflow or run past the address space; madvise never gets them (it would reach kvma's own libraries). */
    private static final String[] HUGE = {"0xffffffffffffffff", "0x8000000000000000", "0xfffffffffffff000", "0x3ff000", "0x400000"};

    private String off() {
        if (rnd.nextInt(150) == 0) return HUGE[rnd.nextInt(HUGE.length)];
        long page = rnd.nextInt(window);
        long o = page * 0x1000;
        if (rnd.nextInt(40) == 0) o += 1 + rnd.nextInt(0xfff);
        return "0x" + Long.toHexString(o);
    }

    private String len() {
        if (rnd.nextInt(150) == 0) return HUGE[rnd.nextInt(HUGE.length)];
        int r = rnd.nextInt(60);
        if (r == 0) return "0";
        long l = (1 + rnd.nextInt(Math.min(rnd.nextInt(8) == 0 ? 64 : 8, window))) * 0x1000L;
        if (r == 1) l -= 1 + rnd.nextInt(0xfff);
        return "0x" + Long.toHexString(l);
    }

    private String prot() {
        String[] p = {"---", "r--", "rw-", "r-x", "rwx", "-w-", "--x", "rw-", "r--", "rw-"};
        return p[rnd.nextInt(p.length)];
    }

    public String line() {
        int op = rnd.nextInt(100);
        if (op < 26) {
            String kind = rnd.nextInt(10) < 8 ? "private" : "shared";
            String what = rnd.nextInt(10) < 6 ? "anon" : "file:0x" + Long.toHexString((rnd.nextInt(12) == 0 ? 1020 + rnd.nextInt(8) : rnd.nextInt(window)) * 0x1000L);
            return "mmap " + off() + " " + len() + " " + prot() + " " + kind + "|" + what;
        }
        if (op < 40) return "mprotect " + off() + " " + len() + " " + prot();
        if (op < 48) return "munmap " + off() + " " + len();
        if (op < 64) return "touch " + off() + " " + (rnd.nextBoolean() ? "w" : "r");
        if (op < 71) return "mlock " + off() + " " + len();
        if (op < 76) return "munlock " + off() + " " + len();
        if (op < 88) {
            String s = "mremap " + off() + " " + len() + " " + len();
            if (rnd.nextBoolean()) s += " fixed 0x" + Long.toHexString(rnd.nextInt(window * 2) * 0x1000L);
            return s;
        }
        String[] adv = {"dontneed", "dontfork", "dofork", "mergeable"};
        String l = len();
        if (l.startsWith("0x8") || l.startsWith("0xf")) l = "0x2000";
        return "madvise " + off() + " " + l + " " + adv[rnd.nextInt(adv.length)];
    }

    public String script(int lines) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines; i++) b.append(line()).append('\n');
        return b.toString();
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        long first = Long.parseLong(args[1]);
        int count = Integer.parseInt(args[2]);
        int window = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        int lines = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        Files.createDirectories(dir);
        for (long seed = first; seed < first + count; seed++) {
            KvmaScriptGenerator g = new KvmaScriptGenerator(seed, window);
            Files.writeString(dir.resolve("gen-" + seed + ".kvma"), g.script(lines > 0 ? lines : 20 + g.rnd.nextInt(40)), StandardCharsets.UTF_8);
        }
    }
}
