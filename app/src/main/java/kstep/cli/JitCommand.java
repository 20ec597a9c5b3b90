package kstep.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import kstep.bpf.BpfProgram;
import kstep.bpf.Disasm;
import kstep.bpf.ProgramFile;
import kstep.bpf.Verifier;
import kstep.bpf.Xlated;
import kstep.bpf.jit.X86Jit;
import kstep.lang.SourceError;

/**
 * kstep bpf jit: verifies each program as Linux 6.18 does for root, rewrites it as the kernel does, and
 * compiles it with kstep's x86-64 JIT; prints the listing (each BPF instruction and the machine code it
 * became, in Intel or AT&T syntax) or, with --json, one line a program; --compare loads it into the
 * running kernel and compares the images (the rel32 of calls and of the return-thunk jump, which point
 * where the kernel put things, aside).
 */
@Command(name = "jit", mixinStandardHelpOptions = true, description = "Compile programs as Linux 6.18's x86-64 BPF JIT does, with a listing"
    + " (--json: one line a program; --compare: the running kernel's image beside kstep's).")
public final class JitCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Program files: kbpf hex, assembly or ELF objects.")
    List<String> files;

    @Option(names = "--hex", description = "The files are kbpf's hex format.")
    boolean hex;

    @Option(names = "--type", paramLabel = "TYPE", description = "socket_filter (the default for hex and assembly) or xdp.")
    String type;

    @Option(names = "--arch", paramLabel = "ARCH", defaultValue = "x86_64", description = "x86_64 (the default, this machine's) or arm64 (Linux 6.18's"
        + " arm64 JIT for the defconfig: BTI, pointer authentication, LSE atomics).")
    String arch;

    @Option(names = "--kernel", paramLabel = "VARIANT", description = "6.18 (the default), stack-args or stack-args-unpatched, as for verify"
        + " (a file's \"// kernel\" line decides without it); the stack-args kernels' R11 arguments go in r9 and on the stack.")
    String kernelVariant;

    @Option(names = "--att", description = "The listing in AT&T syntax (the default is Intel's, as objdump -M intel).")
    boolean att;

    @Option(names = "--json", description = "One JSON line a program: file, xlated, jited, listing ([{insn, offset, bytes, asm, att}]).")
    boolean json;

    @Option(names = "--compare", description = "Also load each program into the running kernel (Linux, cc, root) and compare the xlated and jited images.")
    boolean compare;

    @Option(names = "--show", description = "Open the side-by-side view of the (first) program (needs a display).")
    boolean show;

    @Option(names = "--highlight", paramLabel = "N", defaultValue = "-1", description = "The BPF instruction --png shows lit up with its machine code.")
    int highlight;

    @CommandLine.Mixin
    PngOptions png = new PngOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!arch.equals("x86_64") && !arch.equals("arm64")) throw new IllegalArgumentException("--arch is x86_64 or arm64, not '" + arch + "'");
        boolean arm = arch.equals("arm64");
        if (arm && compare) throw new IllegalArgumentException("--compare asks the running kernel, whose JIT is x86-64's: it goes with --arch x86_64");
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        BpfProgram.ProgType t = type == null ? null : BpfProgram.ProgType.of(type);
        if (png.png != null) png.check();
        int code = Cli.OK;
        boolean viewed = false;
        for (String f : files) {
            List<BpfProgram> ps;
            try {
                ps = ProgramFile.read(f, BpfCommand.read(f), hex, t);
            } catch (SourceError | IllegalArgumentException e) {
                err.println(e.getMessage());
                code = Cli.BAD_INPUT;
                continue;
            }
            kstep.bpf.KernelVariant variant;
            try {
                variant = VerifyCommand.variantOf(kernelVariant, f, hex);
            } catch (SourceError e) {
                err.println(e.getMessage());
                code = Cli.BAD_INPUT;
                continue;
            }
            if (variant != kstep.bpf.KernelVariant.LINUX_6_18 && compare) throw new IllegalArgumentException("--compare asks the running kernel, which is 6.18: not with --kernel " + variant.label());
            for (BpfProgram p : ps) {
                String name = ps.size() > 1 ? f + ":" + p.name() : f;
                Verifier.Result r = Verifier.verify(p, 1, false, true, variant, true);
                if (!r.accepted()) {
                    report(out, err, name, "the verifier rejects it: " + r.error());
                    code = Cli.FOUND;
                    continue;
                }
                Xlated x = r.xlated();
                X86Jit.Image img;
                try {
                    List<X86Jit.Function> fns = X86Jit.functions(x.subprogStarts(), x.stackDepths(), x.insns().size());
                    img = arm ? kstep.bpf.jit.Arm64Jit.compile(x.insns(), fns) : X86Jit.compile(x.insns(), fns);
                } catch (Xlated.Unsupported | X86Jit.JitError e) {
                    report(out, err, name, e.getMessage());
                    code = Cli.FOUND;
                    continue;
                }
                String[] kernel = compare ? KernelVerifier.images(p) : null;
                boolean same = kernel == null || (kernel[0].equals(x.hex()) && normalised(kernel[1], img).equals(normalised(img.hex(), img)));
                if (!same && code == Cli.OK) code = Cli.FOUND;
                if ((png.png != null || show) && !viewed) {
                    viewed = true;
                    List<kstep.bpf.Insn> xi = x.insns();
                    List<X86Jit.Function> fns = X86Jit.functions(x.subprogStarts(), x.stackDepths(), xi.size());
                    X86Jit.Image x86img = arm ? X86Jit.compile(xi, fns) : img;
                    X86Jit.Image armimg = arm ? img : kstep.bpf.jit.Arm64Jit.compile(xi, fns);
                    kstep.app.JitWindow.Compiled c = kstep.app.JitWindow.compiled(name, xi, i -> xi.get(i) == null ? "" : text(xi, i), x86img, armimg,
                        kernel == null ? null : kernel[1]);
                    if (png.png != null) {
                        kstep.app.JitWindow.png(c, kstep.annotate.Sidecar.nextTo(java.nio.file.Path.of(f)), highlight, png.scale, png.png);
                        out.println("wrote " + png.png);
                    }
                    if (show) kstep.app.JitWindow.show(c, kstep.annotate.Sidecar.nextTo(java.nio.file.Path.of(f)));
                    continue;
                }
                if (json) {
                    out.println(Json.write(jsonLine(name, x, img, kernel, same)));
                    continue;
                }
                if (files.size() > 1 || ps.size() > 1) out.println("== " + name);
                out.print(listing(x, img, att));
                if (kernel != null) {
                    out.println(same ? "kernel: the same xlated and jited images (calls and the return-thunk jump aside)"
                        : "kernel: DIFFERENT" + (kernel[0].equals(x.hex()) ? "" : " xlated") + (normalised(kernel[1], img).equals(normalised(img.hex(), img)) ? "" : " jited")
                            + "\n  kernel jited: " + kernel[1] + "\n  kstep jited:  " + img.hex());
                }
            }
        }
        return code;
    }

    private void report(PrintWriter out, PrintWriter err, String name, String why) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", name);
            m.put("error", why);
            out.println(Json.write(m));
        } else {
            err.println(name + ": " + why);
        }
    }

    /** The image with the rel32 that point outside it blanked, for comparing. */
    static String normalised(String hex, X86Jit.Image img) {
        char[] c = hex.toCharArray();
        for (int off : img.externalRel32()) for (int i = off * 2; i < off * 2 + 8 && i < c.length; i++) c[i] = '.';
        return new String(c);
    }

    /** The listing: a BPF instruction, then the machine code it became, its offset and bytes. */
    static String listing(Xlated x, X86Jit.Image img, boolean att) {
        StringBuilder b = new StringBuilder();
        List<kstep.bpf.Insn> insns = x.insns();
        for (X86Jit.Line l : img.listing()) {
            if (l.insn() == -1) b.append("prologue\n");
            else if (l.insn() == -2) b.append("epilogue\n");
            else b.append(String.format("%4d: %s%n", l.insn(), text(insns, l.insn())));
            int off = l.offset(), k = 0;
            List<String> texts = att ? l.att() : l.intel();
            for (String s : texts) {
                int len = machineLength(l, k);
                StringBuilder h = new StringBuilder();
                // arm64 words print as objdump does, one 32-bit word
                if (len == 4 && texts == l.intel() && l.intel() == l.att()) {
                    int p = off - l.offset();
                    h.append(String.format("%02x%02x%02x%02x", l.bytes()[p + 3] & 0xff, l.bytes()[p + 2] & 0xff, l.bytes()[p + 1] & 0xff, l.bytes()[p] & 0xff));
                } else {
                    for (int i = 0; i < len; i++) h.append(String.format("%02x ", l.bytes()[off - l.offset() + i] & 0xff));
                }
                b.append(String.format("        %4x:  %-30s %s%n", off, h.toString().strip(), s));
                off += len;
                k++;
            }
        }
        return b.toString();
    }

    /** The verifier log's text of a rewritten instruction; a helper call by the helper's name, not its address. */
    static String text(List<kstep.bpf.Insn> insns, int i) {
        kstep.bpf.Insn x = insns.get(i);
        if (x.code() == 0x85 && x.src() == 0) {
            String h = Xlated.helperOf(x.imm());
            if (h != null) return "(85) call " + h;
        }
        return Disasm.text(x, i + 1 < insns.size() ? insns.get(i + 1) : null);
    }

    /** The length of the {@code k}-th machine instruction of a line. */
    private static int machineLength(X86Jit.Line l, int k) {
        return l.lengths().get(k);
    }

    static Map<String, Object> jsonLine(String name, Xlated x, X86Jit.Image img, String[] kernel, boolean same) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", name);
        m.put("xlated", x.hex());
        m.put("jited", img.hex());
        List<Object> listing = new ArrayList<>();
        for (X86Jit.Line l : img.listing()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("insn", l.insn());
            e.put("offset", l.offset());
            StringBuilder h = new StringBuilder();
            for (byte v : l.bytes()) h.append(String.format("%02x", v & 0xff));
            e.put("bytes", h.toString());
            e.put("asm", l.intel());
            if (l.att() != l.intel()) e.put("att", l.att());
            listing.add(e);
        }
        m.put("listing", listing);
        if (kernel != null) {
            m.put("kernel_xlated", kernel[0]);
            m.put("kernel_jited", kernel[1]);
            m.put("same", same);
        }
        return m;
    }
}
