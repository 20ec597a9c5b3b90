package kstep.engine;

/** C integer arithmetic on 64-bit values, shared by constant folding and run time. */
final class Arith {
    private Arith() { }

    static long binary(String op, long a, long b) {
        return switch (op) {
            case "+" -> a + b;
            case "-" -> a - b;
            case "*" -> a * b;
            case "/" -> a / b;
            case "%" -> a % b;
            case "&" -> a & b;
            case "|" -> a | b;
            case "^" -> a ^ b;
            case "<<" -> a << b;
            case ">>" -> a >> b;
            case "<" -> a < b ? 1 : 0;
            case ">" -> a > b ? 1 : 0;
            case "<=" -> a <= b ? 1 : 0;
            case ">=" -> a >= b ? 1 : 0;
            case "==" -> a == b ? 1 : 0;
            case "!=" -> a != b ? 1 : 0;
            case "&&" -> (a != 0 && b != 0) ? 1 : 0;
            case "||" -> (a != 0 || b != 0) ? 1 : 0;
            default -> throw new IllegalArgumentException("operator " + op);
        };
    }
}
