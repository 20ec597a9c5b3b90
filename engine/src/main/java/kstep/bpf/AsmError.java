package kstep.bpf;

import kstep.lang.SourceError;
import kstep.lang.SourcePos;

/** Bad assembly: names the file, line and column. */
final class AsmError {
    private AsmError() { }

    static SourceError at(String file, int line, int col, String msg) {
        return new SourceError(new SourcePos(file, line, col), msg);
    }
}
