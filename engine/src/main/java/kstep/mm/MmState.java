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
    /** The memory every process's pages come from. */
    Pgdat node;
    /** The comm of the task that runs kswapd (woken below the low watermark), or null. */
    String kswapd;
    /** Processes that come into being by fork(): child name -> parent name; and which have been forked. */
    final LinkedHashMap<String, String> forkedFrom = new LinkedHashMap<>();
    final java.util.TreeSet<String> forked = new java.util.TreeSet<>();
    /** The struct mm_struct objects of the models (GUP's mm and its mmap_lock), by object id -> process. */
    final java.util.TreeMap<Integer, String> mmObjects = new java.util.TreeMap<>();
    /** struct vm_area_struct objects handed to the models (vma_lookup()), by object id -> process; freed when the VMA changes. */
    final java.util.TreeMap<Integer, String> vmaObjects = new java.util.TreeMap<>();
    /** The vm_operations_struct objects a mirror's vm_ops points at: file, shmem, and /dev/mem's (with access). */
    int fileVmOps = -1;
    int shmemVmOps = -1;
    int memVmOps = -1;
    /** The last user access: which process, where, at which step (the page-table view shows its walk). History: not hashed. */
    Access lastAccess;

    /** A user access of {@code process} at {@code addr} during step {@code step}. */
    public record Access(String process, long addr, boolean write, int step) { }

    MmState(Pgdat node) {
        this.node = node;
    }

    @Override
    public MmState copy() {
        MmState c = new MmState(node.copyWithoutMms());
        // the copy's node must list the mms in the original order, so copy them in that order
        java.util.IdentityHashMap<AddressSpace, AddressSpace> copies = new java.util.IdentityHashMap<>();
        for (AddressSpace mm : node.mms) copies.put(mm, mm.copyInto(c.node));
        for (Map.Entry<String, AddressSpace> e : processes.entrySet()) c.processes.put(e.getKey(), copies.get(e.getValue()));
        c.mmOfTask.putAll(mmOfTask);
        c.files.putAll(files);
        c.kswapd = kswapd;
        c.forkedFrom.putAll(forkedFrom);
        c.forked.addAll(forked);
        c.lastAccess = lastAccess;
        c.mmObjects.putAll(mmObjects);
        c.vmaObjects.putAll(vmaObjects);
        c.fileVmOps = fileVmOps;
        c.shmemVmOps = shmemVmOps;
        c.memVmOps = memVmOps;
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
            h.add(mm.brk);
            h.add(mm.pt.pgd);
        }
        node.hashInto(h);
        h.add(node.nextAnonVma);
        for (String f : forked) h.add(f);
        for (int id : vmaObjects.keySet()) h.add(id);
    }

    public Access lastAccess() {
        return lastAccess;
    }

    /** The name of the process whose mm is {@code mm}, or "mm N" for one no process has (yet). */
    public String nameOf(AddressSpace mm) {
        for (Map.Entry<String, AddressSpace> e : processes.entrySet()) if (e.getValue() == mm) return e.getKey();
        return "mm " + mm.id;
    }

    /** The memory node. */
    public Pgdat node() {
        return node;
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
