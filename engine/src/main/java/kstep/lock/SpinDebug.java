package kstep.lock;

import kstep.engine.Exec;
import kstep.engine.KObject;
import kstep.engine.KernelText;
import kstep.engine.Value;

/** CONFIG_DEBUG_SPINLOCK's checks (kernel/locking/spinlock_debug.c spin_dump() and rwlock_bug()). */
final class SpinDebug {
    static final String SPINLOCK_MAGIC = "dead4ead";

    private SpinDebug() { }

    static void bug(Exec x, KObject l, String msg) {
        KObject me = x.currentTaskStruct();
        KObject owner = l.get("owner") instanceof Value.Ref r ? x.world().object(r.id()) : null;
        String key = "spin-bug:" + msg + ":" + l.id();
        if (l.type().name().equals("rwlock")) {
            x.findingOnce(key, "spinlock-bug", "BUG: rwlock " + msg + " on CPU#" + x.cpuId() + ", " + me.text("comm") + "/"
                + me.getLong("pid") + ", " + KernelText.px(x.world(), l) + "\n" + KernelText.dumpStack(x));
            return;
        }
        String sym = lockSymbol(x, l);
        x.findingOnce(key, "spinlock-bug", "BUG: spinlock " + msg + " on CPU#" + x.cpuId() + ", " + me.text("comm") + "/" + me.getLong("pid")
            + "\n lock: " + sym + ", .magic: " + SPINLOCK_MAGIC + ", .owner: "
            + (owner == null ? "<none>/-1" : owner.text("comm") + "/" + owner.getLong("pid"))
            + ", .owner_cpu: " + l.getLong("owner_cpu") + "\n" + KernelText.dumpStack(x));
    }

    /** "%pS" of a lock: its symbol when it is a static variable, its address otherwise. */
    static String lockSymbol(Exec x, KObject l) {
        for (var st : x.program().statics()) {
            if (st.name().equals(l.name())) return l.name() + "+0x0/0x" + Long.toHexString(8L * l.type().fields().size());
        }
        return "0x" + KernelText.px(x.world(), l);
    }
}
