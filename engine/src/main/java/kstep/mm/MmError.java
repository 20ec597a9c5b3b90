package kstep.mm;

/**
 * An error return deep inside an mm operation (-ENOMEM from split_vma(), -EFAULT from a fault), unwound to
 * the system call, which returns it. Carries no stack trace: it is control flow, as the kernel's error
 * returns are.
 */
final class MmError extends RuntimeException {
    final int errno;

    MmError(int errno) {
        super("errno " + errno, null, false, false);
        this.errno = errno;
    }
}
