#!/usr/bin/env python3
"""Record the running kernel's xlated and x86-64 JIT images for kstep's JIT conformance corpus.

The programs are the accepted, map-free programs of kstep's verifier corpora (tools/bpfverify.py,
tools/bpfsubprog.py and tools/bpfgen.py cases under engine/src/test/resources/bpf/{verifier,subprog,kernel-runs}),
loaded again with
../shared/tools/kbpf (built with `gcc -O2 -o /tmp/kbpf kbpf.c`, or named by KBPF), which prints the
xlated image (the program after the verifier's rewrites) and the jited image. One case a file,
OUTDIR/NNNN.case:

    # from SOURCE; recorded with kbpf on Linux <release>
    -- type socket_filter
    -- program
    <16 hex digits a slot, as in the verifier corpus>
    -- xlated
    <16 hex digits a slot>
    -- jited
    <the image, 32 bytes (64 hex digits) a line>

Usage (as root, bpf_jit_enable=1, no hardening): python3 tools/bpfjit.py OUTDIR CASEDIR... [--limit N]; the corpus is
    python3 tools/bpfjit.py engine/src/test/resources/bpf/jit engine/src/test/resources/bpf/{verifier,subprog,kernel-runs} --limit 800
Existing NNNN.case files in OUTDIR are deleted first. Only the Python 3 standard library is used.
"""
import json
import os
import subprocess
import sys


def section(text, name):
    parts = text.split("\n-- " + name + "\n", 1)
    if len(parts) < 2:
        return None
    body = parts[1].split("\n-- ", 1)[0]
    return [l.strip() for l in body.splitlines() if l.strip()]


def main(argv):
    limit = None
    if "--limit" in argv:
        i = argv.index("--limit")
        limit = int(argv[i + 1])
        del argv[i:i + 2]
    out, dirs = argv[0], argv[1:]
    kbpf = os.environ.get("KBPF", "/tmp/kbpf")
    release = os.uname().release
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f.endswith(".case"):
            os.remove(os.path.join(out, f))
    n = 0
    for d in dirs:
        for f in sorted(os.listdir(d)):
            if not f.endswith(".case"):
                continue
            text = open(os.path.join(d, f)).read()
            if "\n-- maps\n" in text or ("\n-- accepted " in text and "\n-- accepted 1" not in text):
                continue
            ptype = text.split("\n-- type ", 1)[1].split("\n", 1)[0].strip()
            prog = section(text, "program")
            r = subprocess.run([kbpf, "-l", "1", "-t", ptype], input="\n".join(prog) + "\n", capture_output=True, text=True)
            d2 = json.loads(r.stdout)
            if not d2.get("accepted") or not d2.get("jited"):
                continue
            n += 1
            xl = d2["xlated"]
            jited = d2["jited"]
            with open(os.path.join(out, "%04d.case" % n), "w") as o:
                o.write("# from %s; recorded with kbpf on Linux %s\n" % (os.path.join(os.path.basename(d), f), release))
                o.write("-- type %s\n-- program\n" % ptype)
                o.write("".join(h + "\n" for h in prog))
                o.write("-- xlated\n")
                o.write("".join(xl[i:i + 16] + "\n" for i in range(0, len(xl), 16)))
                o.write("-- jited\n")
                o.write("".join(jited[i:i + 64] + "\n" for i in range(0, len(jited), 64)))
            if limit and n >= limit:
                break
        if limit and n >= limit:
            break
    print("recorded %d programs" % n)


if __name__ == "__main__":
    main(sys.argv[1:])
