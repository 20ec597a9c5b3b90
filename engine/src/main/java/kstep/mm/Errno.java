package kstep.mm;

/** The errno values the mm system calls return (include/uapi/asm-generic/errno-base.h). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int EOVERFLOW = 75;

    private Errno() { }
}
