package kstep.engine;

import java.util.Map;

/**
 * What user space sees of a system call, for scenarios whose story ends in a program: a negative return is
 * an errno, and the program prints it as it would ("cat: FILE: Resource temporarily unavailable").
 */
public final class UserBuiltins {
    /** strerror() for the errnos the models return. */
    static final Map<Integer, String> STRERROR = Map.ofEntries(
        Map.entry(1, "Operation not permitted"), Map.entry(2, "No such file or directory"), Map.entry(4, "Interrupted system call"),
        Map.entry(5, "Input/output error"), Map.entry(11, "Resource temporarily unavailable"), Map.entry(12, "Cannot allocate memory"),
        Map.entry(13, "Permission denied"), Map.entry(14, "Bad address"), Map.entry(16, "Device or resource busy"),
        Map.entry(17, "File exists"), Map.entry(22, "Invalid argument"), Map.entry(28, "No space left on device"));

    private UserBuiltins() { }

    public static void register(Builtins b) {
        b.add("syscall_result", 4, "user space gets ret from call on path; a negative errno is reported as the program prints it",
            (x, a) -> {
                long ret = a.l(3);
                if (ret < 0) {
                    int errno = (int) -ret;
                    String text = STRERROR.getOrDefault(errno, "Unknown error " + errno);
                    x.finding("syscall-error", a.str(0) + ": " + a.str(2) + ": " + text + "\n(" + a.str(1) + "() returned -" + errno + ")");
                }
                return a.get(3);
            });
    }
}
