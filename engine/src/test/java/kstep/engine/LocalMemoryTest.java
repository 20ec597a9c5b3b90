package kstep.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import kstep.lang.ModelRuntimeError;
import kstep.lang.SourceError;

/** Local arrays, pointers into them and the address of a local, as GUP's callers use them (int *locked, struct page **pages). */
class LocalMemoryTest {
    private static World run(String model) {
        Program p = TestModels.program(model);
        Machine m = TestModels.machine(p);
        World w = TestModels.world(p, 1, new String[] {"t", "0", "f"});
        for (int i = 0; i < 200 && !m.enabled(w).isEmpty(); i++) {
            if (w.tasks().get(0).stack.isEmpty()) break;
            m.step(w, Choice.step(0), true);
        }
        return w;
    }

    @Test
    void aCalleeWritesThroughThePointerToACallersLocal() {
        World w = run(String.join("\n",
            "long out;",
            "void drop(int *locked) { *locked = 0; }",
            "void f(void) {",
            "\tint locked = 1;",
            "\tdrop(&locked);",
            "\tout = locked + 10;",
            "}"));
        assertEquals(10, TestModels.global(w, "out"));
    }

    @Test
    void anArrayFillsThroughAMovingPointerAndIndexing() {
        World w = run(String.join("\n",
            "long out;",
            "long fill(long *pages, long n) { long i; for (i = 0; i < n; i++) pages[i] = 100 + i; return n; }",
            "void f(void) {",
            "\tlong pages[4];",
            "\tlong *p = pages;",
            "\tlong done = fill(p, 1);",
            "\tp += done;",
            "\tp++;",
            "\tfill(p, 2);",
            "\tout = pages[0] * 1000000 + pages[1] * 1000 + pages[2] + (p - pages) * 10000000000;",
            "}"));
        // pages[1] was skipped by p++ (still 0), pages[2..3] were filled by the second call
        assertEquals(100_000_000L + 0 + 100 + 2 * 10_000_000_000L, TestModels.global(w, "out"));
    }

    @Test
    void aPointerKeptToAReturnedFramesLocalIsAUseAfterFree() {
        Program p = TestModels.program(String.join("\n",
            "long *kept;",
            "long out;",
            "void g(void) { long cell[1]; kept = cell; }",
            "void f(void) { g(); out = *kept; }"));
        Machine m = new Machine(p, KernelConfig.DEFAULT, List.of(), List.of());
        World w = TestModels.world(p, 1, new String[] {"t", "0", "f"});
        List<Finding> found = new java.util.ArrayList<>();
        for (int i = 0; i < 10 && !w.tasks().get(0).stack.isEmpty(); i++) found.addAll(m.step(w, Choice.step(0), true).findings());
        assertTrue(found.stream().anyMatch(f -> f.kind().equals("use-after-free")), "found: " + found);
    }

    @Test
    void indexingOutsideTheArrayStopsTheRunWithTheLine() {
        ModelRuntimeError e = assertThrows(ModelRuntimeError.class, () -> run(String.join("\n",
            "void f(void) {",
            "\tlong a[2];",
            "\ta[2] = 1;",
            "}")));
        assertTrue(e.getMessage().contains("index 2 is outside f.a[2]"), e.getMessage());
        assertTrue(e.getMessage().contains("test.kc:3"), e.getMessage());
    }

    @Test
    void aParameterWhoseAddressIsTakenCanBeChangedThroughIt() {
        World w = run(String.join("\n",
            "long out;",
            "void add(long *flags, long bits) { *flags |= bits; }",
            "long g(long flags) { add(&flags, 0x10000); return flags; }",
            "void f(void) { out = g(3); }"));
        assertEquals(0x10003, TestModels.global(w, "out"));
    }

    @Test
    void anArraySizeMustBeAConstant() {
        SourceError e = assertThrows(SourceError.class, () -> TestModels.program("void f(int n) {\n\tlong a[n];\n}"));
        assertTrue(e.getMessage().startsWith("test.kc:2:"), e.getMessage());
    }
}
