package kstep.bpf;

import java.util.List;

/**
 * A program as kstep loads it: its instruction slots, its type (socket_filter, xdp or a test's plain
 * program), its name, and the maps its LD_IMM64 map references index ({@code src_reg} PSEUDO_MAP_FD with
 * the map's position as imm, as an ELF loader leaves them).
 */
public record BpfProgram(String name, ProgType type, List<Insn> insns, List<BpfMap> maps) {
    public BpfProgram {
        insns = List.copyOf(insns);
        maps = List.copyOf(maps);
    }

    public BpfProgram(String name, ProgType type, List<Insn> insns) {
        this(name, type, insns, List.of());
    }

    /** The program types kstep runs. */
    public enum ProgType {
        SOCKET_FILTER("socket_filter", 1), XDP("xdp", 6), RAW("raw", 0);

        public final String id;
        /** enum bpf_prog_type */
        public final int kernelType;

        ProgType(String id, int kernelType) {
            this.id = id;
            this.kernelType = kernelType;
        }

        public static ProgType of(String s) {
            for (ProgType t : values()) if (t.id.equals(s)) return t;
            throw new IllegalArgumentException("program type is socket_filter or xdp, not '" + s + "'");
        }
    }

    public BpfProgram withType(ProgType t) {
        return new BpfProgram(name, t, insns, maps);
    }
}
