package kstep.bpf;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The BPF interpreter, with the kernel's semantics (kernel/bpf/core.c ___bpf_prog_run(), after the
 * verifier's fixups): 32-bit operations zero the upper half; shifts are masked; division by zero gives 0
 * and modulo by zero keeps the dividend; signed division by -1 negates and signed modulo by -1 gives 0;
 * 512 bytes of stack per frame, r10 read-only, bpf-to-bpf calls saving r6-r9, helper calls with r1-r5 and
 * up to 33 tail calls. One {@link #step()} is one instruction, so a trace can show every state.
 */
public final class Vm {
    public static final long STACK_BASE = 0xffffc90000000000L;
    public static final long CTX_BASE = 0xffff888100000000L;
    public static final long PACKET_BASE = 0xffff888102000000L;
    public static final long MAP_VALUES = 0xffff888110000000L;
    public static final long TEST_MEM = 0xffff888120000000L;
    public static final int STACK_SIZE = 512;
    public static final int MAX_CALL_FRAMES = 8;
    public static final int MAX_TAIL_CALL_CNT = 33;
    /** A guard for unverified programs (the kernel's verifier would have rejected a loop that never ends). */
    public static final long STEP_LIMIT = 50_000_000;

    /** The context a program gets in r1: a region, and how its fields read (XDP's data is a pointer). */
    public interface Context {
        Memory.Region region();

        /** The value a load of {@code size} bytes at {@code off} gives; by default the bytes there. */
        default long load(int off, int size) {
            return Memory.get(region().bytes(), off, size);
        }
    }

    /** How a run ended: r0 (the return value), or an error with the pc where it happened. */
    public record Result(long r0, String error, int errorPc, long steps, String log) {
        public boolean ok() {
            return error == null;
        }

        /** What BPF_PROG_TEST_RUN reports: the low 32 bits of r0. */
        public long retval() {
            return r0 & 0xffffffffL;
        }
    }

    private record Frame(BpfProgram prog, int returnPc, long[] saved, Memory.Region stack) { }

    /** A runtime error: a bad access, a bad instruction, too deep a call chain. */
    public static final class Fault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Fault(String msg) {
            super(msg);
        }
    }

    public final Memory mem = new Memory();
    final long[] r = new long[11];
    private BpfProgram prog;
    private int pc;
    private final Deque<Frame> frames = new ArrayDeque<>();
    private Memory.Region stack;
    private int tailCalls;
    private long steps;
    private boolean exited;
    private Context ctx;
    final HelperCalls helpers;
    private int nextMapValue;
    /** may_goto's budget: the kernel counts down from BPF_MAX_LOOPS (8M) per run. */
    private long mayGoto = 8 * 1024 * 1024;

    public Vm(BpfProgram p, HelperCalls helpers) {
        this.prog = p;
        this.helpers = helpers;
        this.stack = mem.add("stack[0]", STACK_BASE, new byte[STACK_SIZE], true);
        r[10] = stack.end();
    }

    /** Gives the program its context in r1. */
    public void setContext(Context c) {
        this.ctx = c;
        r[1] = c.region().base();
    }

    public Context context() {
        return ctx;
    }

    public void setReg(int i, long v) {
        r[i] = v;
    }

    public long reg(int i) {
        return r[i];
    }

    public int pc() {
        return pc;
    }

    public BpfProgram program() {
        return prog;
    }

    public boolean exited() {
        return exited;
    }

    public long steps() {
        return steps;
    }

    /** How deep the bpf-to-bpf calls are (0: the main program). */
    public int depth() {
        return frames.size();
    }

    /** The current frame's stack, 512 bytes, lowest address first. */
    public byte[] stackBytes() {
        return stack.bytes().clone();
    }

    /** A map value's memory: a new region in the map-value range. */
    Memory.Region newMapValue(String name, int size) {
        long base = MAP_VALUES + (long) nextMapValue++ * 0x1000;
        return mem.add(name, base, new byte[Math.max(1, size)], true);
    }

    /** Runs to the end; a fault becomes the result's error. */
    public Result run() {
        try {
            while (!exited) step();
            return new Result(r[0], null, -1, steps, helpers.log());
        } catch (Fault f) {
            return new Result(r[0], f.getMessage(), pc, steps, helpers.log());
        }
    }

    /** Runs one instruction (an LD_IMM64 is one, with its second slot). */
    public void step() {
        if (exited) return;
        if (++steps > STEP_LIMIT) throw new Fault("more than " + STEP_LIMIT + " instructions: the program does not end");
        List<Insn> code = prog.insns();
        if (pc < 0 || pc >= code.size()) throw new Fault("pc " + pc + " is outside the program (" + code.size() + " instructions)");
        Insn in = code.get(pc);
        switch (in.cls()) {
            case Insn.ALU64 -> alu64(in);
            case Insn.ALU -> alu32(in);
            case Insn.JMP, Insn.JMP32 -> jmp(in);
            case Insn.LDX -> ldx(in);
            case Insn.ST -> store(in, r[in.dst()] + in.off(), in.imm());
            case Insn.STX -> stx(in);
            default -> ld(in);
        }
    }

    private void writeReg(int d, long v) {
        if (d == 10) throw new Fault("frame pointer is read only");
        if (d > 10) throw new Fault("invalid register r" + d);
        r[d] = v;
    }

    private long src(Insn in) {
        if (in.src() > 10) throw new Fault("invalid register r" + in.src());
        return in.srcX() ? r[in.src()] : in.imm();
    }

    private void alu64(Insn in) {
        int d = in.dst();
        long a = r[d];
        long b = src(in);
        long v = switch (in.op()) {
            case Insn.ADD -> a + b;
            case Insn.SUB -> a - b;
            case Insn.MUL -> a * b;
            case Insn.DIV -> in.off() == 1 ? (b == 0 ? 0 : b == -1 ? -a : a / b) : (b == 0 ? 0 : Long.divideUnsigned(a, b));
            case Insn.MOD -> in.off() == 1 ? (b == 0 ? a : b == -1 ? 0 : a % b) : (b == 0 ? a : Long.remainderUnsigned(a, b));
            case Insn.OR -> a | b;
            case Insn.AND -> a & b;
            case Insn.XOR -> a ^ b;
            case Insn.LSH -> a << (b & 63);
            case Insn.RSH -> a >>> (b & 63);
            case Insn.ARSH -> a >> (b & 63);
            case Insn.NEG -> -a;
            case Insn.MOV -> switch (in.off()) {
                case 8 -> (byte) b;
                case 16 -> (short) b;
                case 32 -> (int) b;
                default -> b;
            };
            case Insn.END -> switch (in.imm()) {
                case 16 -> Short.reverseBytes((short) a) & 0xffffL;
                case 32 -> Integer.reverseBytes((int) a) & 0xffffffffL;
                case 64 -> Long.reverseBytes(a);
                default -> throw new Fault("invalid bswap width " + in.imm());
            };
            default -> throw new Fault(String.format("unknown opcode %02x", in.code()));
        };
        writeReg(d, v);
        pc++;
    }

    private void alu32(Insn in) {
        int d = in.dst();
        int a = (int) r[d];
        int b = (int) src(in);
        long v;
        switch (in.op()) {
            case Insn.END -> {
                long x = r[d];
                boolean be = in.srcX();
                v = switch (in.imm()) {
                    case 16 -> be ? Short.reverseBytes((short) x) & 0xffffL : x & 0xffffL;
                    case 32 -> be ? Integer.reverseBytes((int) x) & 0xffffffffL : x & 0xffffffffL;
                    case 64 -> be ? Long.reverseBytes(x) : x;
                    default -> throw new Fault("invalid endianness width " + in.imm());
                };
                writeReg(d, v);
                pc++;
                return;
            }
            case Insn.ADD -> v = a + b;
            case Insn.SUB -> v = a - b;
            case Insn.MUL -> v = a * b;
            case Insn.DIV -> v = in.off() == 1 ? (b == 0 ? 0 : b == -1 ? -a : a / b) : (b == 0 ? 0 : Integer.divideUnsigned(a, b));
            case Insn.MOD -> v = in.off() == 1 ? (b == 0 ? a : b == -1 ? 0 : a % b) : (b == 0 ? a : Integer.remainderUnsigned(a, b));
            case Insn.OR -> v = a | b;
            case Insn.AND -> v = a & b;
            case Insn.XOR -> v = a ^ b;
            case Insn.LSH -> v = a << (b & 31);
            case Insn.RSH -> v = a >>> (b & 31);
            case Insn.ARSH -> v = a >> (b & 31);
            case Insn.NEG -> v = -a;
            case Insn.MOV -> v = switch (in.off()) {
                case 8 -> (byte) b;
                case 16 -> (short) b;
                default -> b;
            };
            default -> throw new Fault(String.format("unknown opcode %02x", in.code()));
        }
        writeReg(d, v & 0xffffffffL);
        pc++;
    }

    private void jmp(Insn in) {
        int op = in.op();
        boolean is32 = in.cls() == Insn.JMP32;
        switch (op) {
            case Insn.EXIT -> {
                exit();
                return;
            }
            case Insn.CALL -> {
                call(in);
                return;
            }
            case Insn.JA -> {
                pc += 1 + (is32 ? in.imm() : in.off());
                return;
            }
            case Insn.JCOND -> {
                pc += 1 + (mayGoto-- > 0 ? 0 : in.off());
                return;
            }
            default -> { }
        }
        long a = r[in.dst()];
        long b = in.srcX() ? r[in.src()] : in.imm();
        if (is32) {
            a &= 0xffffffffL;
            b &= 0xffffffffL;
        }
        long sa = is32 ? (int) a : a;
        long sb = is32 ? (int) b : b;
        boolean t = switch (op) {
            case Insn.JEQ -> a == b;
            case Insn.JNE -> a != b;
            case Insn.JGT -> Long.compareUnsigned(a, b) > 0;
            case Insn.JGE -> Long.compareUnsigned(a, b) >= 0;
            case Insn.JLT -> Long.compareUnsigned(a, b) < 0;
            case Insn.JLE -> Long.compareUnsigned(a, b) <= 0;
            case Insn.JSET -> (a & b) != 0;
            case Insn.JSGT -> sa > sb;
            case Insn.JSGE -> sa >= sb;
            case Insn.JSLT -> sa < sb;
            case Insn.JSLE -> sa <= sb;
            default -> throw new Fault(String.format("unknown opcode %02x", in.code()));
        };
        pc += 1 + (t ? in.off() : 0);
    }

    private void call(Insn in) {
        if (in.src() == Insn.PSEUDO_CALL) {
            if (frames.size() + 1 >= MAX_CALL_FRAMES) throw new Fault("the call stack of " + MAX_CALL_FRAMES + " frames is too deep");
            long[] saved = {r[6], r[7], r[8], r[9], r[10]};
            frames.push(new Frame(prog, pc + 1, saved, stack));
            int depth = frames.size();
            long base = STACK_BASE + (long) depth * 0x1000;
            mem.remove(base);
            stack = mem.add("stack[" + depth + "]", base, new byte[STACK_SIZE], true);
            r[10] = stack.end();
            pc = pc + 1 + in.imm();
            return;
        }
        if (in.src() == Insn.PSEUDO_KFUNC_CALL) throw new Fault("kfunc calls are not modelled (btf id " + in.imm() + ")");
        // BPF_CALL | BPF_X (callx, register in dst): the helper id is in the register
        int id = in.srcX() ? (int) r[in.dst()] : in.imm();
        if (id == 12) {
            if (tailCall()) return;
            r[0] = 0;
            pc++;
            return;
        }
        r[0] = helpers.call(this, id, r[1], r[2], r[3], r[4], r[5]);
        pc++;
        if (helpers.stopped()) exited = true;
    }

    /** bpf_tail_call(ctx, prog_array, index): jump to the program at index, keeping the stack; false if it cannot. */
    private boolean tailCall() {
        BpfMap m = helpers.mapAt(this, r[2]);
        long index = r[3] & 0xffffffffL;
        if (m == null || m.type != BpfMap.PROG_ARRAY) throw new Fault("bpf_tail_call needs a program array in r2");
        if (index >= m.maxEntries || tailCalls >= MAX_TAIL_CALL_CNT) return false;
        BpfProgram next = m.programs.get((int) index);
        if (next == null) return false;
        tailCalls++;
        prog = next;
        pc = 0;
        return true;
    }

    private void exit() {
        if (frames.isEmpty()) {
            exited = true;
            return;
        }
        Frame f = frames.pop();
        mem.remove(stack.base());
        stack = f.stack;
        r[6] = f.saved[0];
        r[7] = f.saved[1];
        r[8] = f.saved[2];
        r[9] = f.saved[3];
        r[10] = f.saved[4];
        prog = f.prog;
        pc = f.returnPc;
    }

    private void ld(Insn in) {
        if (in.isLdImm64()) {
            List<Insn> code = prog.insns();
            if (pc + 1 >= code.size()) throw new Fault("the last instruction is the first half of ld_imm64");
            Insn hi = code.get(pc + 1);
            long v = (in.imm() & 0xffffffffL) | ((long) hi.imm() << 32);
            if (in.src() == Insn.PSEUDO_MAP_FD || in.src() == Insn.PSEUDO_MAP_IDX) v = helpers.mapPointer(this, in.imm());
            else if (in.src() == Insn.PSEUDO_MAP_VALUE || in.src() == Insn.PSEUDO_MAP_IDX_VALUE) v = helpers.mapValuePointer(this, in.imm(), hi.imm());
            writeReg(in.dst(), v);
            pc += 2;
            return;
        }
        if (in.mode() == Insn.ABS || in.mode() == Insn.IND) {
            // legacy packet loads: big-endian, from the packet's start; out of range ends the program with 0
            long off = in.imm() + (in.mode() == Insn.IND ? (int) r[in.src()] : 0);
            int n = Insn.bytes(in.size());
            byte[] p = helpers.packet();
            if (p == null || off < 0 || off + n > p.length) {
                r[0] = 0;
                exited = true;
                return;
            }
            long v = 0;
            for (int i = 0; i < n; i++) v = (v << 8) | (p[(int) off + i] & 0xff);
            r[0] = v;
            pc++;
            return;
        }
        throw new Fault(String.format("unknown opcode %02x", in.code()));
    }

    private long load(long addr, int n) {
        Memory.Region reg = mem.find(addr, n);
        if (reg == null) throw new Fault(String.format("invalid read of %d bytes at 0x%x", n, addr));
        int at = (int) (addr - reg.base());
        if (ctx != null && reg == ctx.region()) return ctx.load(at, n);
        return Memory.get(reg.bytes(), at, n);
    }

    /** n bytes at addr, for a helper that reads the program's memory (a key, a format string). */
    public byte[] readBytes(long addr, int n) {
        Memory.Region reg = mem.find(addr, Math.max(n, 1));
        if (reg == null) throw new Fault(String.format("a helper's read of %d bytes at 0x%x is outside the program's memory", n, addr));
        int at = (int) (addr - reg.base());
        return java.util.Arrays.copyOfRange(reg.bytes(), at, at + n);
    }

    public void writeBytes(long addr, byte[] b) {
        Memory.Region reg = mem.find(addr, Math.max(b.length, 1));
        if (reg == null || !reg.writable()) throw new Fault(String.format("a helper's write of %d bytes at 0x%x is outside the program's memory", b.length, addr));
        System.arraycopy(b, 0, reg.bytes(), (int) (addr - reg.base()), b.length);
    }

    private void storeBytes(long addr, int n, long v) {
        Memory.Region reg = mem.find(addr, n);
        if (reg == null || !reg.writable()) throw new Fault(String.format("invalid write of %d bytes at 0x%x", n, addr));
        Memory.put(reg.bytes(), (int) (addr - reg.base()), n, v);
    }

    private void ldx(Insn in) {
        int n = Insn.bytes(in.size());
        long v = load(r[in.src()] + in.off(), n);
        if (in.mode() == Insn.MEMSX) {
            v = switch (n) {
                case 1 -> (byte) v;
                case 2 -> (short) v;
                case 4 -> (int) v;
                default -> v;
            };
        } else if (in.mode() != Insn.MEM) {
            throw new Fault(String.format("unknown opcode %02x", in.code()));
        }
        writeReg(in.dst(), v);
        pc++;
    }

    private void store(Insn in, long addr, long v) {
        if (in.mode() != Insn.MEM) throw new Fault(String.format("unknown opcode %02x", in.code()));
        storeBytes(addr, Insn.bytes(in.size()), v);
        pc++;
    }

    private void stx(Insn in) {
        long addr = r[in.dst()] + in.off();
        if (in.mode() == Insn.MEM) {
            store(in, addr, r[in.src()]);
            return;
        }
        if (in.mode() != Insn.ATOMIC || (in.size() != Insn.W && in.size() != Insn.DW && in.imm() < 0x100))
            throw new Fault(String.format("unknown opcode %02x", in.code()));
        int n = Insn.bytes(in.size());
        long mask = n == 8 ? -1L : (1L << (8 * n)) - 1;
        int op = in.imm();
        if (op == Insn.LOAD_ACQ) {
            writeReg(in.dst(), load(r[in.src()] + in.off(), n));
            pc++;
            return;
        }
        if (op == Insn.STORE_REL) {
            storeBytes(addr, n, r[in.src()]);
            pc++;
            return;
        }
        long old = load(addr, n);
        long s = r[in.src()];
        switch (op) {
            case Insn.ADD, Insn.ADD | Insn.FETCH -> storeBytes(addr, n, old + s);
            case Insn.OR, Insn.OR | Insn.FETCH -> storeBytes(addr, n, old | s);
            case Insn.AND, Insn.AND | Insn.FETCH -> storeBytes(addr, n, old & s);
            case Insn.XOR, Insn.XOR | Insn.FETCH -> storeBytes(addr, n, old ^ s);
            case Insn.XCHG -> storeBytes(addr, n, s);
            case Insn.CMPXCHG -> {
                if ((r[0] & mask) == old) storeBytes(addr, n, s);
                r[0] = old;
                pc++;
                return;
            }
            default -> throw new Fault(String.format("unknown atomic operation 0x%x", op));
        }
        if ((op & Insn.FETCH) != 0) writeReg(in.src(), old);
        pc++;
    }

    public static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b) s.append(String.format("%02x", x & 0xff));
        return s.toString();
    }

    /** The registers r0-r10. */
    public long[] registers() {
        return r.clone();
    }

    /** The bpf-to-bpf call chain: the return pcs, outermost first. */
    public List<Integer> callChain() {
        List<Integer> l = new ArrayList<>();
        for (Frame f : frames) l.add(0, f.returnPc);
        return l;
    }
}
