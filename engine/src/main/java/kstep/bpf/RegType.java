package kstep.bpf;

/** enum bpf_reg_type for the registers of the programs kstep verifies, with the names the log gives them (reg_type_str()). */
public enum RegType {
    NOT_INIT("?"),
    SCALAR("scalar"),
    CTX("ctx"),
    CONST_PTR_TO_MAP("map_ptr"),
    MAP_VALUE("map_value"),
    MAP_KEY("map_key"),
    STACK("fp"),
    PACKET_META("pkt_meta"),
    PACKET("pkt"),
    PACKET_END("pkt_end"),
    MEM("mem"),
    SOCK_COMMON("sock_common");

    public final String logName;

    RegType(String logName) {
        this.logName = logName;
    }

    public boolean isPointer() {
        return this != NOT_INIT && this != SCALAR;
    }

    /** reg_is_pkt_pointer(): data or data_meta, the two a program may move and compare with data_end. */
    public boolean isPacket() {
        return this == PACKET || this == PACKET_META;
    }

    /** type_is_map_ptr() of base_type(): the types that print the map's key and value sizes. */
    public boolean isMapPtr() {
        return this == CONST_PTR_TO_MAP || this == MAP_VALUE || this == MAP_KEY;
    }
}
