package kstep.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import kstep.lang.ModelRuntimeError;
import kstep.lang.SourceError;

class MachineTest {
    @Test
    void everyStatementIsOneStepAndNestedCallsGetStepsOfTheirOwn() {
        Program p = TestModels.program(String.join("\n",
            "int x;",
            "int g(int a) { return a + 1; }",
            "void f(void) {",
            "\tx = g(1) + g(2);",
            "\tx = x * 10;",
            "}"));
        Machine m = TestModels.machine(p);
        World w = TestModels.world(p, 1, new String[] {"t", "0", "f"});
        StepResult r1 = m.step(w, Choice.step(0), true);
        assertEquals("g", r1.entered(), "the first call is a step of its own");
        assertEquals(4, r1.where().line());
        assertEquals(2, m.step(w, Choice.step(0), true).where().line(), "then g's return statement");
        assertEquals("g", m.step(w, Choice.step(0), true).entered());
        m.step(w, Choice.step(0), true);
        StepResult store = m.step(w, Choice.step(0), true);
        assertEquals(4, store.where().line());
        assertEquals(5, TestModels.global(w, "x"));
        assertEquals("global.x 0 -> 5", store.events().get(0).text());
        m.step(w, Choice.step(0), true);
        assertEquals(50, TestModels.global(w, "x"));
    }

    @Test
    void anAtomicBlockIsOneStepIncludingTheCallsInIt() {
        Program p = TestModels.program(String.join("\n",
            "int x;",
            "void inc(void) { x++; x++; }",
            "void f(void) { atomic { inc(); x = x + 10; } x = 0; }"));
        Machine m = TestModels.machine(p);
        World w = TestModels.world(p, 1, new String[] {"t", "0", "f"});
        m.step(w, Choice.step(0), true);
        assertEquals(12, TestModels.global(w, "x"));
        m.step(w, Choice.step(0), true);
        assertEquals(0, TestModels.global(w, "x"));
    }

    @Test
    void preemptionOnlyWherePreemptCountIsZeroAndIrqsAreOn() {
        Program p = TestModels.program(String.join("\n",
            "int x;",
            "void f(void) {",
            "\tpreempt_disable();",
            "\tx = 1;",
            "\tpreempt_enable();",
            "\tlocal_irq_disable();",
            "\tx = 2;",
            "\tlocal_irq_enable();",
            "\tx = 3;",
            "}"));
        Machine m = TestModels.machine(p);
        World w = TestModels.world(p, 1, new String[] {"f", "0", "f"}, new String[] {"hog", "0", "cpu_hog"});
        boolean[] expect = {true, false, false, true, false, false, true};
        for (int i = 0; i < expect.length; i++) {
            assertEquals(expect[i], m.enabled(w).contains(Choice.preempt(0)), "before statement " + (i + 3));
            m.step(w, Choice.step(0), false);
        }
        World alone = TestModels.world(p, 1, new String[] {"f", "0", "f"});
        assertFalse(m.enabled(alone).contains(Choice.preempt(0)), "no preemption without another runnable task");
        assertEquals("no other task is runnable on cpu0", m.whyNot(alone, Choice.preempt(0)));
    }

    @Test
    void aPreemptionSwitchesToTheWaitingTaskAndBack() {
        Program p = TestModels.program("int x;\nvoid f(void) {\n\tx = 1;\n\tx = 2;\n}");
        Machine m = TestModels.machine(p);
        World w = TestModels.world(p, 1, new String[] {"f", "0", "f"}, new String[] {"hog", "0", "cpu_hog"});
        m.step(w, Choice.step(0), false);
        m.step(w, Choice.preempt(0), false);
        int guard = 0;
        while (w.current(0).index() != 2 && guard++ < 100) m.step(w, Choice.step(0), false);
        assertEquals("hog", Machine.taskName(w, w.current(0)));
        guard = 0;
        while (w.current(0).index() != 1 && guard++ < 100) m.step(w, Choice.step(0), false);
        assertEquals("f", Machine.taskName(w, w.current(0)), "the hog's cond_resched gives the CPU back");
        assertEquals(1, TestModels.global(w, "x"));
        assertEquals(1, w.cpu(0).preemptCount(), "f resumes inside __schedule, with preemption disabled");
        guard = 0;
        while (TestModels.global(w, "x") != 2 && guard++ < 100) m.step(w, Choice.step(0), false);
        assertEquals(2, TestModels.global(w, "x"));
        assertEquals(0, w.cpu(0).preemptCount(), "back in f, preempt_count is what f had when it was preempted");
        assertTrue(w.cpu(0).preemptible());
    }

    @Test
    void interruptsAreTakenOnlyWithIrqsOnAndRunTheirHandlerInHardirqContext() {
        Program p = TestModels.program(String.join("\n",
            "int seen;",
            "int handler(int irq, void *dev) { seen = preempt_count(); return 1; }",
            "void f(void) {",
            "\tlocal_irq_disable();",
            "\tsmp_send_reschedule(0);",
            "\tlocal_irq_enable();",
            "}"));
        Machine m = TestModels.machine(p);
        Setup s = new Setup(p, 1);
        s.task("f", 100, 0, "f", new Value[0], kstep.lang.SourcePos.NONE);
        s.requestIrq(1, "test", new Value.Fn("handler"), Value.Nil.NULL, 0);
        World w = s.world();
        m.step(w, Choice.step(0), false);
        m.step(w, Choice.step(0), false);
        assertEquals(List.of(1), w.cpu(0).pendingIrqs());
        assertFalse(m.enabled(w).contains(Choice.irq(0)), "masked");
        m.step(w, Choice.step(0), false);
        assertTrue(m.enabled(w).contains(Choice.irq(0)));
        m.step(w, Choice.irq(0), false);
        assertTrue(w.cpu(0).irqsDisabled(), "exception entry masks interrupts");
        for (int i = 0; i < 6; i++) m.step(w, Choice.step(0), false);
        assertEquals(PreemptCount.HARDIRQ_OFFSET, TestModels.global(w, "seen"));
        assertFalse(w.cpu(0).irqsDisabled(), "eret unmasks them again");
        assertTrue(w.cpu(0).pendingIrqs().isEmpty());
    }

    @Test
    void anIdleCpuWaitsInWfiUntilATaskIsRunnable() {
        Program p = TestModels.program("void f(void) { }");
        Machine m = TestModels.machine(p);
        World w = TestModels.world(p, 2, new String[] {"f", "0", "f"});
        assertEquals(List.of(Choice.step(0)), m.enabled(w), "cpu1 is idle with nothing to run");
        assertEquals("cpu1 is idle (WFI) with nothing to run", m.whyNot(w, Choice.step(1)));
    }

    @Test
    void aWakeUpBeforeScheduleKeepsTheTaskRunning() {
        Program p = TestModels.program(String.join("\n",
            "struct task_struct *sleeper;",
            "int woken;",
            "void waiter(void) {",
            "\tsleeper = current;",
            "\tset_current_state(TASK_INTERRUPTIBLE);",
            "\twoken = wake_up_process(current);",
            "\tschedule();",
            "\twoken = 2;",
            "}"));
        Machine m = TestModels.machine(p);
        World w = TestModels.world(p, 1, new String[] {"w", "0", "waiter"});
        int guard = 0;
        while (TestModels.global(w, "woken") != 2 && guard++ < 60) m.step(w, Choice.step(0), false);
        assertEquals(2, TestModels.global(w, "woken"), "schedule() returned: the task was never taken off the runqueue");
    }

    @Test
    void aTaskWhoseEntryReturnsExitsAndTheCpuGoesIdle() {
        Program p = TestModels.program("void f(void) { }");
        Machine m = TestModels.machine(p);
        World w = TestModels.world(p, 1, new String[] {"f", "0", "f"});
        int guard = 0;
        while (!m.enabled(w).isEmpty() && guard++ < 50) m.step(w, Choice.step(0), false);
        assertTrue(w.current(0).isIdle());
        assertEquals(0x80, w.taskStruct(w.task(1)).getLong("__state"));
        assertTrue(w.task(1).stack().isEmpty());
    }

    @Test
    void aHeldSpinlockHoldsTheOtherCpuBack() {
        Program p = TestModels.program(String.join("\n",
            "struct box { spinlock_t lock; int v; };",
            "void taker(struct box *b) { spin_lock(&b->lock); b->v = 1; spin_unlock(&b->lock); }"));
        Setup s = new Setup(p, 2);
        KObject box = s.allocate("box", "box", kstep.lang.SourcePos.NONE);
        s.task("a", 100, 0, "taker", new Value[] {new Value.Ref(box.id())}, kstep.lang.SourcePos.NONE);
        s.task("b", 101, 1, "taker", new Value[] {new Value.Ref(box.id())}, kstep.lang.SourcePos.NONE);
        World w = s.world();
        Machine m = TestModels.machine(p);
        m.step(w, Choice.step(0), false);
        assertEquals(1, w.cpu(0).preemptCount());
        StepResult spin = m.step(w, Choice.step(1), true);
        assertEquals("cpu1 spins on box.lock held by a on cpu0", spin.events().get(spin.events().size() - 1).text());
        assertEquals(1, w.cpu(1).preemptCount(), "a spinning CPU has preemption disabled");
        assertTrue(w.current(1).top().waiting());
        assertEquals(List.of(Choice.step(0)), m.enabled(w), "cpu1 spins until the lock is free");
        m.step(w, Choice.step(0), false);
        m.step(w, Choice.step(0), false);
        assertTrue(m.enabled(w).contains(Choice.step(1)));
        m.step(w, Choice.step(1), false);
        assertFalse(w.current(1).top().waiting(), "cpu1 took the lock");
        assertEquals(1, w.object(box.id()).getLong("v"), "cpu0 set it while holding the lock");
    }

    @Test
    void modelMistakesNameTheirPosition() {
        SourceError unknown = assertThrows(SourceError.class, () -> TestModels.program("void f(void) {\n\tnosuch(1);\n}"));
        assertEquals("test.kc:2:2: error: unknown function 'nosuch'", unknown.getMessage());
        SourceError arity = assertThrows(SourceError.class, () -> TestModels.program("int g(int a) { return a; }\nvoid f(void) { g(); }"));
        assertEquals("test.kc:2:16: error: g takes 1 arguments, not 0", arity.getMessage());
        SourceError cond = assertThrows(SourceError.class,
            () -> TestModels.program("int g(void) { return 1; }\nvoid f(void) { int x = 1 || g(); }"));
        assertEquals("test.kc:2:29: error: a model function called on the right of '||' runs only sometimes; "
            + "use it in an if condition or split the statement", cond.getMessage());

        Program p = TestModels.program("struct s { int v; };\nstruct s *ptr;\nvoid f(void) {\n\tptr->v = 1;\n}");
        World w = TestModels.world(p, 1, new String[] {"f", "0", "f"});
        ModelRuntimeError e = assertThrows(ModelRuntimeError.class, () -> TestModels.machine(p).step(w, Choice.step(0), true));
        assertEquals("test.kc:4:2: error: NULL pointer dereference", e.getMessage());
    }

    @Test
    void shortCircuitConditionsCallTheRightSideOnlyWhenCWould() {
        Program p = TestModels.program(String.join("\n",
            "int calls;",
            "int g(void) { calls++; return 1; }",
            "void f(void) {",
            "\tif (calls > 5 && g()) calls = 100;",
            "\tif (calls == 0 || g()) calls = calls + 10;",
            "}"));
        Machine m = TestModels.machine(p);
        World w = TestModels.world(p, 1, new String[] {"f", "0", "f"});
        for (int i = 0; i < 10 && !m.enabled(w).isEmpty(); i++) m.step(w, Choice.step(0), false);
        assertEquals(10, TestModels.global(w, "calls"), "g() never ran: && stopped at false, || at true");
    }
}
