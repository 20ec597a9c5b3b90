package kstep.bpf;

/**
 * A call to a helper function (check_helper_call() and check_func_arg()): the prototype for the program's
 * type, each argument register against its argument type, the memory a pointer argument reaches, then the
 * caller-saved registers clobbered and R0 set from the return type.
 */
final class HelperCall {
    private HelperCall() { }

    /** bpf_call_arg_meta, the part these helpers use. */
    private static final class Meta {
        BpfMap map;
        long constMapKey = -1;
        final StackAccess.RawMode raw = new StackAccess.RawMode();
    }

    private static final String MEM_TYPES = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_";

    static void check(Verifier v, InsnChecks c, int funcId, int idx) throws Verifier.Reject {
        if (funcId < 0 || funcId >= HelperProto.MAX_ID) throw v.reject("invalid func " + Helpers.name(funcId) + "#" + funcId);
        HelperProto fn = HelperProto.of(funcId, v.prog.type(), v.priv);
        if (fn == null) throw v.reject("program of this type cannot use helper " + Helpers.name(funcId) + "#" + funcId);
        Meta meta = new Meta();
        for (int i = 0; i < 5; i++) checkArg(v, c, fn, i, meta);
        if (meta.raw.regno >= 0) {
            for (int i = 0; i < meta.raw.accessSize; i++) c.checkMemAccess(meta.raw.regno, i, 1, true, -1, false);
        }
        RegState[] regs = v.cur.regs();
        for (int i = 0; i <= 5; i++) {
            regs[i].markNotInit();
            c.checkRegArg(i, InsnChecks.Op.DST_NO_MARK);
        }
        RegState r0 = regs[0];
        switch (fn.ret()) {
            case INTEGER -> {
                r0.markUnknown();
                if (funcId == 8) {
                    // do_refine_retval_range(): a CPU number is below nr_cpu_ids
                    r0.s.umax = InsnChecks.NR_CPUS - 1;
                    r0.s.smax = InsnChecks.NR_CPUS - 1;
                    r0.s.umin = 0;
                    r0.s.smin = 0;
                    r0.s.u32max = InsnChecks.NR_CPUS - 1;
                    r0.s.s32max = InsnChecks.NR_CPUS - 1;
                    r0.s.u32min = 0;
                    r0.s.s32min = 0;
                    r0.s.sync();
                }
            }
            case VOID -> r0.type = RegType.NOT_INIT;
            case MAP_VALUE_OR_NULL -> {
                r0.markPointer(RegType.MAP_VALUE);
                r0.map = meta.map;
                boolean elide = meta.map.type == BpfMap.ARRAY && meta.constMapKey >= 0 && meta.constMapKey < meta.map.maxEntries;
                if (!elide) {
                    r0.maybeNull = true;
                    r0.id = ++v.idGen;
                }
            }
        }
        if (fn.changesPktData()) CondJump.clearAllPktPointers(v.cur);
    }

    private static String typeList(HelperProto.Arg a) {
        return switch (a) {
            case CTX -> "ctx";
            case CONST_MAP_PTR -> "map_ptr";
            case MAP_KEY, MAP_VALUE, MEM, UNINIT_MEM -> MEM_TYPES;
            default -> "scalar";
        };
    }

    private static boolean typeOk(HelperProto.Arg a, RegState r) {
        if (r.maybeNull) return false;
        return switch (a) {
            case CTX -> r.type == RegType.CTX;
            case CONST_MAP_PTR -> r.type == RegType.CONST_PTR_TO_MAP;
            case MAP_KEY, MAP_VALUE -> r.type == RegType.STACK || r.type.isPacket() || r.type == RegType.MAP_KEY || r.type == RegType.MAP_VALUE;
            case MEM, UNINIT_MEM -> r.type == RegType.STACK || r.type.isPacket() || r.type == RegType.MAP_KEY || r.type == RegType.MAP_VALUE
                || r.type == RegType.MEM;
            case CONST_SIZE, CONST_SIZE_OR_ZERO -> r.type == RegType.SCALAR;
            default -> true;
        };
    }

    /** check_func_arg(). */
    private static void checkArg(Verifier v, InsnChecks c, HelperProto fn, int arg, Meta meta) throws Verifier.Reject {
        HelperProto.Arg a = fn.arg(arg);
        if (a == null) return;
        int regno = arg + 1;
        c.checkRegArg(regno, InsnChecks.Op.SRC);
        if (a == HelperProto.Arg.ANYTHING) {
            if (c.leaks(regno)) throw v.reject("R" + regno + " leaks addr into helper function");
            return;
        }
        RegState reg = v.cur.regs()[regno];
        if (reg.type.isPacket() && v.prog.type() != BpfProgram.ProgType.XDP) throw v.reject("helper access to the packet is not allowed");
        if (!typeOk(a, reg)) throw v.reject("R" + regno + " type=" + reg.typeName() + " expected=" + typeList(a));
        if (reg.type == RegType.CTX || reg.type == RegType.CONST_PTR_TO_MAP) c.checkPtrOffReg(reg, regno, false);
        switch (a) {
            case CONST_MAP_PTR -> meta.map = reg.map;
            case MAP_KEY -> {
                helperMemAccess(v, c, regno, meta.map.keySize, false, false, null);
                if (meta.map.type == BpfMap.ARRAY) meta.constMapKey = constantMapKey(v, reg, meta.map.keySize);
            }
            case MAP_VALUE -> helperMemAccess(v, c, regno, meta.map.valueSize, false, false, null);
            case MEM -> meta.raw.on = false;
            case UNINIT_MEM -> meta.raw.on = true;
            case CONST_SIZE, CONST_SIZE_OR_ZERO -> memSizeReg(v, c, fn, reg, regno, a == HelperProto.Arg.CONST_SIZE_OR_ZERO, meta);
            default -> { }
        }
    }

    /** check_mem_size_reg(). */
    private static void memSizeReg(Verifier v, InsnChecks c, HelperProto fn, RegState reg, int regno, boolean zeroOk, Meta meta) throws Verifier.Reject {
        StackAccess.RawMode raw = reg.s.varOff.isConst() ? meta.raw : null;
        if (reg.s.smin < 0) throw v.reject("R" + regno + " min value is negative, either use unsigned or 'var &= const'");
        if (reg.s.umin == 0 && !zeroOk) throw v.reject("R" + regno + " invalid zero-sized read: u64=[" + reg.s.umin + "," + reg.s.umax + "]");
        if (Long.compareUnsigned(reg.s.umax, InsnChecks.MAX_VAR_SIZ) >= 0) throw v.reject("R" + regno + " unbounded memory access, use 'var &= const' or 'if (var < const)'");
        boolean write = fn.arg(regno - 2) == HelperProto.Arg.UNINIT_MEM;
        helperMemAccess(v, c, regno - 1, (int) reg.s.umax, write, zeroOk, raw);
        v.precision.mark(regno);
    }

    /** check_helper_mem_access(). */
    private static void helperMemAccess(Verifier v, InsnChecks c, int regno, int size, boolean write, boolean zeroOk, StackAccess.RawMode raw) throws Verifier.Reject {
        RegState reg = v.cur.regs()[regno];
        switch (reg.type) {
            case PACKET, PACKET_META -> c.checkPacketAccess(regno, reg.off, size, zeroOk);
            case MAP_VALUE -> c.checkMapAccess(regno, reg.off, size, zeroOk);
            case STACK -> StackAccess.rangeInitialized(v, c, regno, reg.off, size, zeroOk, write, raw);
            default -> {
                if (zeroOk && size == 0 && reg.isNull()) return;
                throw v.reject("R" + regno + " type=" + reg.typeName() + " expected=fp");
            }
        }
    }

    /** get_constant_map_key(): an array lookup's key known on the stack lets the result skip its NULL check. */
    private static long constantMapKey(Verifier v, RegState key, int keySize) throws Verifier.Reject {
        if (!v.priv || key.type != RegType.STACK || !key.s.varOff.isConst()) return -1;
        long stackOff = key.off + key.s.varOff.value();
        int slot = (int) (-stackOff - 1), spi = slot / 8, off = slot % 8;
        FuncState f = v.cur.frames.get(key.frameno);
        StackSlot s = f.stack.get(spi);
        int zero = 0;
        for (int i = off; i >= 0 && s.types[i] == StackSlot.ZERO; i--) zero++;
        if (zero >= keySize) return 0;
        if (!s.isSpilledScalar()) return -1;
        int spill = 0;
        for (int i = off; i >= 0 && s.types[i] == StackSlot.SPILL; i--) spill++;
        if (spill != keySize) return -1;
        if (!s.spilled.isConst()) return -1;
        v.precision.markSlot(key.frameno, spi);
        return s.spilled.s.varOff.value();
    }
}
