package kstep.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * Which VMAs an operation made, split, merged, changed or removed: the before and after lists compared, each
 * new VMA against the old ones it overlaps. The event lines and the address-space view's highlights use it.
 */
public final class VmaChanges {
    private VmaChanges() { }

    /** The same VMA before and after: same range and attributes. */
    static boolean same(Vma a, Vma b) {
        return a.start == b.start && a.end == b.end && a.pgoff == b.pgoff && a.flags == b.flags && a.file == b.file && a.anonVma == b.anonVma;
    }

    static boolean overlaps(Vma a, Vma b) {
        return a.start < b.end && b.start < a.end;
    }

    static String range(Vma v) {
        return "[0x" + Long.toHexString(v.start) + ",0x" + Long.toHexString(v.end) + ")";
    }

    /** What became of one VMA that kept its range: "rw-p -> r--p, -ac", "got anon_vma 2", "+lo". */
    static String difference(Vma old, Vma now) {
        List<String> d = new ArrayList<>();
        if (!VmFlags.perms(old.flags).equals(VmFlags.perms(now.flags))) d.add(VmFlags.perms(old.flags) + " -> " + VmFlags.perms(now.flags));
        long perm = VmFlags.VM_ACCESS_FLAGS | VmFlags.VM_MAYSHARE;
        String added = VmFlags.mnemonics(now.flags & ~old.flags & ~perm).trim();
        String removed = VmFlags.mnemonics(old.flags & ~now.flags & ~perm).trim();
        if (!added.isEmpty()) d.add("+" + added.replace(" ", " +"));
        if (!removed.isEmpty()) d.add("-" + removed.replace(" ", " -"));
        if (old.anonVma != now.anonVma) d.add(old.anonVma == 0 ? "got anon_vma " + now.anonVma : "anon_vma " + old.anonVma + " -> " + now.anonVma);
        if (old.pgoff != now.pgoff) d.add("pgoff 0x" + Long.toHexString(old.pgoff) + " -> 0x" + Long.toHexString(now.pgoff));
        if (old.file != now.file) d.add("file " + (now.file == null ? "none" : now.file.name()));
        return d.isEmpty() ? VmFlags.perms(now.flags) : String.join(", ", d);
    }

    /** The VMAs of {@code after} that are not in {@code before} unchanged. */
    public static List<Vma> changed(List<Vma> before, List<Vma> after) {
        List<Vma> out = new ArrayList<>();
        for (Vma a : after) {
            boolean kept = false;
            for (Vma b : before) if (same(a, b)) kept = true;
            if (!kept) out.add(a);
        }
        return out;
    }

    /** "split [a,c) into [a,b) [b,c)", "merged [a,b) [b,c) into [a,c)", "new [a,b)", "unmapped [a,b)"... */
    public static String describe(List<Vma> before, List<Vma> after) {
        List<String> parts = new ArrayList<>();
        List<Vma> gone = changed(after, before);
        List<Vma> made = changed(before, after);
        List<Vma> explained = new ArrayList<>();
        for (Vma old : gone) {
            List<Vma> into = new ArrayList<>();
            for (Vma n : made) if (overlaps(old, n)) into.add(n);
            if (into.size() > 1 && into.stream().allMatch(n -> n.start >= old.start && n.end <= old.end)) {
                parts.add("split " + range(old) + " into " + String.join(" ", into.stream().map(VmaChanges::range).toList()));
                explained.addAll(into);
                explained.add(old);
            }
        }
        for (Vma n : made) {
            if (explained.contains(n)) continue;
            List<Vma> from = new ArrayList<>();
            for (Vma old : gone) if (overlaps(old, n) || old.end == n.start || old.start == n.end) if (n.start <= old.start && old.end <= n.end) from.add(old);
            if (from.size() > 1) {
                parts.add("merged " + String.join(" ", from.stream().map(VmaChanges::range).toList()) + " into " + range(n));
            } else if (from.size() == 1 && from.get(0).start == n.start && from.get(0).end == n.end) {
                parts.add("changed " + range(n) + ": " + difference(from.get(0), n));
            } else if (from.size() == 1) {
                parts.add(range(from.get(0)) + " grew to " + range(n));
            } else {
                boolean shrunk = false;
                for (Vma old : gone) {
                    if (overlaps(old, n) && n.start >= old.start && n.end <= old.end) {
                        parts.add(range(old) + " shrank to " + range(n));
                        shrunk = true;
                    }
                }
                if (!shrunk) parts.add("new " + range(n) + " " + VmFlags.perms(n.flags));
            }
            explained.add(n);
            explained.addAll(from);
        }
        for (Vma old : gone) {
            if (explained.contains(old)) continue;
            boolean covered = false;
            for (Vma n : made) if (overlaps(old, n)) covered = true;
            if (!covered) parts.add("unmapped " + range(old));
        }
        return String.join("; ", parts);
    }
}
