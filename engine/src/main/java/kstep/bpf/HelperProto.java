package kstep.bpf;

import java.util.List;
import java.util.Map;

/**
 * The prototypes (struct bpf_func_proto) of the helpers kstep models, as the verifier checks a call
 * against them: the return type, the argument types, and which program types may call each
 * (sk_filter_func_proto(), xdp_func_proto(), bpf_base_func_proto()).
 */
record HelperProto(int id, Ret ret, List<Arg> args, boolean socketFilter, boolean xdp, boolean changesPktData) {
    enum Ret { INTEGER, VOID, MAP_VALUE_OR_NULL }

    /** enum bpf_arg_type, the ones these helpers use; {@code uninit} is MEM_UNINIT|MEM_WRITE. */
    enum Arg {
        ANYTHING, CTX, CONST_MAP_PTR, MAP_KEY, MAP_VALUE, MEM, UNINIT_MEM, CONST_SIZE, CONST_SIZE_OR_ZERO;

        boolean isSize() {
            return this == CONST_SIZE || this == CONST_SIZE_OR_ZERO;
        }
    }

    /** __BPF_FUNC_MAX_ID in Linux 6.18. */
    static final int MAX_ID = Helpers.NAMES.length;

    private static final Map<Integer, HelperProto> PROTOS = Map.ofEntries(
        e(1, Ret.MAP_VALUE_OR_NULL, true, true, Arg.CONST_MAP_PTR, Arg.MAP_KEY),
        e(2, Ret.INTEGER, true, true, Arg.CONST_MAP_PTR, Arg.MAP_KEY, Arg.MAP_VALUE, Arg.ANYTHING),
        e(3, Ret.INTEGER, true, true, Arg.CONST_MAP_PTR, Arg.MAP_KEY),
        e(5, Ret.INTEGER, true, true),
        e(6, Ret.INTEGER, true, true, Arg.MEM, Arg.CONST_SIZE),
        e(7, Ret.INTEGER, true, true),
        e(8, Ret.INTEGER, true, true),
        e(12, Ret.VOID, true, true, Arg.CTX, Arg.CONST_MAP_PTR, Arg.ANYTHING),
        e(26, Ret.INTEGER, true, false, Arg.CTX, Arg.ANYTHING, Arg.UNINIT_MEM, Arg.CONST_SIZE),
        e(42, Ret.INTEGER, true, true),
        e(46, Ret.INTEGER, true, false, Arg.CTX),
        e(47, Ret.INTEGER, true, false, Arg.CTX),
        e(68, Ret.INTEGER, true, false, Arg.CTX, Arg.ANYTHING, Arg.UNINIT_MEM, Arg.CONST_SIZE, Arg.ANYTHING),
        e(118, Ret.INTEGER, true, true),
        e(125, Ret.INTEGER, true, true),
        e(160, Ret.INTEGER, true, true),
        e(188, Ret.INTEGER, false, true, Arg.CTX));

    private static Map.Entry<Integer, HelperProto> e(int id, Ret ret, boolean sk, boolean xdp, Arg... args) {
        return Map.entry(id, new HelperProto(id, ret, List.of(args), sk, xdp, false));
    }

    /** The prototype a program of type {@code t} gets for helper {@code id}, or null (the kernel's -EINVAL). */
    static HelperProto of(int id, BpfProgram.ProgType t) {
        HelperProto p = PROTOS.get(id);
        if (p == null) return null;
        boolean ok = t == BpfProgram.ProgType.XDP ? p.xdp : p.socketFilter;
        return ok ? p : null;
    }

    Arg arg(int i) {
        return i < args.size() ? args.get(i) : null;
    }
}
