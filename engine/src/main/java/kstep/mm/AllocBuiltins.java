package kstep.mm;

import kstep.engine.Builtin;
import kstep.engine.Builtins;
import kstep.engine.Exec;
import kstep.engine.KObject;
import kstep.engine.StructType;
import kstep.engine.Value;
import kstep.lock.SleepChecks;

/**
 * The kernel's allocators as the models see them (mm/slub.c, mm/vmalloc.c): objects out of nowhere, zeroed,
 * never failing; what matters here is whether the call may sleep. GFP flags with __GFP_DIRECT_RECLAIM go
 * through might_alloc(), whose might_sleep_if() is at include/linux/sched/mm.h; vmalloc always may sleep.
 */
public final class AllocBuiltins {
    static final long GFP_DIRECT_RECLAIM = 0x400;

    private AllocBuiltins() { }

    public static void register(Builtins b) {
        for (String name : new String[] {"kmalloc", "kzalloc"}) {
            b.add(name, 2, "allocate an object (sleeps if the GFP flags allow reclaim)", (x, a) -> {
                if ((a.l(1) & GFP_DIRECT_RECLAIM) != 0) mightAlloc(x);
                return allocate(x, a, 0);
            });
        }
        b.add("kcalloc", 3, "allocate n zeroed objects as one", (x, a) -> {
            if ((a.l(2) & GFP_DIRECT_RECLAIM) != 0) mightAlloc(x);
            return allocate(x, a, 1);
        });
        for (String name : new String[] {"vmalloc", "vzalloc"}) {
            b.add(name, 1, "allocate virtually contiguous memory (always may sleep)", (x, a) -> {
                mightAlloc(x);
                return allocate(x, a, 0);
            });
        }
        for (String name : new String[] {"kfree", "vfree", "kvfree"}) {
            b.proc(name, 1, "free what an allocator returned (NULL is fine)", (x, a) -> {
                if (a.get(0) == Value.Nil.NULL) return;
                KObject o = a.obj(0);
                if (o.freed()) throw x.error("double free of " + o.name());
                x.free(o);
            });
        }
    }

    /** might_alloc(): the kernel's line of might_sleep_if() in include/linux/sched/mm.h for the variant's version. */
    static void mightAlloc(Exec x) {
        SleepChecks.check(x, "include/linux/sched/mm.h", x.config().atLeast(5, 17) ? 322 : 201);
    }

    private static Value allocate(Exec x, Builtin.Args a, int sizeArg) {
        StructType st = a.structOf(sizeArg);
        KObject o;
        if (st != null) {
            o = x.allocate(st);
        } else {
            o = x.allocate(x.program().struct("kbuffer"));
            x.setField(o, "size", Value.of(a.l(sizeArg)));
        }
        return new Value.Ref(o.id());
    }
}
