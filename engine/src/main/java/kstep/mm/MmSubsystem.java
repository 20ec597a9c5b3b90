package kstep.mm;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import kstep.engine.Builtins;
import kstep.engine.Setup;
import kstep.scenario.Subsystem;
import kstep.scenario.YNode;

/**
 * Memory management: the allocators every subsystem's models call, and processes' address spaces with the
 * mmap family of system calls. The section names the processes:
 * <pre>
 * mm:
 *   processes:
 *     - name: demo
 *       tasks: [demo]                  # the tasks that run in it
 *       files:                         # opened as fd 3, 4, ...
 *         - {path: /usr/lib/libdemo.so, pages: 64, writable: false}
 *       max_map_count: 65530
 *       start_brk: 0x555555559000      # where brk() starts the heap
 *     - {name: child, tasks: [child], fork_of: demo}   # made by fork() in demo; its tasks start sleeping
 *   memory: {frames: 256, swap: 128, min_free_kbytes: 64}   # without it memory has no limit
 *   kswapd: kswapd0                    # the task that runs kswapd(), woken below the low watermark
 * </pre>
 */
public final class MmSubsystem implements Subsystem {
    @Override
    public String name() {
        return "mm";
    }

    @Override
    public void registerBuiltins(Builtins b) {
        AllocBuiltins.register(b);
        MmBuiltins.register(b);
        ReclaimBuiltins.register(b);
        GupBuiltins.register(b);
        kstep.mm.linux23.OldMmBuiltins.register(b);
    }

    @Override
    public Contribution setup(YNode section, Setup setup) {
        if (section == null) return Contribution.NONE;
        if (section.get("mode") != null) {
            String mode = section.get("mode").str();
            if (mode.equals("linux-2.3")) return kstep.mm.linux23.OldMmSetup.setup(section, setup);
            if (!mode.equals("linux-6.18")) throw section.get("mode").error("mode is linux-6.18 (the default) or linux-2.3, not '" + mode + "'");
        }
        section.allowOnly(Set.of("mode", "processes", "memory", "kswapd"));
        MmState st = new MmState(memory(section.get("memory")));
        if (section.get("kswapd") != null) st.kswapd = section.get("kswapd").str();
        for (YNode p : section.require("processes").list()) {
            p.allowOnly(Set.of("name", "tasks", "files", "max_map_count", "start_brk", "fork_of"));
            String name = p.require("name").str();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_-]*")) throw p.require("name").error("a process name is a word, like demo");
            if (st.processes.containsKey(name) || st.forkedFrom.containsKey(name)) throw p.require("name").error("process " + name + " is listed twice");
            for (String t : p.require("tasks").strings()) {
                if (st.mmOfTask.containsKey(t)) throw p.require("tasks").error("task " + t + " already runs in process " + st.mmOfTask.get(t));
                st.mmOfTask.put(t, name);
            }
            if (p.get("fork_of") != null) {
                // made by fork() in the parent: its tasks start sleeping and fork() wakes them
                String parent = p.get("fork_of").str();
                if (!st.processes.containsKey(parent)) throw p.get("fork_of").error("fork_of names a process listed before this one, not '" + parent + "'");
                for (String key : new String[] {"files", "max_map_count", "start_brk"}) {
                    if (p.get(key) != null) throw p.get(key).error("a forked process inherits its parent's " + key.replace('_', ' '));
                }
                st.forkedFrom.put(name, parent);
                continue;
            }
            AddressSpace mm = new AddressSpace(st.node);
            if (p.get("max_map_count") != null) mm.setMaxMapCount(p.get("max_map_count").intIn(1, 1 << 24));
            // the heap starts here; brk() grows it (default: 0x555555559000, past a small PIE's data)
            mm.setBrk(p.get("start_brk") == null ? 0x555555559000L : p.get("start_brk").integer());
            st.processes.put(name, mm);
            List<MappedFile> files = new ArrayList<>();
            if (p.get("files") != null) {
                for (YNode f : p.get("files").list()) {
                    f.allowOnly(Set.of("path", "pages", "writable"));
                    String path = f.require("path").str();
                    long pages = f.require("pages").intIn(1, 1 << 30);
                    boolean writable = f.get("writable") == null || f.get("writable").bool();
                    files.add(mm.newFile(path, 131072 + st.node.files.size() + 1, pages, false, writable));
                }
            }
            st.files.put(name, files);
        }
        modelObjects(setup, st, section);
        setup.extension(MmState.KEY, st);
        return new Contribution(List.of(), List.of());
    }

    /**
     * When the models declare them (mm/gup.kc does): a {@code struct mm_struct} for every process, named
     * PROCESS_mm (its mmap_lock is the rw_semaphore GUP takes), and the vm_operations_struct objects a VMA's
     * vm_ops points at: generic_file_vm_ops, shmem_vm_ops and /dev/mem's mmap_mem_ops, whose access is
     * the models' generic_access_phys().
     */
    private static void modelObjects(Setup setup, MmState st, YNode section) {
        if (setup.program().struct("mm_struct") != null) {
            for (YNode p : section.require("processes").list()) {
                String name = p.require("name").str();
                kstep.engine.KObject mm = setup.allocate("mm_struct", name + "_mm", p.require("name").pos());
                st.mmObjects.put(mm.id(), name);
            }
        }
        if (setup.program().struct("vm_operations_struct") != null) {
            st.fileVmOps = setup.allocate("vm_operations_struct", "generic_file_vm_ops", section.pos()).id();
            st.shmemVmOps = setup.allocate("vm_operations_struct", "shmem_vm_ops", section.pos()).id();
            kstep.engine.KObject mem = setup.allocate("vm_operations_struct", "mmap_mem_ops", section.pos());
            if (setup.program().function("generic_access_phys") != null) setup.set(mem, "access", new kstep.engine.Value.Fn("generic_access_phys"));
            st.memVmOps = mem.id();
        }
    }

    /**
     * The memory section: {@code frames} (physical pages, frame 0 being the zero page; without it memory has
     * no limit and nothing is reclaimed), {@code swap} (slots), {@code min_free_kbytes} (default as the kernel
     * computes it) and {@code watermark_scale_factor} (default 10).
     */
    private static Pgdat memory(YNode m) {
        if (m == null) return Pgdat.unlimited();
        m.allowOnly(Set.of("frames", "swap", "min_free_kbytes", "watermark_scale_factor"));
        int frames = m.require("frames").intIn(16, 1 << 20);
        int swap = m.get("swap") == null ? 0 : m.get("swap").intIn(0, 1 << 20);
        long minFree = m.get("min_free_kbytes") == null ? Pgdat.defaultMinFreeKbytes(frames) : m.get("min_free_kbytes").intIn(4, 1 << 20);
        int scale = m.get("watermark_scale_factor") == null ? 10 : m.get("watermark_scale_factor").intIn(1, 3000);
        if (minFree / 4 >= frames / 2) throw m.get("min_free_kbytes") != null ? m.get("min_free_kbytes").error("min_free_kbytes leaves no memory above the min watermark")
            : m.require("frames").error("too few frames for the default min_free_kbytes (" + minFree + "); give min_free_kbytes");
        // the swap header takes slot 0, as on disk
        return new Pgdat(frames, false, swap == 0 ? 0 : swap + 1, minFree, scale);
    }
}
