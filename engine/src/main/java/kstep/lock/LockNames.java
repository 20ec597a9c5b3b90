package kstep.lock;

import kstep.engine.KObject;

/** Lock class names for locks nobody initialised in the models: "&parent_type->field", as lockdep would print. */
final class LockNames {
    private LockNames() { }

    static String guess(KObject l) {
        String n = l.name();
        if (n.matches("irq[0-9]+\\.lock")) return "&irq_desc_lock_class"; // irq descriptors share one class
        int dot = n.lastIndexOf('.');
        if (dot < 0) return n;
        String parent = n.substring(0, dot);
        int pdot = parent.lastIndexOf('.');
        String parentName = pdot < 0 ? parent : parent.substring(pdot + 1);
        return "&" + parentName.replaceAll("[0-9]+$", "") + "->" + n.substring(dot + 1);
    }
}
