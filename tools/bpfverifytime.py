#!/usr/bin/env python3
"""The kernel's own verification time for the programs of a case directory (tools/bpfverify.py's format).

Loads each program through kstep's probe at log level 4 (BPF_LOG_STATS: the kernel prints "verification
time N usec" and nothing else of its log) REPEAT times and keeps the fastest, then prints the count, the
median and the mean of those times in microseconds, beside which bench/VerifierBench's time a program is
set. Rerun:  python3 tools/bpfverifytime.py DIR [REPEAT]   (probe in KSTEP_BPF_PROBE, default /tmp/kstep-bpf-probe)
"""
import glob
import os
import re
import statistics
import subprocess
import sys

PROBE = os.environ.get('KSTEP_BPF_PROBE', '/tmp/kstep-bpf-probe')
times = []
repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.case'))):
    text = open(f).read()
    ty = re.search(r'^-- type (\S+)', text, re.M).group(1)
    maps = re.search(r'\n-- maps\n(.*?)\n-- ', text, re.S)
    prog = re.search(r'\n-- program\n(.*?)\n-- ', text, re.S).group(1)
    stdin = ''.join('map %s\n' % m for m in (maps.group(1).split('\n') if maps else []) if m.strip()) + prog + '\n'
    best = None
    for _ in range(repeat):
        out = subprocess.run([PROBE, ty, '4', '00' * 64], input=stdin, capture_output=True, text=True).stdout
        m = re.search(r'verification time (\d+) usec', out)
        if m:
            best = int(m.group(1)) if best is None else min(best, int(m.group(1)))
    if best is not None:
        times.append(best)
print('programs %d median %.1f usec mean %.1f usec' % (len(times), statistics.median(times), statistics.mean(times)))
