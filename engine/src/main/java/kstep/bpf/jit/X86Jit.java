package kstep.bpf.jit;

import java.util.ArrayList;
import java.util.List;

import kstep.bpf.Insn;

/**
 * The x86-64 BPF JIT of Linux 6.18 on this machine's configuration (bpf_jit_enable=1, no hardening, no IBT
 * or CFI, BMI2, return thunks, no call depth accounting), following arch/x86/net/bpf_jit_comp.c: do_jit()
 * for each function of the xlated program (the main program, then each subprogram, as jit_subprogs() and
 * the image bpf_prog_info reports them), repeated until the image stops shrinking (bpf_int_jit_compile()'s
 * passes, with jump padding after 15). Calls and the final jump to the return thunk leave the image: their
 * displacements are the kernel's business and are marked {@code external}.
 */
public final class X86Jit {
    private static final int MAX_PASSES = 20, PADDING_PASSES = MAX_PASSES - 5;

    /**
     * What one BPF instruction became ({@code insn} -1 is a function's prologue), at {@code offset} in the
     * image: its machine instructions' lengths and texts.
     */
    public record Line(int insn, int offset, byte[] bytes, List<Integer> lengths, List<String> intel, List<String> att) { }

    /** The image, its listing, and the offsets of the rel32 fields that point outside it. */
    public record Image(byte[] bytes, List<Line> listing, List<Integer> externalRel32) {
        public String hex() {
            StringBuilder b = new StringBuilder();
            for (byte x : bytes) b.append(String.format("%02x", x & 0xff));
            return b.toString();
        }
    }

    /** A function to JIT: instructions [start, end) of the program and its verifier stack depth. */
    public record Function(int start, int end, int stackDepth) { }

    /** Why the JIT cannot compile a program (bpf_jit_compile() falling back, or kstep not modelling it). */
    public static final class JitError extends RuntimeException {
        JitError(String m) {
            super(m);
        }
    }

    /** BPF_REG_PARAMS: a memory access based on R11 is a stack argument (the kernel never bases one on BPF_REG_AX). */
    private static final int STACK_ARGS_REG = 11;

    static boolean stackArgStore(Insn x) {
        return (x.cls() == Insn.STX || x.cls() == Insn.ST) && x.mode() == Insn.MEM && x.dst() == STACK_ARGS_REG;
    }

    private final List<Insn> insns;

    private X86Jit(List<Insn> insns) {
        this.insns = insns;
    }

    /**
     * JITs {@code xlated} (the program after the verifier's rewrites: a pseudo call's target is off + 1
     * instructions on, as in the kernel's xlated dump) as the functions {@code functions}, main first.
     */
    public static Image compile(List<Insn> xlated, List<Function> functions) {
        X86Jit j = new X86Jit(xlated);
        List<Line> listing = new ArrayList<>();
        List<Integer> ext = new ArrayList<>();
        java.io.ByteArrayOutputStream img = new java.io.ByteArrayOutputStream();
        for (int f = 0; f < functions.size(); f++) {
            FunctionJit fj = j.new FunctionJit(functions.get(f), f > 0);
            fj.converge(img.size());
            for (Line l : fj.lines) {
                listing.add(l);
                img.writeBytes(l.bytes());
            }
            ext.addAll(fj.external);
        }
        return new Image(img.toByteArray(), listing, ext);
    }

    /** The functions of a program whose subprograms start at {@code starts} (the main program's 0 first). */
    public static List<Function> functions(List<Integer> starts, List<Integer> stackDepths, int len) {
        List<Function> out = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) out.add(new Function(starts.get(i), i + 1 < starts.size() ? starts.get(i + 1) : len, stackDepths.get(i)));
        return out;
    }

    /** do_jit() for one function, pass after pass. */
    private final class FunctionJit {
        final Function fn;
        final boolean subprog;
        final int n;
        /** addrs[i]: where instruction i of the function ends, as do_jit() keeps it (addrs[0] is the prologue's end). */
        final int[] addrs;
        final boolean[] calleeRegs = new boolean[4];
        final List<Line> lines = new ArrayList<>();
        final List<Integer> external = new ArrayList<>();
        int cleanupAddr;
        int base;
        /** Outgoing stack-argument slots this function stores (the stack-args variant): slot 0 goes in r9, the others below the pushes. */
        int outgoing;

        FunctionJit(Function fn, boolean subprog) {
            this.fn = fn;
            this.subprog = subprog;
            this.n = fn.end() - fn.start();
            this.addrs = new int[n + 1];
            for (int i = fn.start(); i < fn.end(); i++) {
                Insn x = insns.get(i);
                for (int r : new int[] {x.dst(), x.src()}) if (r >= 6 && r <= 9) calleeRegs[r - 6] = true;
                if (stackArgStore(x)) outgoing = Math.max(outgoing, -x.off() / 8);
            }
        }

        /** bpf_int_jit_compile()'s passes: from 64 bytes an instruction down to a fixed point, then the image. */
        void converge(int imageBase) {
            int proglen = 0;
            for (int i = 0; i <= n; i++) {
                proglen += 64;
                addrs[i] = proglen;
            }
            cleanupAddr = proglen;
            int old = 0;
            boolean padding = false;
            for (int pass = 0; ; pass++) {
                if (!padding && pass >= PADDING_PASSES) padding = true;
                proglen = doJit(padding, -1);
                if (proglen == old) break;
                if (pass >= MAX_PASSES) throw new JitError("bpf_jit: proglen=" + proglen + " != oldproglen=" + old);
                old = proglen;
            }
            base = imageBase;
            doJit(padding, imageBase);
        }

        private X86Asm.MInsn[] prologue(X86Asm a) {
            a.nops(5);
            a.nops(3);
            a.emit("push rbp", "push %rbp", 0x55);
            a.emit("mov rbp,rsp", "mov %rsp,%rbp", 0x48, 0x89, 0xE5);
            if (fn.stackDepth() > 0) {
                int d = (fn.stackDepth() + 7) / 8 * 8;
                a.emit("sub rsp," + X86Asm.imm(d, 64), "sub $" + X86Asm.imm(d, 64) + ",%rsp", X86Asm.cat(new int[] {0x48, 0x81, 0xEC}, X86Asm.le32(d)));
            }
            pushCalleeRegs(a);
            if (outgoing > 1) {
                int d = 8 * (outgoing - 1);
                a.emit("sub rsp," + X86Asm.imm(d, 64), "sub $" + X86Asm.imm(d, 64) + ",%rsp", 0x48, 0x83, 0xEC, d);
            }
            return a.out.toArray(new X86Asm.MInsn[0]);
        }

        private void pushCalleeRegs(X86Asm a) {
            if (calleeRegs[0]) a.emit("push rbx", "push %rbx", 0x53);
            if (calleeRegs[1]) a.emit("push r13", "push %r13", 0x41, 0x55);
            if (calleeRegs[2]) a.emit("push r14", "push %r14", 0x41, 0x56);
            if (calleeRegs[3]) a.emit("push r15", "push %r15", 0x41, 0x57);
        }

        private void popCalleeRegs(X86Asm a) {
            if (calleeRegs[3]) a.emit("pop r15", "pop %r15", 0x41, 0x5F);
            if (calleeRegs[2]) a.emit("pop r14", "pop %r14", 0x41, 0x5E);
            if (calleeRegs[1]) a.emit("pop r13", "pop %r13", 0x41, 0x5D);
            if (calleeRegs[0]) a.emit("pop rbx", "pop %rbx", 0x5B);
        }

        /** One pass; with {@code imageBase} >= 0 it also records the lines (the final pass). */
        int doJit(boolean padding, int imageBase) {
            X86Asm a = new X86Asm();
            boolean seenExit = false;
            boolean last = imageBase >= 0;
            if (last) {
                lines.clear();
                external.clear();
            }
            prologue(a);
            int proglen = a.size();
            if (last) record(-1, proglen - a.size(), a, imageBase);
            addrs[0] = proglen;
            for (int k = 1; k <= n; k++) {
                int idx = fn.start() + k - 1;
                Insn in = insns.get(idx);
                a.reset();
                int start = proglen;
                boolean twoSlots = in.isLdImm64();
                seenExit = insn(a, in, idx, k, padding, seenExit, proglen, imageBase);
                proglen += a.size();
                if (last) record(idx, start, a, imageBase);
                addrs[k] = proglen;
                if (twoSlots) {
                    k++;
                    addrs[k] = proglen;
                }
            }
            return proglen;
        }

        private void record(int idx, int start, X86Asm a, int imageBase) {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            List<String> intel = new ArrayList<>(), att = new ArrayList<>();
            List<Integer> lengths = new ArrayList<>();
            int pos = imageBase + start;
            int insnStart = pos;
            for (X86Asm.MInsn m : a.out) {
                if (m.external()) external.add(pos + m.bytes().length - 4);
                b.writeBytes(m.bytes());
                lengths.add(m.bytes().length);
                intel.add(local(m.intel(), insnStart));
                att.add(local(m.att(), insnStart));
                pos += m.bytes().length;
            }
            lines.add(new Line(idx, imageBase + start, b.toByteArray(), lengths, intel, att));
        }

        /** "jne @5" (a jump within the instruction's own code, 5 bytes into it) with the image offset it means. */
        private String local(String text, int insnStart) {
            int at = text.indexOf('@');
            if (at < 0) return text;
            return text.substring(0, at) + "0x" + Integer.toHexString(insnStart + Integer.parseInt(text.substring(at + 1)));
        }

        /** The image offset a jump to the end of function instruction {@code k} (1-based, as addrs[]) lands on, for the text. */
        private String target(int imageBase, int addr) {
            return "0x" + Integer.toHexString(Math.max(imageBase, 0) + addr);
        }

        private boolean insn(X86Asm a, Insn in, int idx, int k, boolean padding, boolean seenExit, int proglen, int imageBase) {
            int code = in.code(), cls = in.cls(), op = in.op();
            int dst = in.dst(), src = in.src(), imm = in.imm();
            boolean is64 = cls == Insn.ALU64;
            String d64 = X86Asm.name(dst, 64), s64 = X86Asm.name(src, 64);
            int bits = is64 ? 64 : 32;
            String dn = X86Asm.name(dst, bits), sn = X86Asm.name(src, bits);
            if (cls == Insn.ALU || cls == Insn.ALU64) {
                boolean x = in.srcX();
                switch (op) {
                    case Insn.ADD, Insn.SUB, Insn.AND, Insn.OR, Insn.XOR -> {
                        String mn = switch (op) {
                            case Insn.ADD -> "add";
                            case Insn.SUB -> "sub";
                            case Insn.AND -> "and";
                            case Insn.OR -> "or";
                            default -> "xor";
                        };
                        if (x) {
                            int b2 = switch (op) {
                                case Insn.ADD -> 0x01;
                                case Insn.SUB -> 0x29;
                                case Insn.AND -> 0x21;
                                case Insn.OR -> 0x09;
                                default -> 0x31;
                            };
                            a.emit(mn + " " + dn + "," + sn, mn + " %" + sn + ",%" + dn, X86Asm.cat(X86Asm.rex2(dst, src, is64), b2, X86Asm.add2reg(0xC0, dst, src)));
                        } else {
                            int b3 = switch (op) {
                                case Insn.ADD -> 0xC0;
                                case Insn.SUB -> 0xE8;
                                case Insn.AND -> 0xE0;
                                case Insn.OR -> 0xC8;
                                default -> 0xF0;
                            };
                            int b2 = switch (op) {
                                case Insn.ADD -> 0x05;
                                case Insn.SUB -> 0x2D;
                                case Insn.AND -> 0x25;
                                case Insn.OR -> 0x0D;
                                default -> 0x35;
                            };
                            int[] rex = X86Asm.rex1(dst, is64);
                            String t = X86Asm.imm(imm, bits);
                            if (X86Asm.imm8(imm)) a.emit(mn + " " + dn + "," + t, mn + " $" + t + ",%" + dn, X86Asm.cat(rex, 0x83, X86Asm.add1reg(b3, dst), imm & 0xff));
                            else if (dst == 0) a.emit(mn + " " + dn + "," + t, mn + " $" + t + ",%" + dn, X86Asm.cat(X86Asm.cat(rex, b2), X86Asm.le32(imm)));
                            else a.emit(mn + " " + dn + "," + t, mn + " $" + t + ",%" + dn, X86Asm.cat(X86Asm.cat(rex, 0x81, X86Asm.add1reg(b3, dst)), X86Asm.le32(imm)));
                        }
                    }
                    case Insn.MOV -> {
                        if (!x) {
                            a.movImm32(is64, dst, imm);
                        } else if (in.off() == 0) {
                            a.movReg(is64, dst, src);
                        } else if (in.off() == 1 && is64) {
                            throw new JitError("kstep's JIT does not model addr_space_cast (arenas)");
                        } else if (in.off() == -1 && is64) {
                            // BPF_ADDR_PERCPU (an inlined per-CPU access): add this CPU's offset from gs:[this_cpu_off],
                            // whose address is the kernel's, like a call's displacement
                            a.mov64(dst, src);
                            a.emit(true, "add " + d64 + ",QWORD PTR gs:<this_cpu_off>", "add %gs:<this_cpu_off>,%" + d64,
                                0x65, X86Asm.add1mod(0x48, dst), 0x03, X86Asm.add2reg(0x04, 0, dst), 0x25, 0, 0, 0, 0);
                        } else {
                            movsx(a, in.off(), is64, dst, src);
                        }
                    }
                    case Insn.NEG -> a.emit("neg " + dn, "neg %" + dn, X86Asm.cat(X86Asm.rex1(dst, is64), 0xF7, X86Asm.add1reg(0xD8, dst)));
                    case Insn.DIV, Insn.MOD -> div(a, in, is64);
                    case Insn.MUL -> {
                        if (!x) {
                            int[] rex = X86Asm.rex2(dst, dst, is64);
                            String t = X86Asm.imm(imm, bits);
                            if (X86Asm.imm8(imm)) a.emit("imul " + dn + "," + dn + "," + t, "imul $" + t + ",%" + dn + ",%" + dn, X86Asm.cat(rex, 0x6B, X86Asm.add2reg(0xC0, dst, dst), imm & 0xff));
                            else a.emit("imul " + dn + "," + dn + "," + t, "imul $" + t + ",%" + dn + ",%" + dn, X86Asm.cat(X86Asm.cat(rex, 0x69, X86Asm.add2reg(0xC0, dst, dst)), X86Asm.le32(imm)));
                        } else {
                            a.emit("imul " + dn + "," + sn, "imul %" + sn + ",%" + dn, X86Asm.cat(X86Asm.rex2(src, dst, is64), 0x0F, 0xAF, X86Asm.add2reg(0xC0, src, dst)));
                        }
                    }
                    case Insn.LSH, Insn.RSH, Insn.ARSH -> shift(a, in, is64);
                    case Insn.END -> end(a, in);
                    default -> throw new JitError("bpf_jit: unknown opcode " + String.format("%02x", code));
                }
                return seenExit;
            }
            switch (cls) {
                case Insn.LD -> {
                    if (code != Insn.LD_IMM64) throw new JitError("bpf_jit: unknown opcode " + String.format("%02x", code));
                    a.movImm64(dst, insns.get(idx + 1).imm(), imm);
                }
                case Insn.LDX -> {
                    if (in.src() == STACK_ARGS_REG) {
                        stackArgLoad(a, in);
                        break;
                    }
                    if (in.mode() != Insn.MEM && in.mode() != Insn.MEMSX) throw new JitError("kstep's JIT does not model BPF_PROBE loads");
                    a.ldx(Insn.bytes(in.size()), in.mode() == Insn.MEMSX, dst, src, in.off());
                }
                case Insn.ST -> {
                    if (stackArgStore(in)) {
                        stackArgStoreImm(a, in);
                        break;
                    }
                    if (code == (Insn.ST | 0xc0)) {
                        a.emit("lfence", "lfence", 0x0F, 0xAE, 0xE8);
                        break;
                    }
                    st(a, in);
                }
                case Insn.STX -> {
                    if (stackArgStore(in)) stackArgStoreReg(a, in);
                    else if (in.mode() == Insn.MEM) a.stx(Insn.bytes(in.size()), dst, src, in.off());
                    else if (in.mode() == Insn.ATOMIC) atomic(a, in);
                    else throw new JitError("bpf_jit: unknown opcode " + String.format("%02x", code));
                }
                default -> {
                    return jmp(a, in, idx, k, padding, seenExit, proglen, imageBase);
                }
            }
            return seenExit;
        }

        /**
         * The stack-args variant's outgoing argument 6 + s: r9 for s = 0 (the series' choice), and for the others a
         * slot at [rsp + 8(s-1)] below the pushes, where a call leaves it above the return address. kstep's
         * layout, not one checked against the series.
         */
        private void stackArgStoreReg(X86Asm a, Insn in) {
            int s = -in.off() / 8 - 1;
            if (s == 0) {
                a.mov64(X86Asm.R9, in.src());
                return;
            }
            String sn = X86Asm.name(in.src(), 64);
            int d = 8 * (s - 1);
            a.emit("mov QWORD PTR [rsp+" + X86Asm.disp(d) + "]," + sn, "mov %" + sn + "," + X86Asm.disp(d) + "(%rsp)",
                X86Asm.add2mod(0x48, 4, in.src()) & ~1, 0x89, 0x44 | (X86Asm.hex(in.src()) << 3), 0x24, d);
        }

        private void stackArgStoreImm(X86Asm a, Insn in) {
            int s = -in.off() / 8 - 1;
            if (s == 0) {
                a.movImm64(X86Asm.R9, in.imm() >> 31, in.imm());
                return;
            }
            int d = 8 * (s - 1);
            String t = X86Asm.imm(in.imm(), 64);
            a.emit("mov QWORD PTR [rsp+" + X86Asm.disp(d) + "]," + t, "movq $" + t + "," + X86Asm.disp(d) + "(%rsp)",
                X86Asm.cat(new int[] {0x48, 0xC7, 0x44, 0x24, d}, X86Asm.le32(in.imm())));
        }

        /** The callee's incoming argument 6 + s: r9, or the caller's slot above the return address, [rbp + 16 + 8(s-1)]. */
        private void stackArgLoad(X86Asm a, Insn in) {
            int s = in.off() / 8 - 1;
            if (s == 0) {
                a.mov64(in.dst(), X86Asm.R9);
                return;
            }
            a.ldx(8, false, in.dst(), 10, 16 + 8 * (s - 1));
        }

        /** emit_movsx_reg(). */
        private void movsx(X86Asm a, int numBits, boolean is64, int dst, int src) {
            String sn = X86Asm.name(src, numBits), dn = X86Asm.name(dst, is64 ? 64 : 32);
            if (is64) {
                if (numBits == 8) a.emit("movsx " + dn + "," + sn, "movsbq %" + sn + ",%" + dn, X86Asm.add2mod(0x48, src, dst), 0x0f, 0xbe, X86Asm.add2reg(0xC0, src, dst));
                else if (numBits == 16) a.emit("movsx " + dn + "," + sn, "movswq %" + sn + ",%" + dn, X86Asm.add2mod(0x48, src, dst), 0x0f, 0xbf, X86Asm.add2reg(0xC0, src, dst));
                else a.emit("movsxd " + dn + "," + sn, "movslq %" + sn + ",%" + dn, X86Asm.add2mod(0x48, src, dst), 0x63, X86Asm.add2reg(0xC0, src, dst));
            } else if (numBits == 8) {
                // the REX byte is always there; objdump calls it "rex" when no register needed it
                int rex = X86Asm.add2mod(0x40, src, dst);
                String p = rex == 0x40 && X86Asm.x86(src) < 4 ? "rex " : "";
                a.emit(p + "movsx " + dn + "," + sn, p + "movsbl %" + sn + ",%" + dn, rex, 0x0f, 0xbe, X86Asm.add2reg(0xC0, src, dst));
            } else {
                int[] rex = X86Asm.ereg(dst) || X86Asm.ereg(src) ? new int[] {X86Asm.add2mod(0x40, src, dst)} : new int[0];
                a.emit("movsx " + dn + "," + sn, "movswl %" + sn + ",%" + dn, X86Asm.cat(rex, X86Asm.add2mod(0x0f, src, dst), 0xbf, X86Asm.add2reg(0xC0, src, dst)));
            }
        }

        /** The div/mod sequence: rax and rdx saved unless they are dst, the divisor in r11 unless it can stay. */
        private void div(X86Asm a, Insn in, boolean is64) {
            int dst = in.dst(), src = in.src();
            if (dst != 0) a.emit("push rax", "push %rax", 0x50);
            if (dst != 3) a.emit("push rdx", "push %rdx", 0x52);
            if (in.srcX()) {
                if (src == 0 || src == 3) {
                    a.mov64(X86Asm.AUX, src);
                    src = X86Asm.AUX;
                }
            } else {
                String t = X86Asm.imm(in.imm(), 64);
                a.emit("mov r11," + t, "mov $" + t + ",%r11", X86Asm.cat(new int[] {0x49, 0xC7, 0xC3}, X86Asm.le32(in.imm())));
                src = X86Asm.AUX;
            }
            if (dst != 0) a.movReg(is64, 0, dst);
            String sn = X86Asm.name(src, is64 ? 64 : 32);
            if (in.off() == 0) {
                a.emit("xor edx,edx", "xor %edx,%edx", 0x31, 0xd2);
                a.emit("div " + sn, "div %" + sn, X86Asm.cat(X86Asm.rex1(src, is64), 0xF7, X86Asm.add1reg(0xF0, src)));
            } else {
                if (is64) a.emit("cqo", "cqto", 0x48, 0x99);
                else a.emit("cdq", "cltd", 0x99);
                a.emit("idiv " + sn, "idiv %" + sn, X86Asm.cat(X86Asm.rex1(src, is64), 0xF7, X86Asm.add1reg(0xF8, src)));
            }
            if (in.op() == Insn.MOD && dst != 3) a.movReg(is64, dst, 3);
            else if (in.op() == Insn.DIV && dst != 0) a.movReg(is64, dst, 0);
            if (dst != 3) a.emit("pop rdx", "pop %rdx", 0x5A);
            if (dst != 0) a.emit("pop rax", "pop %rax", 0x58);
        }

        private void shift(X86Asm a, Insn in, boolean is64) {
            int dst = in.dst(), src = in.src(), op = in.op();
            String mn = op == Insn.LSH ? "shl" : op == Insn.RSH ? "shr" : "sar";
            int b3 = op == Insn.LSH ? 0xE0 : op == Insn.RSH ? 0xE8 : 0xF8;
            int bits = is64 ? 64 : 32;
            if (!in.srcX()) {
                int[] rex = X86Asm.rex1(dst, is64);
                String dn = X86Asm.name(dst, bits);
                if (in.imm() == 1) a.emit(mn + " " + dn + ",1", mn + " %" + dn, X86Asm.cat(rex, 0xD1, X86Asm.add1reg(b3, dst)));
                else a.emit(mn + " " + dn + "," + X86Asm.imm(in.imm() & 0xff, 8), mn + " $" + X86Asm.imm(in.imm() & 0xff, 8) + ",%" + dn, X86Asm.cat(rex, 0xC1, X86Asm.add1reg(b3, dst), in.imm() & 0xff));
                return;
            }
            if (src != 4) {
                // BMI2: shlx/shrx/sarx dst, dst, src (the count already in rcx gains nothing from it)
                int pp = op == Insn.LSH ? 1 : op == Insn.RSH ? 3 : 2;
                boolean r = X86Asm.ereg(dst);
                int vvvv = X86Asm.x86(src);
                int b1 = ((r ? 0 : 1) << 7) | (1 << 6) | ((r ? 0 : 1) << 5) | 2;
                int b2 = ((is64 ? 1 : 0) << 7) | ((~vvvv & 0xf) << 3) | pp;
                String dn = X86Asm.name(dst, bits), sn = X86Asm.name(src, bits);
                a.emit(mn + "x " + dn + "," + dn + "," + sn, mn + "x %" + sn + ",%" + dn + ",%" + dn, 0xc4, b1, b2, 0xf7, X86Asm.add2reg(0xC0, dst, dst));
                return;
            }
            String dn = X86Asm.name(dst, bits);
            a.emit(mn + " " + dn + ",cl", mn + " %cl,%" + dn, X86Asm.cat(X86Asm.rex1(dst, is64), 0xD3, X86Asm.add1reg(b3, dst)));
        }

        private void end(X86Asm a, Insn in) {
            int dst = in.dst(), imm = in.imm();
            boolean swap = in.srcX() || in.cls() == Insn.ALU64;
            boolean e = X86Asm.ereg(dst);
            if (swap) {
                switch (imm) {
                    case 16 -> {
                        int[] b = e ? new int[] {0x66, 0x41} : new int[] {0x66};
                        a.emit("ror " + X86Asm.name(dst, 16) + ",0x8", "ror $0x8,%" + X86Asm.name(dst, 16), X86Asm.cat(b, 0xC1, X86Asm.add1reg(0xC8, dst), 8));
                        movzw(a, dst);
                    }
                    case 32 -> a.emit("bswap " + X86Asm.name(dst, 32), "bswap %" + X86Asm.name(dst, 32), X86Asm.cat(e ? new int[] {0x41, 0x0F} : new int[] {0x0F}, X86Asm.add1reg(0xC8, dst)));
                    default -> a.emit("bswap " + X86Asm.name(dst, 64), "bswap %" + X86Asm.name(dst, 64), X86Asm.add1mod(0x48, dst), 0x0F, X86Asm.add1reg(0xC8, dst));
                }
                return;
            }
            switch (imm) {
                case 16 -> movzw(a, dst);
                case 32 -> a.emit("mov " + X86Asm.name(dst, 32) + "," + X86Asm.name(dst, 32), "mov %" + X86Asm.name(dst, 32) + ",%" + X86Asm.name(dst, 32),
                    X86Asm.cat(e ? new int[] {0x45} : new int[0], 0x89, X86Asm.add2reg(0xC0, dst, dst)));
                default -> { }
            }
        }

        private void movzw(X86Asm a, int dst) {
            int[] b = X86Asm.ereg(dst) ? new int[] {0x45, 0x0F, 0xB7} : new int[] {0x0F, 0xB7};
            a.emit("movzx " + X86Asm.name(dst, 32) + "," + X86Asm.name(dst, 16), "movzwl %" + X86Asm.name(dst, 16) + ",%" + X86Asm.name(dst, 32), X86Asm.cat(b, X86Asm.add2reg(0xC0, dst, dst)));
        }

        private void st(X86Asm a, Insn in) {
            int dst = in.dst(), bytes = Insn.bytes(in.size()), imm = in.imm();
            boolean e = X86Asm.ereg(dst);
            int[] op = switch (bytes) {
                case 1 -> e ? new int[] {0x41, 0xC6} : new int[] {0xC6};
                case 2 -> e ? new int[] {0x66, 0x41, 0xC7} : new int[] {0x66, 0xC7};
                case 4 -> e ? new int[] {0x41, 0xC7} : new int[] {0xC7};
                default -> new int[] {X86Asm.add1mod(0x48, dst), 0xC7};
            };
            int off = in.off();
            int[] mod = X86Asm.imm8(off) ? new int[] {X86Asm.add1reg(0x40, dst), off & 0xff} : X86Asm.cat(new int[] {X86Asm.add1reg(0x80, dst)}, X86Asm.le32(off));
            int n = bytes == 8 ? 4 : bytes;
            String t = X86Asm.imm(imm, bytes * 8);
            a.emit("mov " + X86Asm.ptr(bytes) + X86Asm.intelMem(dst, off) + "," + t, (bytes == 1 ? "movb" : bytes == 2 ? "movw" : bytes == 4 ? "movl" : "movq") + " $" + t + "," + X86Asm.attMem(dst, off),
                X86Asm.cat(X86Asm.cat(op, mod), X86Asm.le(imm, n)));
        }

        /** emit_atomic_rmw(), emit_atomic_ld_st(), and the cmpxchg loop of fetch and/or/xor. */
        private void atomic(X86Asm a, Insn in) {
            int dst = in.dst(), src = in.src(), off = in.off(), imm = in.imm();
            int bytes = Insn.bytes(in.size());
            boolean is64 = bytes == 8;
            if (imm == Insn.LOAD_ACQ) {
                a.ldx(bytes, false, dst, src, off);
                return;
            }
            if (imm == Insn.STORE_REL) {
                a.stx(bytes, dst, src, off);
                return;
            }
            if (bytes < 4) throw new JitError("bpf_jit: 1- and 2-byte RMW atomics are not supported");
            if (imm == (Insn.AND | Insn.FETCH) || imm == (Insn.OR | Insn.FETCH) || imm == (Insn.XOR | Insn.FETCH)) {
                int realSrc = src == 0 ? X86Asm.AX : src, realDst = dst == 0 ? X86Asm.AX : dst;
                a.mov64(X86Asm.AX, 0);
                int loop = a.size();
                a.ldx(bytes, false, 0, realDst, off);
                a.movReg(is64, X86Asm.AUX, 0);
                int opc = (imm & ~Insn.FETCH) == Insn.AND ? 0x21 : (imm & ~Insn.FETCH) == Insn.OR ? 0x09 : 0x31;
                String mn = opc == 0x21 ? "and" : opc == 0x09 ? "or" : "xor";
                String an = X86Asm.name(X86Asm.AUX, is64 ? 64 : 32), rs = X86Asm.name(realSrc, is64 ? 64 : 32);
                a.emit(mn + " " + an + "," + rs, mn + " %" + rs + ",%" + an, X86Asm.cat(X86Asm.rex2(X86Asm.AUX, realSrc, is64), opc, X86Asm.add2reg(0xC0, X86Asm.AUX, realSrc)));
                rmw(a, Insn.CMPXCHG, realDst, X86Asm.AUX, off, is64);
                int rel = -(a.size() - loop) - 2;
                a.emit("jne @" + loop, "jne @" + loop, 0x75, rel & 0xff);
                a.movReg(is64, realSrc, 0);
                a.mov64(0, X86Asm.AX);
                return;
            }
            rmw(a, imm, dst, src, off, is64);
        }

        private void rmw(X86Asm a, int op, int dst, int src, int off, boolean is64) {
            int[] b = X86Asm.cat(new int[] {0xF0}, X86Asm.rex2(dst, src, is64));
            String mn;
            switch (op) {
                case Insn.ADD, Insn.AND, Insn.OR, Insn.XOR -> {
                    int opc = op == Insn.ADD ? 0x01 : op == Insn.AND ? 0x21 : op == Insn.OR ? 0x09 : 0x31;
                    b = X86Asm.cat(b, opc);
                    mn = "lock " + (op == Insn.ADD ? "add" : op == Insn.AND ? "and" : op == Insn.OR ? "or" : "xor");
                }
                case Insn.ADD | Insn.FETCH -> {
                    b = X86Asm.cat(b, 0x0F, 0xC1);
                    mn = "lock xadd";
                }
                case Insn.XCHG -> {
                    b = X86Asm.cat(b, 0x87);
                    mn = "lock xchg";
                }
                case Insn.CMPXCHG -> {
                    b = X86Asm.cat(b, 0x0F, 0xB1);
                    mn = "lock cmpxchg";
                }
                default -> throw new JitError("bpf_jit: unknown atomic opcode " + String.format("%02x", op));
            }
            int bytes = is64 ? 8 : 4;
            String sn = X86Asm.name(src, bytes * 8);
            a.emit(mn + " " + X86Asm.ptr(bytes) + X86Asm.intelMem(dst, off) + "," + sn, mn + " %" + sn + "," + X86Asm.attMem(dst, off), X86Asm.cat(b, X86Asm.suffix(dst, src, off)));
        }

        private boolean jmp(X86Asm a, Insn in, int idx, int k, boolean padding, boolean seenExit, int proglen, int imageBase) {
            int code = in.code(), op = in.op(), dst = in.dst(), src = in.src(), imm = in.imm();
            boolean is64 = in.cls() == Insn.JMP;
            int bits = is64 ? 64 : 32;
            String dn = X86Asm.name(dst, bits), sn = X86Asm.name(src, bits);
            switch (op) {
                case Insn.CALL -> {
                    if (in.cls() != Insn.JMP) throw new JitError("bpf_jit: unknown opcode " + String.format("%02x", code));
                    if (imm == 0 && src != Insn.PSEUDO_CALL) throw new JitError("bpf_jit: call with imm 0");
                    String what = src == Insn.PSEUDO_CALL ? "<subprog#" + imm + ">" : "<helper, __bpf_call_base+" + X86Asm.imm(imm, 32) + ">";
                    a.emit(true, "call " + what, "call " + what, 0xE8, 0, 0, 0, 0);
                    return seenExit;
                }
                case Insn.EXIT -> {
                    if (seenExit) return emitJmp(a, cleanupAddr - addrs[k], padding, proglen, k, imageBase, seenExit);
                    cleanupAddr = proglen;
                    if (outgoing > 1) {
                        int d = 8 * (outgoing - 1);
                        a.emit("add rsp," + X86Asm.imm(d, 64), "add $" + X86Asm.imm(d, 64) + ",%rsp", 0x48, 0x83, 0xC4, d);
                    }
                    popCalleeRegs(a);
                    a.emit("leave", "leave", 0xC9);
                    a.emit(true, "jmp __x86_return_thunk", "jmp __x86_return_thunk", 0xE9, 0, 0, 0, 0);
                    return true;
                }
                case Insn.JA -> {
                    if (in.srcX()) throw new JitError("kstep's JIT does not model gotox");
                    int off = in.cls() == Insn.JMP ? in.off() : imm;
                    int jo = off == -1 ? -2 : addrs[k + off] - addrs[k];
                    if (jo == 0) {
                        if (padding) {
                            int nops = (addrs[k] - addrs[k - 1]) - a.size();
                            a.nops(nops);
                        }
                        return seenExit;
                    }
                    return emitJmp(a, jo, padding, proglen, k, imageBase, seenExit);
                }
                default -> { }
            }
            if (in.srcX()) {
                String mn = op == Insn.JSET ? "test" : "cmp";
                a.emit(mn + " " + dn + "," + sn, mn + " %" + sn + ",%" + dn, X86Asm.cat(X86Asm.rex2(dst, src, is64), op == Insn.JSET ? 0x85 : 0x39, X86Asm.add2reg(0xC0, dst, src)));
            } else if (op == Insn.JSET) {
                String t = X86Asm.imm(imm, bits);
                a.emit("test " + dn + "," + t, "test $" + t + ",%" + dn, X86Asm.cat(X86Asm.cat(X86Asm.rex1(dst, is64), 0xF7, X86Asm.add1reg(0xC0, dst)), X86Asm.le32(imm)));
            } else if (imm == 0) {
                a.emit("test " + dn + "," + dn, "test %" + dn + ",%" + dn, X86Asm.cat(X86Asm.rex2(dst, dst, is64), 0x85, X86Asm.add2reg(0xC0, dst, dst)));
            } else {
                String t = X86Asm.imm(imm, bits);
                int[] rex = X86Asm.rex1(dst, is64);
                if (X86Asm.imm8(imm)) a.emit("cmp " + dn + "," + t, "cmp $" + t + ",%" + dn, X86Asm.cat(rex, 0x83, X86Asm.add1reg(0xF8, dst), imm & 0xff));
                else a.emit("cmp " + dn + "," + t, "cmp $" + t + ",%" + dn, X86Asm.cat(X86Asm.cat(rex, 0x81, X86Asm.add1reg(0xF8, dst)), X86Asm.le32(imm)));
            }
            int cond;
            String cn;
            switch (op) {
                case Insn.JEQ -> { cond = 0x74; cn = "je"; }
                case Insn.JSET, Insn.JNE -> { cond = 0x75; cn = "jne"; }
                case Insn.JGT -> { cond = 0x77; cn = "ja"; }
                case Insn.JLT -> { cond = 0x72; cn = "jb"; }
                case Insn.JGE -> { cond = 0x73; cn = "jae"; }
                case Insn.JLE -> { cond = 0x76; cn = "jbe"; }
                case Insn.JSGT -> { cond = 0x7F; cn = "jg"; }
                case Insn.JSLT -> { cond = 0x7C; cn = "jl"; }
                case Insn.JSGE -> { cond = 0x7D; cn = "jge"; }
                case Insn.JSLE -> { cond = 0x7E; cn = "jle"; }
                default -> throw new JitError("bpf_jit: unknown opcode " + String.format("%02x", code));
            }
            int jo = addrs[k + in.off()] - addrs[k];
            String tgt = target(imageBase, addrs[k + in.off()]);
            if (jo <= 123 && jo >= -128) {
                if (padding) {
                    int nops = (addrs[k] - addrs[k - 1]) - a.size() - 2;
                    if (nops != 0 && nops != 4) throw new JitError("unexpected jmp_cond padding: " + nops + " bytes");
                    a.nops(nops);
                }
                a.emit(cn + " " + tgt, cn + " " + tgt, cond, jo & 0xff);
            } else {
                a.emit(cn + " " + tgt, cn + " " + tgt, X86Asm.cat(new int[] {0x0F, cond + 0x10}, X86Asm.le32(jo)));
            }
            return seenExit;
        }

        private boolean emitJmp(X86Asm a, int jo, boolean padding, int proglen, int k, int imageBase, boolean seenExit) {
            String tgt = "0x" + Integer.toHexString(Math.max(imageBase, 0) + addrs[k] + jo);
            if (jo <= 123 && jo >= -128) {
                if (padding) {
                    int nops = (addrs[k] - addrs[k - 1]) - a.size() - 2;
                    if (nops != 0 && nops != 3) throw new JitError("unexpected jump padding: " + nops + " bytes");
                    a.nops(nops);
                }
                a.emit("jmp " + tgt, "jmp " + tgt, 0xEB, jo & 0xff);
            } else {
                a.emit("jmp " + tgt, "jmp " + tgt, X86Asm.cat(new int[] {0xE9}, X86Asm.le32(jo)));
            }
            return seenExit;
        }
    }
}
