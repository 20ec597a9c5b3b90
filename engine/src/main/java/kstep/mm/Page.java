package kstep.mm;

/**
 * A resident page of a VMA as smaps counts it: anonymous (a private page written, or copied on write) or the
 * file's page cache page (shmem too), dirty or clean. The zero page a read of untouched anonymous memory
 * maps is not a normal page and is not kept. Every page here has just been faulted in, so it is referenced.
 */
public record Page(boolean anon, boolean dirty) { }
