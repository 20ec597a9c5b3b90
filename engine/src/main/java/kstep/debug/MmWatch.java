package kstep.debug;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import kstep.engine.Event;
import kstep.engine.World;
import kstep.mm.AddressSpace;
import kstep.mm.FrameInfo;
import kstep.mm.MmState;
import kstep.mm.Pte;

/**
 * Watchpoints on memory the views draw without a named object: a physical frame's struct page
 * ({@code watch frame6}), the PTE of an address in every process ({@code watch pte@0x10001000}) and the VMA that
 * holds an address ({@code watch vma@0x10000000}: its range, offset and flags). They compare
 * the state before and after a step, so they see a change no event names (a refcount taken by a walk).
 */
final class MmWatch {
    private MmWatch() { }

    /** Frame {@code pfn}'s struct page after {@code w}, or null when the world has no memory or no such frame. */
    static FrameInfo frame(World w, int pfn) {
        MmState st = w.ext(MmState.KEY, MmState.class);
        if (st == null || pfn < 0 || pfn >= st.node().frames()) return null;
        return st.node().frame(pfn, st::nameOf);
    }

    /** What changed in frame {@code pfn} across a step: the step's words about it, else the fields; null if nothing. */
    static String frameChange(StepContext c, int pfn) {
        FrameInfo a = frame(c.before(), pfn);
        FrameInfo b = frame(c.after(), pfn);
        if (a == null || b == null || a.equals(b)) return null;
        Pattern named = Pattern.compile("\\bframe " + pfn + "\\b");
        for (Event e : c.record().events()) if (named.matcher(e.text()).find()) return e.text();
        List<String> d = new ArrayList<>();
        field(d, "kind", a.kind(), b.kind());
        field(d, "flags", a.flags(), b.flags());
        field(d, "refcount", a.refcount(), b.refcount());
        field(d, "mapcount", a.mapcount(), b.mapcount());
        field(d, "lru", a.lru().isEmpty() ? "none" : a.lru(), b.lru().isEmpty() ? "none" : b.lru());
        field(d, "swap slot", a.swapSlot(), b.swapSlot());
        field(d, "data", String.format("0x%x", a.data()), String.format("0x%x", b.data()));
        field(d, "mapped by", a.mappedBy().toString(), b.mappedBy().toString());
        return "frame " + pfn + ": " + String.join(", ", d);
    }

    private static void field(List<String> out, String name, Object was, Object now) {
        if (!Objects.equals(was, now)) out.add(name + " " + was + " -> " + now);
    }

    /** Each process's PTE for {@code addr} after {@code w}, decoded ("none" where nothing maps it); empty without memory. */
    static Map<String, String> ptes(World w, long addr) {
        Map<String, String> out = new LinkedHashMap<>();
        MmState st = w.ext(MmState.KEY, MmState.class);
        if (st == null) return out;
        for (AddressSpace mm : st.processes().values()) out.put(st.nameOf(mm), Pte.decode(mm.pte(addr)));
        return out;
    }

    /** What changed in the PTEs of {@code addr} across a step: the fault or unmap that did it, else the values. */
    static String pteChange(StepContext c, long addr) {
        Map<String, String> a = ptes(c.before(), addr);
        Map<String, String> b = ptes(c.after(), addr);
        if (a.equals(b)) return null;
        String hex = String.format("0x%x", addr);
        // the fault or the unmap says more than the load or store that caused it
        String access = null;
        for (Event e : c.record().events()) {
            if (!e.text().contains(hex)) continue;
            if (e.text().startsWith("load(") || e.text().startsWith("store(")) access = access == null ? e.text() : access;
            else return e.text();
        }
        if (access != null) return access;
        return "pte " + hex + ": " + byProcess(a, b);
    }

    /** The processes whose value differs, "hog P RW US A D NX -> P RW US D NX", joined. */
    private static String byProcess(Map<String, String> a, Map<String, String> b) {
        List<String> d = new ArrayList<>();
        for (Map.Entry<String, String> e : b.entrySet()) {
            String was = a.getOrDefault(e.getKey(), "none");
            if (!was.equals(e.getValue())) d.add(e.getKey() + " " + was + " -> " + e.getValue());
        }
        return String.join(", ", d);
    }

    /** Each process's VMA holding {@code addr} after {@code w} ("none" where none does); empty without memory. */
    static Map<String, String> vmas(World w, long addr) {
        Map<String, String> out = new LinkedHashMap<>();
        MmState st = w.ext(MmState.KEY, MmState.class);
        if (st == null) return out;
        for (AddressSpace mm : st.processes().values()) {
            kstep.mm.Vma v = mm.vmaLookup(addr);
            out.put(st.nameOf(mm), v == null ? "none" : v + (v.anonVma() == 0 ? "" : " anon_vma " + v.anonVma()));
        }
        return out;
    }

    /** What changed in the VMA holding {@code addr} across a step: the mm's words (split, merged, ...) else the VMAs. */
    static String vmaChange(StepContext c, long addr) {
        Map<String, String> a = vmas(c.before(), addr);
        Map<String, String> b = vmas(c.after(), addr);
        if (a.equals(b)) return null;
        for (Event e : c.record().events()) if (e.subject() != null && e.subject().startsWith("mm:")) return e.text();
        return String.format("vma at 0x%x: ", addr) + byProcess(a, b);
    }
}
