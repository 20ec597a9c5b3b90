#!/usr/bin/env python3
"""Record what Linux's verifier says about structurally broken BPF programs, before it simulates any.

Makes small valid socket filters (ALU work, forward branches, a 64-bit load, a bpf-to-bpf call) and breaks
each in one way: a jump out of range or into the middle of a 64-bit load, an unknown opcode, LDX's
reserved fields, a bad second slot, a call to nowhere, a missing exit, unreachable code, a subprogram that
falls into the next one. Each program is loaded with kstep's probe (app/src/main/resources/kstep/compare/
kstep-bpf-probe.c, built with cc) at log level 2 and written as one case file:

    -- program        the instructions, 16 hex digits a slot
    -- log            the kernel's log up to the end of its structural checks: the whole log when the program
                      fails them ("processed 0 insns"), else through the live-regs table
    -- errno N

Rerun:  python3 tools/bpfstruct.py --seed 1 --count 300 --out engine/src/test/resources/bpf/structure
"""
import argparse
import os
import random
import re
import subprocess
import sys
import tempfile


def insn(code, dst=0, src=0, off=0, imm=0):
    return bytes([code, (src << 4) | dst]) + (off & 0xffff).to_bytes(2, 'little') + (imm & 0xffffffff).to_bytes(4, 'little')


def base(rnd):
    """A valid program: main with branches and an ld_imm64, maybe a subprogram it calls."""
    main = [insn(0xb7, 0, imm=rnd.randint(0, 100))]
    for _ in range(rnd.randint(2, 8)):
        k = rnd.random()
        if k < 0.5:
            main.append(insn(rnd.choice([0x07, 0x17, 0x27, 0x47, 0x57, 0xa7]), 0, imm=rnd.randint(1, 50)))
        elif k < 0.7:
            main.append(insn(0x18, rnd.randint(1, 5), imm=rnd.getrandbits(32)))
            main.append(insn(0x00, imm=rnd.getrandbits(32)))
        else:
            main.append(insn(rnd.choice([0x15, 0x25, 0x55]), 0, off=1, imm=rnd.randint(0, 60)))
            main.append(insn(0x07, 0, imm=1))
    sub = None
    if rnd.random() < 0.4:
        sub = [insn(0xb7, 0, imm=rnd.randint(0, 9)), insn(0x07, 0, imm=3), insn(0x95)]
        main.append(insn(0xbf, 6, 0))
        main.append(insn(0x85, 0, 1, 0, 0))   # call, fixed below
        main.append(insn(0x0f, 0, 6))
    main.append(insn(0x95))
    prog = main + (sub or [])
    if sub:
        call = len(main) - 3
        prog[call] = insn(0x85, 0, 1, 0, len(main) - call - 1)
    return prog


def mutate(rnd, prog):
    p = list(prog)
    kind = rnd.choice(['jump', 'opcode', 'ldx', 'ldimm', 'call', 'noexit', 'dead', 'fallthrough', 'none'])
    if kind == 'jump':
        idx = [i for i, x in enumerate(p) if x[0] in (0x15, 0x25, 0x55, 0x05)]
        if idx:
            i = rnd.choice(idx)
            off = rnd.choice([len(p), -i - 2, rnd.randint(-3, 4), 1, 2])
            p[i] = p[i][:2] + (off & 0xffff).to_bytes(2, 'little') + p[i][4:]
        else:
            p.insert(1, insn(0x05, off=rnd.choice([len(p) + 2, 1, -5])))
    elif kind == 'opcode':
        i = rnd.randrange(len(p) - 1)
        p[i] = bytes([rnd.randrange(256)]) + p[i][1:]
    elif kind == 'ldx':
        p.insert(1, insn(rnd.choice([0x61, 0x79, 0x01, 0x21, 0x41]), 0, 10, -8, rnd.choice([0, 1])))
    elif kind == 'ldimm':
        idx = [i for i, x in enumerate(p) if x[0] == 0x18]
        if idx:
            i = rnd.choice(idx)
            p[i + 1] = bytes([rnd.choice([0, 0, 7]), rnd.choice([0, 1])]) + p[i + 1][2:]
        else:
            p.insert(len(p) - 1, insn(0x18, 1, imm=5))
    elif kind == 'call':
        p.insert(1, insn(0x85, 0, 1, 0, rnd.choice([100, -5, 0, 1])))
    elif kind == 'noexit':
        p = p[:-1] if len(p) > 2 else p
    elif kind == 'dead':
        p.insert(len(p), insn(0xb7, 0, imm=1))
        p.append(insn(0x95))
    elif kind == 'fallthrough':
        idx = [i for i, x in enumerate(p) if x[0] == 0x95]
        if len(idx) > 1:
            i = idx[0]
            p[i] = insn(0x07, 0, imm=1)
    return kind, p


def run(probe, prog):
    data = '00' * 64
    text = ''.join(x.hex() + '\n' for x in prog)
    out = subprocess.run([probe, 'socket_filter', '2', data], input=text, capture_output=True, text=True).stdout
    head, _, log = out.partition('\nlog\n')
    errno = int(re.search(r'errno (\d+)', head).group(1)) if 'errno' in head else -1
    lines = log.split('\n')
    if 'Live regs before insn:' in lines:
        k = lines.index('Live regs before insn:') + 1
        while k < len(lines) and re.match(r'^ *(\d+ +)?\d+: [0-9.]{10} ', lines[k]):
            k += 1
        kept = lines[:k]
    else:
        kept = [l for l in lines if l]
    return errno, kept


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=300)
    ap.add_argument('--out', required=True)
    ap.add_argument('--probe', default=None, help='a built kstep-bpf-probe (default: build it with cc)')
    a = ap.parse_args()
    probe = a.probe
    if probe is None:
        d = tempfile.mkdtemp()
        probe = os.path.join(d, 'probe')
        src = os.path.join(os.path.dirname(__file__), '..', 'app', 'src', 'main', 'resources', 'kstep', 'compare', 'kstep-bpf-probe.c')
        subprocess.run(['cc', '-O2', '-o', probe, src], check=True)
    os.makedirs(a.out, exist_ok=True)
    rnd = random.Random(a.seed)
    n = 0
    while n < a.count:
        kind, p = mutate(rnd, base(rnd))
        errno, log = run(probe, p)
        # a run so long that the kernel's log buffer wrapped lost its beginning: not a usable record
        if not log or not (log[0].startswith('func#0 @0') or log[0] == 'call to invalid destination'):
            continue
        n += 1
        with open(os.path.join(a.out, '%04d.case' % n), 'w') as f:
            f.write('# generated by tools/bpfstruct.py --seed %d (case %d, %s); recorded with kstep-bpf-probe on Linux %s\n'
                    % (a.seed, n, kind, os.uname().release.split('-')[0]))
            f.write('-- program\n' + ''.join(x.hex() + '\n' for x in p))
            f.write('-- errno %d\n' % errno)
            f.write('-- log\n' + '\n'.join(log) + '\n')


if __name__ == '__main__':
    sys.exit(main())
