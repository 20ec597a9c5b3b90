package kstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import kstep.engine.PreemptCount;
import kstep.engine.Runner;
import kstep.engine.StepRecord;
import kstep.engine.Trace;
import kstep.engine.Value;
import kstep.engine.World;
import kstep.scenario.ScenarioLoader;

/**
 * How each lock type admits, queues and hands over (Documentation/locking/mutex-design.rst, rwsem, the
 * spinlock API): the semantics cases under src/test/resources/locks, checked at their noted steps.
 */
class LockSemanticsTest {
    static Trace run(String name) throws Exception {
        Path file = Path.of(LockSemanticsTest.class.getClassLoader().getResource("locks/" + name + ".yaml").toURI());
        Runner.Result r = ScenarioLoader.load(file).instantiate("case").runDefault();
        assertEquals(Runner.Outcome.END, r.outcome(), name);
        assertTrue(r.trace().findings().isEmpty(), name + ": " + r.trace().findings());
        return r.trace();
    }

    static World after(Trace t, String note) {
        for (StepRecord r : t.steps()) if (note.equals(r.note())) return t.worldAt(r.n());
        throw new AssertionError("no step noted '" + note + "'");
    }

    static long global(World w, String name) {
        return ((Value.Int) w.global(name)).v();
    }

    static LockTable.Row row(World w, String lock) {
        for (LockTable.Row r : LockTable.of(w).rows()) if (r.name().equals(lock)) return r;
        throw new AssertionError("no lock " + lock + " in " + LockTable.of(w).rows());
    }

    @Test
    void mutexWaitersAreServedInTheOrderTheyQueued() throws Exception {
        Trace t = run("mutex-fifo");
        World queued = after(t, "c sleeps behind b.");
        LockTable.Row m = row(queued, "mtx");
        assertEquals(List.of("a (pid 301, cpu0)"), m.holders());
        assertEquals(List.of("b (sleeping)", "c (sleeping)"), m.waiters());
        World end = t.worldAt(t.length());
        assertEquals(1, global(end, "got_a"));
        assertEquals(2, global(end, "got_b"), "the first waiter is handed the mutex");
        assertEquals(3, global(end, "got_c"));
    }

    @Test
    void rwlockReadersShareItAndTheWriterSpins() throws Exception {
        Trace t = run("rwlock-readers");
        World both = after(t, "r2 read-locks too.");
        assertEquals(2, both.named("rwl").getLong("readers"));
        World spinning = after(t, "the writer spins.");
        assertEquals(List.of("w (spinning on cpu2)"), row(spinning, "rwl").waiters());
        assertTrue(spinning.current(2).top().waiting(), "cpu2 spins on the write_lock statement");
        assertEquals(PreemptCount.PREEMPT_OFFSET, spinning.cpu(2).preemptCount(), "a spinning writer has preemption off");
        World end = t.worldAt(t.length());
        assertEquals(2, global(end, "readers_seen"), "the second reader saw both inside");
        assertEquals(0, end.named("rwl").getLong("readers"));
    }

    @Test
    void aReaderArrivingAfterAWaitingWriterWaitsBehindIt() throws Exception {
        Trace t = run("rwsem-writer-first");
        World queued = after(t, "rc waits behind wb.");
        assertEquals(List.of("wb (sleeping)", "rc (reader, sleeping)"), row(queued, "rws").waiters());
        World end = t.worldAt(t.length());
        assertEquals(1, global(end, "got_a"));
        assertEquals(2, global(end, "got_b"), "the writer goes before the later reader");
        assertEquals(3, global(end, "got_c"));
    }

    @Test
    void aSemaphoreAdmitsAsManyAsItsCount() throws Exception {
        Trace t = run("semaphore-count");
        World full = after(t, "c sleeps.");
        assertEquals(0, full.named("sem").getLong("count"));
        assertEquals(List.of("c (sleeping)"), row(full, "sem").waiters());
        World handed = after(t, "a's up() hands its slot straight to c.");
        assertEquals(0, handed.named("sem").getLong("count"), "up() with a waiter does not raise the count");
        assertEquals(List.of(), row(handed, "sem").waiters(), "c was taken off the list and owns the slot");
        assertEquals(3, global(t.worldAt(t.length()), "got_c"));
    }

    @Test
    void irqsaveNestsAndRestoresAndBhDisablesSoftirqs() throws Exception {
        Trace t = run("irqsave-nesting");
        World outer = t.worldAt(1);
        assertTrue(outer.cpu(0).irqsDisabled());
        assertEquals(1, outer.cpu(0).preemptCount());
        World inner = t.worldAt(2);
        assertEquals(2, inner.cpu(0).preemptCount());
        World innerOff = t.worldAt(3);
        assertTrue(innerOff.cpu(0).irqsDisabled(), "the inner restore keeps interrupts off: the outer saved 'on'");
        World restored = t.worldAt(4);
        assertTrue(!restored.cpu(0).irqsDisabled());
        assertEquals(0, restored.cpu(0).preemptCount());
        World bh = t.worldAt(5);
        assertEquals(PreemptCount.SOFTIRQ_DISABLE_OFFSET + PreemptCount.PREEMPT_OFFSET, bh.cpu(0).preemptCount());
        assertEquals("task", PreemptCount.context(bh.cpu(0).preemptCount()), "bottom halves disabled is still task context");
        assertEquals(0, t.worldAt(6).cpu(0).preemptCount());
    }
}
