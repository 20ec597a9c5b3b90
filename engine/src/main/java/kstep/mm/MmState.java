package kstep.mm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kstep.engine.Extension;
import kstep.engine.StateHash;

/**
 * The mm subsystem's part of the World: each process's address space by name, which tasks run in it, and
 * each process's open files (fd 3 onwards, in the order the scenario lists them).
 */
public final class MmState implements Extension {
    public static final String KEY = "mm";

    final LinkedHashMap<String, AddressSpace> processes = new LinkedHashMap<>();
    final LinkedHashMap<String, String> mmOfTask = new LinkedHashMap<>();
    final LinkedHashMap<String, List<MappedFile>> files = new LinkedHashMap<>();

    @Override
    public MmState copy() {
        MmState c = new MmState();
        for (Map.Entry<String, AddressSpace> e : processes.entrySet()) c.processes.put(e.getKey(), e.getValue().copy());
        c.mmOfTask.putAll(mmOfTask);
        c.files.putAll(files);
        return c;
    }

    @Override
    public void hashInto(StateHash.Sink h) {
        for (Map.Entry<String, AddressSpace> e : processes.entrySet()) {
            h.add(e.getKey());
            AddressSpace mm = e.getValue();
            for (Vma v : mm.vmas) {
                h.add(v.start);
                h.add(v.end);
                h.add(v.pgoff);
                h.add(v.flags);
                h.add(v.file == null ? 0 : v.file.id());
                h.add(v.anonVma);
                h.add(v.ops.ordinal());
            }
            for (Map.Entry<Long, Page> p : mm.pages.entrySet()) {
                h.add(p.getKey());
                h.add((p.getValue().anon() ? 2 : 0) | (p.getValue().dirty() ? 1 : 0));
            }
            h.add(mm.brk);
        }
    }

    /** The processes by name, in the order the scenario gave them. */
    public Map<String, AddressSpace> processes() {
        return java.util.Collections.unmodifiableMap(processes);
    }

    /** The name of the process task {@code comm} runs in, or null. */
    public String processOf(String comm) {
        return mmOfTask.get(comm);
    }

    public AddressSpace mm(String process) {
        return processes.get(process);
    }

    /** The file behind descriptor {@code fd} of {@code process}, or null. */
    public MappedFile file(String process, long fd) {
        List<MappedFile> fs = files.get(process);
        int i = (int) fd - 3;
        return fs == null || i < 0 || i >= fs.size() ? null : fs.get(i);
    }
}
