package kstep.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;

class PreprocessorTest {
    private static final String TEXT = String.join("\n",
        "int a;",              // 1
        "#ifdef FIX",          // 2
        "int fixed;",          // 3
        "#else",               // 4
        "int buggy;",          // 5
        "#endif",              // 6
        "#if defined(FIX) && !defined(OLD)", // 7
        "int modern;",         // 8
        "#elif defined(OLD)",  // 9
        "int old;",            // 10
        "#endif",              // 11
        "");

    @Test
    void ifdefElseSelectsOneBranchAndKeepsLineNumbers() {
        ModelSource.Preprocessed p = new ModelSource("m.kc", TEXT).preprocess(Set.of("FIX"));
        assertTrue(p.isActive(1));
        assertFalse(p.isActive(2), "directive lines are never compiled");
        assertTrue(p.isActive(3));
        assertFalse(p.isActive(5));
        assertTrue(p.isActive(8));
        assertFalse(p.isActive(10));
        assertEquals(TEXT.split("\n", -1).length, p.text().split("\n", -1).length, "inactive lines are blanked, not removed");
        assertEquals("int fixed;", p.text().split("\n")[2]);
        assertEquals("", p.text().split("\n")[4]);
    }

    @Test
    void elifTakesTheFirstTrueBranchOnly() {
        ModelSource.Preprocessed p = new ModelSource("m.kc", TEXT).preprocess(Set.of("FIX", "OLD"));
        assertFalse(p.isActive(8));
        assertTrue(p.isActive(10));
        ModelSource.Preprocessed none = new ModelSource("m.kc", TEXT).preprocess(Set.of());
        assertTrue(none.isActive(5));
        assertFalse(none.isActive(8));
        assertFalse(none.isActive(10));
    }

    @Test
    void unbalancedConditionalsNameTheirLine() {
        SourceError e = assertThrows(SourceError.class, () -> new ModelSource("m.kc", "int a;\n#ifdef X\nint b;\n").preprocess(Set.of()));
        assertEquals("m.kc:2:1: error: #if without #endif", e.getMessage());
        SourceError e2 = assertThrows(SourceError.class, () -> new ModelSource("m.kc", "int a;\n  #endif\n").preprocess(Set.of()));
        assertEquals("m.kc:2:3: error: #endif without #if", e2.getMessage());
        SourceError e3 = assertThrows(SourceError.class, () -> new ModelSource("m.kc", "#include <x.h>\n").preprocess(Set.of()));
        assertEquals("m.kc:1:1: error: unknown directive #include", e3.getMessage());
    }
}
