#!/usr/bin/env python3
"""Add the kernel's "Live regs before insn:" table and "processed" line to BPF case files.

For each NNNN.case of tools/bpfgen.py (type, data, program, retval) that has no `-- live_regs` section yet,
load the program with kstep's probe (app/src/main/resources/kstep/compare/kstep-bpf-probe.c, built with cc)
at log level 2 and append:

    -- live_regs     the table's lines as the log prints them (loop numbers included)
    -- processed ... the log's last "processed N insns ..." line

Rerun:  python3 tools/bpflive.py engine/src/test/resources/bpf/kernel-runs
        (KSTEP_BPF_PROBE names a built probe; default: build one into a temporary directory)
"""
import glob
import os
import re
import subprocess
import sys
import tempfile


def probe():
    p = os.environ.get('KSTEP_BPF_PROBE')
    if p:
        return p
    d = tempfile.mkdtemp()
    p = os.path.join(d, 'probe')
    src = os.path.join(os.path.dirname(__file__), '..', 'app', 'src', 'main', 'resources', 'kstep', 'compare', 'kstep-bpf-probe.c')
    subprocess.run(['cc', '-O2', '-o', p, src], check=True)
    return p


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    exe = probe()
    files = sorted(glob.glob(os.path.join(sys.argv[1], '*.case')))
    missing = 0
    for f in files:
        text = open(f).read()
        if '-- live_regs' in text:
            continue
        typ = re.search(r'^-- type (\S+)', text, re.M).group(1)
        data = re.search(r'^-- data (\S+)', text, re.M).group(1)
        prog = text.split('-- program\n')[1].split('\n-- ')[0]
        out = subprocess.run([exe, typ, '2', data], input=prog, capture_output=True, text=True).stdout
        lines = out.split('\nlog\n', 1)[1].split('\n') if '\nlog\n' in out else []
        if 'Live regs before insn:' not in lines:
            missing += 1
            continue
        i = lines.index('Live regs before insn:') + 1
        table = []
        while i < len(lines) and re.match(r'^ *(\d+ +)?\d+: [0-9.]{10} ', lines[i]):
            table.append(lines[i])
            i += 1
        processed = [l for l in lines if l.startswith('processed ')]
        with open(f, 'a') as fh:
            fh.write('-- live_regs\n' + '\n'.join(table) + '\n')
            if processed:
                fh.write('-- ' + processed[-1] + '\n')
    print(len(files), 'files,', missing, 'without a table')
    return 0


if __name__ == '__main__':
    sys.exit(main())
