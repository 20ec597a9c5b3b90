#!/usr/bin/env python3
"""Learn the running kernel's verifier rewrites that depend on its build, for kstep's xlated images.

kstep rewrites a verified program as the kernel does before the JIT (dead code, div/mod guards, LD_ABS,
helper calls, context accesses: engine/src/main/java/kstep/bpf/jit/Xlated.java). Most rewrites are fixed
rules; three things are this kernel build's facts, which this script asks the kernel for with kbpf
(../shared/tools/kbpf.c, built as /tmp/kbpf or named by KBPF) and writes to a table
(engine/src/main/resources/kstep/bpf/jit/rewrites.tsv):

    helper ID IMM       the call's imm after fixup (the helper's address less __bpf_call_base), learned from
                        the corpus's recorded xlated images (engine/src/test/resources/bpf/jit) and from calling
                        every helper id with the context in r1 and zeros in r2-r5, in a socket filter and in XDP
    ldabs SIZE NEG IMM  the imm of LD_ABS/LD_IND's bpf_skb_load_helper_SIZE call (NEG 1: a negative offset)
    inline ID HEX...    an inlined helper (bpf_get_smp_processor_id): the slots it becomes
    ctx TYPE SIZE OFF ALIAS HEX...
                        a context load of SIZE bytes at OFF of __sk_buff (socket_filter) or xdp_md (xdp) into
                        r2 from r3 (ALIAS 0) or from r2 itself (ALIAS 1): the slots it becomes, r2 and r3 standing
                        for the instruction's registers
    ctxstx TYPE SIZE OFF ALIAS HEX...
                        a context store of r2 through r3 (ALIAS 1: of r3 through r3)
    ctxst TYPE SIZE OFF HEX...
                        a context store of the immediate 0x11223344 through r3 (the immediate stands for the store's)

Usage (as root): python3 tools/bpfxlated.py engine/src/main/resources/kstep/bpf/jit/rewrites.tsv
Only the Python 3 standard library is used.
"""
import json
import os
import struct
import subprocess
import sys

KBPF = os.environ.get("KBPF", "/tmp/kbpf")
CORPUS = "engine/src/test/resources/bpf/jit"


def ins(code, dst=0, src=0, off=0, imm=0):
    return bytes([code, (src << 4) | dst]).hex() + (off & 0xffff).to_bytes(2, "little").hex() + (imm & 0xffffffff).to_bytes(4, "little").hex()


def load(prog, ptype="socket_filter"):
    r = subprocess.run([KBPF, "-l", "1", "-t", ptype], input="\n".join(prog) + "\n", capture_output=True, text=True)
    return json.loads(r.stdout)


def slots(hexstr):
    return [hexstr[i:i + 16] for i in range(0, len(hexstr), 16)]


def section(text, name):
    body = text.split("\n-- " + name + "\n", 1)[1].split("\n-- ", 1)[0]
    return [l.strip() for l in body.splitlines() if l.strip()]


def helpers_from_corpus(out):
    seen = {}
    for f in sorted(os.listdir(CORPUS)):
        t = open(os.path.join(CORPUS, f)).read()
        p, x = section(t, "program"), section(t, "xlated")
        # helper calls keep their place relative to the other calls: pair the n-th helper call of each
        pc = [h for h in p if h[:2] == "85" and h[2] == "0"]
        xc = [h for h in x if h[:2] == "85" and h[2] == "0"]
        if len(pc) != len(xc):
            continue
        for a, b in zip(pc, xc):
            hid = struct.unpack("<i", bytes.fromhex(a[8:]))[0]
            imm = struct.unpack("<i", bytes.fromhex(b[8:]))[0]
            if hid in (8,):
                continue
            seen.setdefault(hid, imm)
    for ptype in ("socket_filter", "xdp"):
        for hid in range(1, 212):
            if hid in seen or hid == 8:
                continue
            prog = [ins(0xb7, r, 0, 0, 0) for r in (2, 3, 4, 5)] + [ins(0x85, 0, 0, 0, hid), ins(0xb7, 0, 0, 0, 0), ins(0x95)]
            d = load(prog, ptype)
            if not d.get("accepted"):
                continue
            calls = [x for x in slots(d["xlated"]) if x[:2] == "85"]
            if len(calls) == 1 and calls[0][2] == "0":
                seen[hid] = struct.unpack("<i", bytes.fromhex(calls[0][8:]))[0]
    for hid in sorted(seen):
        out.append("helper\t%d\t%d" % (hid, seen[hid]))


def ldabs(out):
    for size, code in ((1, 0x30), (2, 0x28), (4, 0x20)):
        for neg in (0, 1):
            off = -0x200000 + 2 if neg else 2
            d = load([ins(0xbf, 6, 1), ins(code, 0, 0, 0, off), ins(0x95)])
            call = [s for s in slots(d["xlated"]) if s[:2] == "85"][0]
            out.append("ldabs\t%d\t%d\t%d" % (size, neg, struct.unpack("<i", bytes.fromhex(call[8:]))[0]))


def inline(out):
    d = load([ins(0x85, 0, 0, 0, 8), ins(0x95)])
    out.append("inline\t8\t" + " ".join(slots(d["xlated"])[:-1]))


def ctx(out):
    fields = {"socket_filter": range(0, 192), "xdp": range(0, 28)}
    for ptype, offs in fields.items():
        for size, code in ((1, 0x71), (2, 0x69), (4, 0x61), (8, 0x79)):
            for off in offs:
                if off % size:
                    continue
                for alias in (0, 1):
                    src = 2 if alias else 3
                    prog = ([ins(0xbf, 3, 1)] if not alias else [ins(0xbf, 2, 1)]) + [ins(code, 2, src, off), ins(0xb7, 0, 0, 0, 0), ins(0x95)]
                    d = load(prog, ptype)
                    if not d.get("accepted"):
                        continue
                    x = slots(d["xlated"])[1:-2]
                    out.append("ctx\t%s\t%d\t%d\t%d\t%s" % (ptype, size, off, alias, " ".join(x)))
        for size, stx, st in ((1, 0x73, 0x72), (2, 0x6b, 0x6a), (4, 0x63, 0x62), (8, 0x7b, 0x7a)):
            for off in offs:
                if off % size:
                    continue
                for alias in (0, 1):
                    val = 3 if alias else 2
                    d = load([ins(0xbf, 3, 1), ins(0xb7, 2, 0, 0, 7), ins(stx, 3, val, off), ins(0xb7, 0, 0, 0, 0), ins(0x95)], ptype)
                    if d.get("accepted"):
                        out.append("ctxstx\t%s\t%d\t%d\t%d\t%s" % (ptype, size, off, alias, " ".join(slots(d["xlated"])[2:-2])))
                d = load([ins(0xbf, 3, 1), ins(st, 3, 0, off, 0x11223344), ins(0xb7, 0, 0, 0, 0), ins(0x95)], ptype)
                if d.get("accepted"):
                    out.append("ctxst\t%s\t%d\t%d\t%s" % (ptype, size, off, " ".join(slots(d["xlated"])[1:-2])))


def main(argv):
    out = ["# learned from the running kernel by tools/bpfxlated.py on Linux " + os.uname().release]
    helpers_from_corpus(out)
    ldabs(out)
    inline(out)
    ctx(out)
    os.makedirs(os.path.dirname(argv[0]), exist_ok=True)
    with open(argv[0], "w") as f:
        f.write("\n".join(out) + "\n")
    print("wrote %d lines" % len(out))


if __name__ == "__main__":
    main(sys.argv[1:])
