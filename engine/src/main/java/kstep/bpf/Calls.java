package kstep.bpf;

/**
 * bpf-to-bpf calls of static subprograms (check_func_call(), __check_func_call(), prepare_func_exit()): a
 * new frame with R1-R5 passed and its own stack, the caller's R0-R5 clobbered, and at the callee's exit R0
 * handed back and the path resuming after the call.
 */
final class Calls {
    private Calls() { }

    static InsnChecks.Outcome funcCall(Verifier v, InsnChecks c, Insn in, int idx) throws Verifier.Reject {
        VerifierState st = v.cur;
        int target = idx + in.imm() + 1;
        int subprog = v.subprogs.indexOf(target);
        if (subprog < 0) throw v.reject("verifier bug: no subprog at " + target);
        if (st.curframe + 1 >= Verifier.MAX_CALL_FRAMES) throw v.reject("the call stack of " + (st.curframe + 2) + " frames is too deep");
        FuncState caller = st.cur();
        FuncState callee = new FuncState();
        Verifier.initFuncState(callee, idx, st.curframe + 1, subprog);
        for (int i = 1; i <= 5; i++) callee.regs[i] = caller.regs[i].copy();
        st.frames.add(callee);
        st.curframe++;
        for (int i = 0; i <= 5; i++) caller.regs[i].markNotInit();
        v.markAllScratched();
        v.stackLive.resetCallchain();
        if (v.log.on()) {
            v.log.add("caller:\n");
            v.printVerifierState(st, caller.frameno, true);
            v.log.add("callee:\n");
            v.printVerifierState(st, st.curframe, true);
        }
        return new InsnChecks.Outcome(target, false, false);
    }

    static InsnChecks.Outcome funcExit(Verifier v, InsnChecks c) throws Verifier.Reject {
        VerifierState st = v.cur;
        v.stackLive.updateLiveStack(st);
        FuncState callee = st.cur();
        RegState r0 = callee.regs[0];
        if (r0.type == RegType.STACK) throw v.reject("cannot return stack pointer to the caller");
        FuncState caller = st.frames.get(st.curframe - 1);
        caller.regs[0] = r0.copy();
        // the outgoing stack arguments are spent, as R1-R5 are
        for (RegState a : caller.stackArgs) a.markNotInit();
        int next = callee.callsite + 1;
        if (v.log.on()) {
            v.log.add("returning from callee:\n");
            v.printVerifierState(st, callee.frameno, true);
            v.log.add("to caller at " + next + ":\n");
            v.printVerifierState(st, caller.frameno, true);
        }
        st.frames.remove(st.curframe);
        st.curframe--;
        return new InsnChecks.Outcome(next, false, true);
    }
}
