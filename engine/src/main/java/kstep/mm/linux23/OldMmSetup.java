package kstep.mm.linux23;

import java.util.List;
import java.util.Map;
import java.util.Set;

import kstep.engine.FieldHook;
import kstep.engine.KObject;
import kstep.engine.Setup;
import kstep.engine.Value;
import kstep.scenario.Subsystem;
import kstep.scenario.YNode;

/**
 * The mm section of a Linux 2.3 scenario:
 * <pre>
 * mm:
 *   mode: linux-2.3
 *   memory: {frames: 24, swap: 16, freepages_high: 20}
 *   kswapd: kswapd                  # the page stealer (rule 3 lets it walk with the access lock)
 *   mms:
 *     - name: victim_mm
 *       vmas:                       # in address order; each one a vm_area_struct named vma0, vma1... (or name:)
 *         - {start: 0x08048000, end: 0x0804a000, flags: [read, exec], pages: clean}
 *         - {start: 0x40000000, end: 0x40002000, flags: [read, write], pages: dirty, young: true}
 * </pre>
 * {@code pages}: none (the default), clean or dirty: every page of the vma resident, young if asked.
 */
public final class OldMmSetup {
    private OldMmSetup() { }

    static final Map<String, Long> FLAGS = Map.of("read", 0x1L, "write", 0x2L, "exec", 0x4L, "shared", 0x8L, "locked", 0x2000L);

    public static Subsystem.Contribution setup(YNode section, Setup setup) {
        section.allowOnly(Set.of("mode", "memory", "kswapd", "mms"));
        YNode mem = section.get("memory");
        int frames = 32;
        int swap = 16;
        long high = 8;
        if (mem != null) {
            mem.allowOnly(Set.of("frames", "swap", "freepages_high"));
            if (mem.get("frames") != null) frames = mem.get("frames").intIn(4, 1 << 16);
            if (mem.get("swap") != null) swap = mem.get("swap").intIn(0, 1 << 16);
            if (mem.get("freepages_high") != null) high = mem.get("freepages_high").intIn(0, frames);
        }
        OldMemory m = new OldMemory(frames, swap, high);
        int vmaNo = 0;
        for (YNode mn : section.require("mms").list()) {
            mn.allowOnly(Set.of("name", "vmas"));
            String name = mn.require("name").str();
            KObject mm = setup.allocate("mm_struct", name, mn.require("name").pos());
            KObject sem = setup.world().object(((Value.Ref) mm.get("mmap_sem")).id());
            setup.set(sem, "count", Value.ONE);
            m.mms.add(mm.id());
            KObject prev = null;
            long rss = 0;
            long lastEnd = 0;
            int count = 0;
            for (YNode vn : mn.require("vmas").list()) {
                vn.allowOnly(Set.of("name", "start", "end", "flags", "pages", "young"));
                long start = vn.require("start").integer();
                long end = vn.require("end").integer();
                if ((start & 0xfff) != 0 || (end & 0xfff) != 0 || end <= start) throw vn.require("end").error("a vma is [start, end), page aligned, end above start");
                if (start < lastEnd) throw vn.require("start").error("vmas are listed in address order without overlap");
                lastEnd = end;
                long flags = 0;
                if (vn.get("flags") != null) {
                    for (String f : vn.get("flags").strings()) {
                        Long bit = FLAGS.get(f);
                        if (bit == null) throw vn.get("flags").error("unknown vma flag '" + f + "' (read, write, exec, shared, locked)");
                        flags |= bit;
                    }
                }
                String vname = vn.get("name") == null ? "vma" + vmaNo : vn.get("name").str();
                vmaNo++;
                KObject v = setup.allocate("vm_area_struct", vname, vn.pos());
                setup.set(v, "vm_mm", new Value.Ref(mm.id()));
                setup.set(v, "vm_start", Value.of(start));
                setup.set(v, "vm_end", Value.of(end));
                setup.set(v, "vm_flags", Value.of(flags));
                if (prev == null) setup.set(mm, "mmap", new Value.Ref(v.id()));
                else setup.set(prev, "vm_next", new Value.Ref(v.id()));
                prev = v;
                count++;
                String pages = vn.get("pages") == null ? "none" : vn.get("pages").str();
                if (!Set.of("none", "clean", "dirty").contains(pages)) throw vn.get("pages").error("pages is none, clean or dirty, not '" + pages + "'");
                boolean young = vn.get("young") != null && vn.get("young").bool();
                if (pages.equals("none")) continue;
                for (long a = start; a < end; a += 0x1000) {
                    int p = m.allocPage();
                    if (p < 0) throw vn.pos() == null ? new IllegalStateException() : vn.require("pages").error("memory has too few frames for the resident pages");
                    long pte = ((long) p << 12) | OldMemory.PAGE_PRESENT | OldMemory.PAGE_USER | ((flags & 0x2) != 0 ? OldMemory.PAGE_RW : 0)
                        | (young ? OldMemory.PAGE_ACCESSED : 0) | (pages.equals("dirty") ? OldMemory.PAGE_DIRTY : 0);
                    m.table(mm.id()).put(a, pte);
                    rss++;
                }
            }
            setup.set(mm, "map_count", Value.of(count));
            setup.set(mm, "rss", Value.of(rss));
            setup.set(mm, "swap_cnt", Value.of(rss));
        }
        setup.extension(OldMemory.KEY, m);
        String stealer = section.get("kswapd") == null ? null : section.get("kswapd").str();
        OldMmRules rules = new OldMmRules(stealer);
        Map<String, FieldHook> hooks = Map.of("vm_area_struct", rules, "mm_struct", rules);
        return new Subsystem.Contribution(List.of(), List.of(), hooks);
    }
}
