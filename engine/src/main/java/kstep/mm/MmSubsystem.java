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
    }

    @Override
    public Contribution setup(YNode section, Setup setup) {
        if (section == null) return Contribution.NONE;
        section.allowOnly(Set.of("processes"));
        MmState st = new MmState();
        for (YNode p : section.require("processes").list()) {
            p.allowOnly(Set.of("name", "tasks", "files", "max_map_count", "start_brk"));
            String name = p.require("name").str();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_-]*")) throw p.require("name").error("a process name is a word, like demo");
            if (st.processes.containsKey(name)) throw p.require("name").error("process " + name + " is listed twice");
            AddressSpace mm = new AddressSpace();
            if (p.get("max_map_count") != null) mm.setMaxMapCount(p.get("max_map_count").intIn(1, 1 << 24));
            // the heap starts here; brk() grows it (default: 0x555555559000, past a small PIE's data)
            mm.setBrk(p.get("start_brk") == null ? 0x555555559000L : p.get("start_brk").integer());
            st.processes.put(name, mm);
            for (String t : p.require("tasks").strings()) {
                if (st.mmOfTask.containsKey(t)) throw p.require("tasks").error("task " + t + " already runs in process " + st.mmOfTask.get(t));
                st.mmOfTask.put(t, name);
            }
            List<MappedFile> files = new ArrayList<>();
            if (p.get("files") != null) {
                for (YNode f : p.get("files").list()) {
                    f.allowOnly(Set.of("path", "pages", "writable"));
                    String path = f.require("path").str();
                    long pages = f.require("pages").intIn(1, 1 << 30);
                    boolean writable = f.get("writable") == null || f.get("writable").bool();
                    files.add(mm.newFile(path, 131072 + files.size() + 1, pages, false, writable));
                }
            }
            st.files.put(name, files);
        }
        setup.extension(MmState.KEY, st);
        return Contribution.NONE;
    }
}
