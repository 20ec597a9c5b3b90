package kstep.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ParserTest {
    private static List<Ast.Decl> parse(String text) {
        return Parser.parseFile(new ModelSource("t.kc", text).preprocess(Set.of()));
    }

    private static String error(String text) {
        return assertThrows(SourceError.class, () -> parse(text)).getMessage();
    }

    @Test
    void readsKernelStyleDeclarations() {
        List<Ast.Decl> d = parse(String.join("\n",
            "#define IN_WFI (1 << 7)",
            "enum { A, B = 4, C };",
            "struct its_vpe { bool resident; struct kvm_vcpu *vcpu; u64 bits; };",
            "typedef struct its_vpe its_vpe_t;",
            "/* follows drivers/irqchip/irq-gic-v4.c its_make_vpe_resident */",
            "static inline int f(struct its_vpe *vpe, bool db)",
            "{",
            "\tif (!vpe->resident || db) return 0; else vpe->bits |= IN_WFI;",
            "\tfor (int i = 0; i < 3; i++) { continue; }",
            "\tswitch (db) { case 0: break; default: break; }",
            "out:",
            "\treturn vpe->bits;",
            "}"));
        assertEquals(5, d.size());
        Ast.FunctionDecl f = assertInstanceOf(Ast.FunctionDecl.class, d.get(4));
        assertEquals("f", f.name());
        assertEquals(2, f.params().size());
        assertEquals("follows drivers/irqchip/irq-gic-v4.c its_make_vpe_resident", f.doc());
        assertEquals(new SourcePos("t.kc", 13, 1), f.end());
    }

    @Test
    void syntaxErrorsNameFileLineAndColumn() {
        assertEquals("t.kc:2:1: error: expected ';' but found '}'", error("void f(void) { g()\n}"));
        assertEquals("t.kc:1:16: error: 'else' without a matching 'if'", error("void f(void) { else; }"));
        assertEquals("t.kc:1:1: error: expected a type but found 'foo'", error("foo bar;"));
        assertEquals("t.kc:1:14: error: this '{' is never closed", error("void f(void) { int a;"));
        assertEquals("t.kc:1:8: error: unterminated comment", error("int a; /* no end"));
        assertEquals("t.kc:1:20: error: the left side of '=' must be a variable, a field, an element or *pointer", error("void f(void) { f() = 1; }"));
    }

    @Test
    void expressionsKeepTheirOriginInTheScenarioFile() {
        SourceError e = assertThrows(SourceError.class,
            () -> Parser.parseExpression("vcpu0->x >= ", new SourcePos("s.yaml", 12, 6)));
        assertEquals("s.yaml:12:18: error: unexpected end of file", e.getMessage());
        Ast.Expr ok = Parser.parseExpression("a->b == 1 && !c", new SourcePos("s.yaml", 3, 1));
        assertInstanceOf(Ast.Binary.class, ok);
    }
}
