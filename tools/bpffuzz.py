#!/usr/bin/env python3
"""Random BPF programs for finding where kstep's verifier and the running kernel's part ways.

Unlike tools/bpfverify.py, whose programs are written to teach, these are instruction soup: every
class, random registers, offsets and immediates (biased to small and interesting values), forward and
backward jumps, helper calls with whatever happens to be in r1-r5, map loads, bpf-to-bpf calls. Most are
rejected, for a great many reasons, which is the point. Each case is written in tools/bpfverify.py's
format, so the same Java readers replay it.

Rerun:  python3 tools/bpffuzz.py SEED COUNT OUTDIR   (probe path in KSTEP_BPF_PROBE, default /tmp/kstep-bpf-probe)
"""
import os
import random
import sys

from bpfverify import enc, load, write_case  # the encoding, the probe and the case file

IMMS = [0, 1, -1, 2, 4, 8, 14, 16, 20, 31, 32, 63, 64, 255, 256, 0xffff, 0x7fffffff, -0x80000000, -8, -16, -512]
OFFS = [0, -8, -16, -4, -1, -512, -520, 8, 4, 0, 12, 16, 48, 76, 80]
HELPERS = [1, 2, 3, 5, 7, 8, 26, 68, 188, 12, 6, 42, 999, 0]


def program(r):
    n = r.randint(2, 24)
    out = []
    maps = []
    if r.random() < 0.4:
        maps.append(r.choice([(2, 4, 8, 16), (1, 8, 16, 32), (2, 4, 64, 4)]))
    reg = lambda: r.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 6, 7, 8, 9])
    imm = lambda: r.choice(IMMS) if r.random() < 0.7 else r.randint(-1000, 1000)
    off = lambda: r.choice(OFFS) if r.random() < 0.8 else r.randint(-600, 600)
    # a prologue gives most registers a value, so the soup gets past the first "!read_ok" more often
    if r.random() < 0.8:
        out.append(enc(0xbf, 6, 1))
        for d in r.sample([0, 2, 3, 4, 5, 7, 8, 9], r.randint(3, 8)):
            c = r.random()
            if c < 0.4:
                out.append(enc(0xb7, d, 0, 0, imm()))
            elif c < 0.6:
                out.append(enc(0x61, d, 6, r.choice([0, 4, 8, 16, 48, 12])))
            elif c < 0.8:
                out.append(enc(0xbf, d, 10))
                out.append(enc(0x07, d, 0, 0, r.choice([-8, -16, -32, -64])))
            else:
                out.append(enc(0x85, 0, 0, 0, 7))
                out.append(enc(0xbf, d, 0))
        if r.random() < 0.5:
            out.append(enc(0x7b, 10, r.choice([6, 7, 8, 9]), r.choice([-8, -16, -24])))
    for i in range(n):
        k = r.random()
        left = n - i
        if k < 0.25:
            cls = r.choice([0x04, 0x07])
            op = r.choice([0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xb0, 0xc0, 0xd0])
            x = r.random() < 0.4
            o = r.choice([0, 0, 0, 1, 8, 16, 32]) if op in (0xb0, 0x30, 0x90) and r.random() < 0.2 else 0
            im = r.choice([16, 32, 64]) if op == 0xd0 else (0 if x else imm())
            out.append(enc(cls | op | (8 if x else 0), reg(), reg() if x else 0, o, im))
        elif k < 0.40:
            size = r.choice([0x00, 0x08, 0x10, 0x18])
            mode = 0x80 if r.random() < 0.1 else 0x60
            out.append(enc(0x01 | size | mode, reg(), reg(), off()))
        elif k < 0.52:
            size = r.choice([0x00, 0x08, 0x10, 0x18])
            out.append(enc(0x03 | size | 0x60, reg(), reg(), off()))
        elif k < 0.58:
            size = r.choice([0x00, 0x08, 0x10, 0x18])
            out.append(enc(0x02 | size | 0x60, reg(), 0, off(), imm()))
        elif k < 0.62:
            size = r.choice([0x00, 0x18])
            out.append(enc(0x03 | size | 0xc0, reg(), reg(), off(), r.choice([0x00, 0x01, 0x40, 0x50, 0xa0, 0xe1, 0xf1])))
        elif k < 0.77 and left > 2:
            cls = r.choice([0x05, 0x06])
            op = r.choice([0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0])
            x = r.random() < 0.4
            o = r.randint(-3, min(left - 2, 6)) if r.random() < 0.9 else r.randint(0, left - 2)
            out.append(enc(cls | op | (8 if x else 0), reg(), reg() if x else 0, o, 0 if x else imm()))
        elif k < 0.80 and left > 2:
            out.append(enc(0x05, 0, 0, r.randint(-2, left - 2)))
        elif k < 0.88:
            out.append(enc(0x85, 0, 0, 0, r.choice(HELPERS)))
        elif k < 0.92 and maps:
            out.append(enc(0x18, r.choice([1, 1, 2, 3]), 1, 0, 0))
            out.append(enc(0, 0, 0, 0, 0))
        elif k < 0.95:
            v = r.choice([0, 1, -1, 0x1122334455667788, 0xffffffff])
            out.append(enc(0x18, reg(), 0, 0, v & 0xffffffff))
            out.append(enc(0, 0, 0, 0, (v >> 32) & 0xffffffff))
        elif k < 0.97:
            out.append(enc(0x20 | r.choice([0x00, 0x08, 0x10]), 0, 0, 0, r.randint(0, 40)))
        else:
            out.append(enc(0x95))
    if r.random() < 0.8:
        out.append(enc(0xb7, 0, 0, 0, r.choice([0, 1, 2])))
    out.append(enc(0x95))
    return out, maps


def main():
    seed, count, outdir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    os.makedirs(outdir, exist_ok=True)
    for k in range(1, count + 1):
        r = random.Random('%d:%d' % (seed, k))
        t = 'xdp' if r.random() < 0.3 else 'socket_filter'
        insns, maps = program(r)
        accepted, log = load(t, maps, insns)
        write_case(os.path.join(outdir, '%04d.case' % k), seed, k, t, maps, insns, accepted, log, tool='bpffuzz.py')


if __name__ == '__main__':
    main()
