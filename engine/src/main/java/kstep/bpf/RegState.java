package kstep.bpf;

/**
 * One register as the verifier tracks it (struct bpf_reg_state): its type, fixed offset {@code off}, the
 * variable part as a {@link Scalar} (tnum and bounds; for a scalar that is its value), the id that links
 * copies and NULL checks, the packet range, the map it points into, the stack frame, and precision.
 */
public final class RegState {
    RegType type = RegType.NOT_INIT;
    boolean maybeNull;
    int off;
    Scalar s = Scalar.unknown();
    /** Links registers holding the same value (or the same maybe-NULL pointer); BPF_ADD_CONST marks "id + off". */
    int id;
    int range;
    BpfMap map;
    int frameno;
    boolean precise;
    int memSize;

    /** BPF_ADD_CONST64 and BPF_ADD_CONST32: the id links "value + off" after a 64- or 32-bit add. */
    static final int ADD_CONST64 = 1 << 31, ADD_CONST32 = 1 << 30, ADD_CONST = ADD_CONST64 | ADD_CONST32;

    RegState copy() {
        RegState r = new RegState();
        r.copyFrom(this);
        return r;
    }

    /** copy_register_state(). */
    void copyFrom(RegState o) {
        type = o.type;
        maybeNull = o.maybeNull;
        off = o.off;
        s = o.s.copy();
        id = o.id;
        range = o.range;
        map = o.map;
        frameno = o.frameno;
        precise = o.precise;
        memSize = o.memSize;
    }

    /** __mark_reg_unknown() for a capable loader: an imprecise scalar, anything. */
    void markUnknown() {
        type = RegType.SCALAR;
        maybeNull = false;
        off = 0;
        s = Scalar.unknown();
        id = 0;
        range = 0;
        map = null;
        frameno = 0;
        precise = false;
        memSize = 0;
    }

    /** __mark_reg_not_init(). */
    void markNotInit() {
        markUnknown();
        type = RegType.NOT_INIT;
    }

    /** __mark_reg_known(): the offset, range and map cleared, ids dropped; type and precision kept. */
    void markKnown(long v) {
        off = 0;
        range = 0;
        map = null;
        memSize = 0;
        maybeNull = false;
        id = 0;
        s = Scalar.known(v);
    }

    /** mark_reg_known_zero() and a pointer type: ctx, fp, pkt... at offset 0. */
    void markPointer(RegType t) {
        markUnknown();
        markKnown(0);
        type = t;
    }

    boolean isScalar() {
        return type == RegType.SCALAR;
    }

    boolean isConst() {
        return s.varOff.isConst();
    }

    /** register_is_null(): a scalar known to be zero. */
    boolean isNull() {
        return type == RegType.SCALAR && s.varOff.isConst() && s.varOff.value() == 0;
    }

    String typeName() {
        return type.logName + (maybeNull ? "_or_null" : "");
    }

    /** print_reg_state(): the text after "R1=" in the log. {@code curFrame} is the frame being printed. */
    String text(int curFrame) {
        if (type == RegType.SCALAR) {
            String p = precise ? "P" : "";
            if (s.varOff.isConst()) return p + Scalar.snum(s.varOff.value());
            return p + "scalar(" + idText() + s.ranges(idText().isEmpty() ? "" : ",") + ")";
        }
        StringBuilder b = new StringBuilder(typeName());
        if (type == RegType.STACK) {
            if (frameno != curFrame) b.append('[').append(frameno).append(']');
            if (s.varOff.isConst()) return b.append(Scalar.snum(s.varOff.value() + off)).toString();
        }
        b.append('(');
        String sep = "";
        String idt = idText();
        if (!idt.isEmpty()) {
            b.append(idt);
            sep = ",";
        }
        if (type.isMapPtr() && map != null) {
            if (!map.name.isEmpty()) {
                b.append(sep).append("map=").append(map.name);
                sep = ",";
            }
            b.append(sep).append("ks=").append(map.keySize).append(",vs=").append(map.valueSize);
            sep = ",";
        }
        if (off != 0) {
            b.append(sep).append("off=").append(off);
            sep = ",";
        }
        if (type.isPacket()) {
            b.append(sep).append("r=").append(Scalar.unum(range));
            sep = ",";
        }
        if (type == RegType.MEM) {
            b.append(sep).append("sz=").append(memSize);
            sep = ",";
        }
        if (s.varOff.isConst()) {
            if (s.varOff.value() != 0) b.append(sep).append("imm=").append(Long.toHexString(s.varOff.value()));
        } else {
            b.append(s.ranges(sep));
        }
        return b.append(')').toString();
    }

    private String idText() {
        if (id == 0) return "";
        String t = "id=" + (id & ~ADD_CONST);
        if ((id & ADD_CONST) != 0) t += (off >= 0 ? "+" : "") + off;
        return t;
    }
}
