package kstep.mm;

import java.util.ArrayList;
import java.util.List;

import kstep.engine.Builtins;
import kstep.engine.Event;
import kstep.engine.Exec;
import kstep.engine.Value;

/**
 * The address-space system calls as the models call them from a task, each one step: mmap, munmap, mprotect,
 * mlock, munlock, mremap, madvise, and the user accesses read_byte(addr) and write_byte(addr). They act on
 * the address space of the process the current task runs in and say in an event which VMAs were made,
 * split, merged or changed.
 */
public final class MmBuiltins {
    private MmBuiltins() { }

    public static void register(Builtins b) {
        b.add("mmap", 6, "mmap(addr, len, prot, flags, fd, off): the address, or -errno", (x, a) -> {
            MmState st = x.ext(MmState.KEY, MmState.class);
            String proc = process(x, st);
            MappedFile f = null;
            if ((a.l(3) & MmSyscalls.MAP_ANONYMOUS) == 0) {
                f = st.file(proc, a.l(4));
                if (f == null) return Value.of(-9); // -EBADF
            }
            MappedFile file = f;
            return call(x, st, proc, "mmap", a, mm -> MmSyscalls.mmap(mm, a.l(0), a.l(1), (int) a.l(2), (int) a.l(3), file, a.l(5)));
        });
        b.add("munmap", 2, "munmap(addr, len): 0 or -errno", (x, a) -> syscall(x, "munmap", a, mm -> MmSyscalls.munmap(mm, a.l(0), a.l(1))));
        b.add("mprotect", 3, "mprotect(addr, len, prot): 0 or -errno",
            (x, a) -> syscall(x, "mprotect", a, mm -> MmSyscalls.mprotect(mm, a.l(0), a.l(1), (int) a.l(2))));
        b.add("mlock", 2, "mlock(addr, len): lock and fault in; 0 or -errno", (x, a) -> syscall(x, "mlock", a, mm -> MmSyscalls.mlock(mm, a.l(0), a.l(1))));
        b.add("munlock", 2, "munlock(addr, len): 0 or -errno", (x, a) -> syscall(x, "munlock", a, mm -> MmSyscalls.munlock(mm, a.l(0), a.l(1))));
        b.add("mremap", 5, "mremap(old, old_len, new_len, flags, new_addr): the address, or -errno",
            (x, a) -> syscall(x, "mremap", a, mm -> MmSyscalls.mremap(mm, a.l(0), a.l(1), a.l(2), (int) a.l(3), a.l(4))));
        b.add("madvise", 3, "madvise(addr, len, advice): 0 or -errno",
            (x, a) -> syscall(x, "madvise", a, mm -> MmSyscalls.madvise(mm, a.l(0), a.l(1), (int) a.l(2))));
        b.add("brk", 1, "brk(addr): move the program break; the new break, or the old one if it cannot move",
            (x, a) -> syscall(x, "brk", a, mm -> MmSyscalls.brk(mm, a.l(0))));
        b.add("read_byte", 1, "a user read of one byte: 0, or -EFAULT (SIGSEGV/SIGBUS)",
            (x, a) -> access(x, "read", a, false, mm -> MmSyscalls.touch(mm, a.l(0), false)));
        b.add("write_byte", 1, "a user write of one byte: 0, or -EFAULT (SIGSEGV/SIGBUS)",
            (x, a) -> access(x, "write", a, true, mm -> MmSyscalls.touch(mm, a.l(0), true)));
        b.add("load", 1, "a user read of the word at addr: its value, or -EFAULT (SIGSEGV/SIGBUS), -ENOMEM", (x, a) -> access(x, "load", a, false, mm -> {
            Fault.Result r = Fault.access(mm, a.l(0), false);
            return r.ret() < 0 ? r.ret() : mm.node.map.data[r.pfn()];
        }));
        b.add("store", 2, "a user write of value to the word at addr: 0, or -EFAULT (SIGSEGV/SIGBUS), -ENOMEM", (x, a) -> access(x, "store", a, true, mm -> {
            Fault.Result r = Fault.access(mm, a.l(0), true);
            if (r.ret() < 0) return r.ret();
            mm.node.map.data[r.pfn()] = a.l(1);
            return 0;
        }));
        b.add("fork", 0, "fork(): copy this process's address space into its child (listed with fork_of) and start the child's tasks; the child's pid",
            MmBuiltins::fork);
        b.add("exit_mm", 0, "exit_mmap(): the process lets go of its whole address space; 0", (x, a) -> syscall(x, "exit_mm", a, mm -> {
            Fork.exitMmap(mm);
            return 0;
        }));
    }

    /** fork(): dup_mmap() into the first child process not yet forked, and wake_up_new_task() for its tasks. */
    private static Value fork(Exec x, kstep.engine.Builtin.Args a) {
        MmState st = x.ext(MmState.KEY, MmState.class);
        if (st == null) throw x.error("fork() needs the mm section in the scenario");
        String parent = process(x, st);
        String child = null;
        for (java.util.Map.Entry<String, String> e : st.forkedFrom.entrySet()) {
            if (e.getValue().equals(parent) && !st.forked.contains(e.getKey())) {
                child = e.getKey();
                break;
            }
        }
        if (child == null) throw x.error("process " + parent + " has no child left to fork (list one with fork_of: " + parent + ")");
        String name = child;
        long pid = -1;
        for (kstep.engine.Task t : x.world().tasks()) {
            kstep.engine.KObject ts = x.world().taskStruct(t);
            if (!name.equals(st.processOf(ts.text("comm")))) continue;
            if (ts.getLong("on_rq") != 0) throw x.error("task " + ts.text("comm") + " of forked process " + name + " must start sleeping (start: sleeping)");
            if (pid < 0) pid = ts.getLong("pid");
        }
        if (pid < 0) throw x.error("forked process " + name + " has no task");
        long childPid = pid;
        Value r = call(x, st, parent, "fork", a, mm -> {
            AddressSpace c = Fork.dupMmap(mm);
            st.processes.put(name, c);
            st.files.put(name, st.files.getOrDefault(parent, List.of()));
            st.forked.add(name);
            return childPid;
        });
        for (kstep.engine.Task t : x.world().tasks()) {
            kstep.engine.KObject ts = x.world().taskStruct(t);
            if (name.equals(st.processOf(ts.text("comm")))) kstep.engine.SchedBuiltins.wakeUp(x, ts);
        }
        return r;
    }

    interface Op {
        long run(AddressSpace mm);
    }

    private static String process(Exec x, MmState st) {
        String comm = x.currentTaskStruct().text("comm");
        String proc = st.processOf(comm);
        if (proc == null) throw x.error("task " + comm + " has no address space (list it under mm: processes: in the scenario)");
        return proc;
    }

    /** A user access: a system call's bookkeeping, and the access remembered for the page-table view. */
    private static Value access(Exec x, String name, kstep.engine.Builtin.Args a, boolean write, Op op) {
        MmState st = x.ext(MmState.KEY, MmState.class);
        if (st == null) throw x.error(name + "() needs the mm section in the scenario");
        String proc = process(x, st);
        st.lastAccess = new MmState.Access(proc, a.l(0), write, x.world().stepNo());
        return call(x, st, proc, name, a, op);
    }

    static Value syscall(Exec x, String name, kstep.engine.Builtin.Args a, Op op) {
        MmState st = x.ext(MmState.KEY, MmState.class);
        if (st == null) throw x.error(name + "() needs the mm section in the scenario");
        return call(x, st, process(x, st), name, a, op);
    }

    static Value call(Exec x, MmState st, String proc, String name, kstep.engine.Builtin.Args a, Op op) {
        AddressSpace mm = st.mm(proc);
        // the rules of the variant's kernel: since 6.6 ("mm/mprotect: allow unfaulted VMAs to be unaccounted on
        // mprotect()") anonymous memory nobody wrote to loses VM_ACCOUNT when it loses PROT_WRITE
        mm.unaccountUnfaulted = x.config().atLeast(6, 6);
        List<Vma> before = mm.vmas();
        List<Vma> copies = new ArrayList<>();
        for (Vma v : before) copies.add(v.copy());
        Pgdat node = mm.node;
        List<String> log = new ArrayList<>();
        node.log = log;
        node.kswapdWaker = () -> wakeKswapd(x, st);
        long res;
        try {
            res = op.run(mm);
        } finally {
            node.log = null;
            node.kswapdWaker = null;
        }
        StringBuilder args = new StringBuilder();
        for (int i = 0; i < a.size(); i++) args.append(i == 0 ? "" : ", ").append(a.get(i) instanceof Value.Ref ? x.world().show(a.get(i), kstep.engine.StructType.Shape.POINTER) : show(a.get(i)));
        String change = VmaChanges.describe(copies, mm.vmas());
        if (!change.isEmpty() && !st.vmaObjects.isEmpty()) GupBuiltins.vmasChanged(x, st, proc);
        x.emit(Event.say(Event.Kind.SET, "mm:" + proc, name + "(" + args + ") = " + show(Value.of(res)) + (change.isEmpty() ? "" : ": " + change)));
        for (String l : log) x.emit(Event.say(Event.Kind.SET, "pages:" + proc, l));
        return Value.of(res);
    }

    /** wakeup_kswapd(): the allocation found free memory below the low watermark; kswapd runs if it slept. */
    static void wakeKswapd(Exec x, MmState st) {
        if (st.kswapd == null) return;
        for (kstep.engine.Task t : x.world().tasks()) {
            kstep.engine.KObject ts = x.world().taskStruct(t);
            if (!st.kswapd.equals(ts.text("comm"))) continue;
            if (kstep.engine.SchedBuiltins.wakeUp(x, ts)) {
                st.node.log("wakeup_kswapd: " + st.node.nrFree + " pages free, below the low watermark " + st.node.low);
            }
            return;
        }
    }

    private static String show(Value v) {
        if (v instanceof Value.Int i) return i.v() < 0 && i.v() > -4096 ? Long.toString(i.v()) : "0x" + Long.toHexString(i.v());
        return v.toString();
    }
}
