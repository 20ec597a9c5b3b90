package kstep.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import kstep.lang.SourceError;

/** The clang-compiled sample objects in samples/bpf: sections, maps, relocations, and damaged files. */
class ElfObjectTest {
    static byte[] sample(String name) throws Exception {
        return Files.readAllBytes(Path.of("../samples/bpf/" + name));
    }

    /** An IPv4/UDP packet to port {@code port}. */
    static byte[] udp(int port) {
        byte[] p = new byte[42];
        p[12] = 0x08;
        p[14] = 0x45;
        p[23] = 17;
        p[36] = (byte) (port >> 8);
        p[37] = (byte) port;
        return p;
    }

    @Test
    void mapsAndTheirRelocationsBecomeMapReferences() throws Exception {
        ElfObject.Result o = ElfObject.read("count_protocols.o", sample("count_protocols.o"));
        assertEquals(List.of("counts", "last_len"), o.maps().stream().map(m -> m.name).toList());
        assertEquals(BpfMap.ARRAY, o.maps().get(0).type);
        assertEquals(256, o.maps().get(0).maxEntries);
        BpfProgram p = o.programs().get(0);
        assertEquals("socket", p.name());
        assertTrue(p.insns().stream().anyMatch(i -> i.isLdImm64() && i.src() == Insn.PSEUDO_MAP_FD && i.imm() == 1));
        Vm.Result r = TestRun.run(p, udp(53), 1);
        assertEquals(28, r.retval(), "the packet's length after the Ethernet header");
        assertEquals("0100000000000000", o.maps().get(0).dump().get("11000000"), "one UDP packet counted");
    }

    @Test
    void btfDefinedMapsAreReadFromTheObjectsBtf() throws Exception {
        ElfObject.Result o = ElfObject.read("port_counts.o", sample("port_counts.o"));
        BpfMap ports = o.maps().get(0);
        assertEquals("ports", ports.name);
        assertEquals(BpfMap.HASH, ports.type);
        assertEquals(List.of(2, 16, 64), List.of(ports.keySize, ports.valueSize, ports.maxEntries), "__u16 key, struct port_stats value");
        Vm.Result r = TestRun.run(o.programs().get(0), udp(53), 1);
        assertEquals(28, r.retval());
        assertEquals("{0035=01000000000000001c00000000000000}", ports.dump().toString(), "port 53 (big-endian in the key): 1 packet, 28 bytes");
    }

    @Test
    void aCallIntoTextAppendsTheSubprogram() throws Exception {
        BpfProgram p = ElfObject.read("xdp_filter.o", sample("xdp_filter.o")).programs().get(0);
        assertEquals(BpfProgram.ProgType.XDP, p.type());
        assertEquals(Insn.PSEUDO_CALL, p.insns().get(2).src());
        assertEquals(1, TestRun.run(p, udp(9), 1).retval(), "XDP_DROP for the discard port");
        assertEquals(2, TestRun.run(p, udp(53), 1).retval(), "XDP_PASS otherwise");
    }

    @Test
    void aDamagedObjectIsAnErrorNamingTheFile() throws Exception {
        byte[] b = sample("checksum.o");
        byte[] cut = Arrays.copyOf(b, b.length / 2);
        SourceError e = assertThrows(SourceError.class, () -> ElfObject.read("half.o", cut));
        assertTrue(e.getMessage().startsWith("half.o:1:1: error: not a BPF object: "), e.getMessage());
        byte[] notBpf = b.clone();
        notBpf[18] = 62;
        assertEquals("x.o:1:1: error: not a BPF object: e_machine is 62, not EM_BPF (247)",
            assertThrows(SourceError.class, () -> ElfObject.read("x.o", notBpf)).getMessage());
    }
}
