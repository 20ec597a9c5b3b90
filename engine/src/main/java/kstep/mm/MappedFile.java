package kstep.mm;

/**
 * The struct file behind a file VMA: VMAs merge only when they map the very same one ({@code id}). {@code name}
 * is what /proc/PID/maps prints, {@code pages} the file's size (an access past it is SIGBUS), {@code shmem}
 * says its vm_ops are shmem's (shared anonymous memory is a shmem file named "/dev/zero (deleted)").
 * {@code writable} is FMODE_WRITE: a shared mapping of a read-only file can never become writable.
 */
public record MappedFile(int id, String name, String dev, long inode, long pages, boolean shmem, boolean writable) {
    public static final String DEV_ZERO = "/dev/zero (deleted)";
    /** The device of kstep's files: a disk's (major:minor, as /proc/PID/maps prints them), and shmem's. */
    public static final String DISK = "fe:01";
    public static final String SHMEM_DEV = "00:01";
}
