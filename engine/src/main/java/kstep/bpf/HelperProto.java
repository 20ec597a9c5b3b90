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

    /**
     * The helpers a socket filter gets only with CAP_BPF or CAP_PERFMON (bpf_base_func_proto()'s capable parts), as
     * Linux 6.18.44 answered for each of the 211 ids loaded as root and as nobody.
     */
    static final java.util.Set<Integer> ROOT_ONLY = java.util.Set.of(6, 16, 17, 22, 35, 37, 55, 80, 93, 94, 109, 112, 113, 114, 115, 117, 118, 123,
        136, 137, 138, 139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 191, 194, 196,
        197, 198, 199, 200, 201, 202, 203, 209, 210, 211);

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
        e(188, Ret.INTEGER, false, true, Arg.CTX),
        e(23, Ret.INTEGER, false, true, Arg.ANYTHING, Arg.ANYTHING),
        e(189, Ret.INTEGER, false, true, Arg.CTX, Arg.ANYTHING, Arg.UNINIT_MEM, Arg.CONST_SIZE),
        e(190, Ret.INTEGER, false, true, Arg.CTX, Arg.ANYTHING, Arg.MEM, Arg.CONST_SIZE),
        pkt(44, Arg.CTX, Arg.ANYTHING),
        pkt(54, Arg.CTX, Arg.ANYTHING),
        pkt(65, Arg.CTX, Arg.ANYTHING));

    /** A helper that moves the packet's data: every packet pointer is invalid after the call. */
    private static Map.Entry<Integer, HelperProto> pkt(int id, Arg... args) {
        return Map.entry(id, new HelperProto(id, Ret.INTEGER, List.of(args), false, true, true));
    }

    private static Map.Entry<Integer, HelperProto> e(int id, Ret ret, boolean sk, boolean xdp, Arg... args) {
        return Map.entry(id, new HelperProto(id, ret, List.of(args), sk, xdp, false));
    }

    /** The prototype a program of type {@code t} gets for helper {@code id}, or null (the kernel's -EINVAL). */
    static HelperProto of(int id, BpfProgram.ProgType t) {
        return of(id, t, true);
    }

    /** As {@link #of(int, BpfProgram.ProgType)}; without CAP_BPF and CAP_PERFMON a few of bpf_base_func_proto()'s are missing. */
    static HelperProto of(int id, BpfProgram.ProgType t, boolean priv) {
        HelperProto p = PROTOS.get(id);
        if (p == null) return null;
        if (!priv && ROOT_ONLY.contains(id)) return null;
        boolean ok = t == BpfProgram.ProgType.XDP ? p.xdp : p.socketFilter;
        return ok ? p : null;
    }

    /** The prototype of helper {@code id} whatever the program type, or null when kstep has none. */
    static HelperProto proto(int id) {
        return PROTOS.get(id);
    }

    Arg arg(int i) {
        return i < args.size() ? args.get(i) : null;
    }
}
