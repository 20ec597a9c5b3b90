/*
 * kstep-mm-probe: kstep's own helper for "kstep mm compare". It runs a kstep/kvma VMA script in this
 * process, on the running kernel, and after every operation prints the arena's /proc/self/smaps entries
 * with addresses as offsets from the arena, so kstep can set the kernel's answer beside its own.
 *
 * Output, per operation:  "## N LINE -> RESULT"  then, per VMA wholly inside the arena, its smaps block
 * (header line with offsets, the file shown as FILE, then every field line as the kernel prints it).
 * Written for kstep; built on demand with: cc -O2 -o kstep-mm-probe kstep-mm-probe.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ARENA_PAGES 1024UL

static unsigned long arena, pagesz;
static int scratch = -1;
static sigjmp_buf on_fault;

static void fault_handler(int sig)
{
	(void)sig;
	siglongjmp(on_fault, 1);
}

static unsigned long number(const char *s)
{
	return strtoul(s, NULL, 0);
}

static int protection(const char *s)
{
	return (strchr(s, 'r') ? PROT_READ : 0) | (strchr(s, 'w') ? PROT_WRITE : 0) | (strchr(s, 'x') ? PROT_EXEC : 0);
}

/* Prints the smaps entries that lie inside the arena. */
static void print_arena(void)
{
	char buf[1024];
	int inside = 0;
	FILE *smaps = fopen("/proc/self/smaps", "r");

	if (!smaps)
		return;
	while (fgets(buf, sizeof(buf), smaps)) {
		unsigned long lo, hi, off, inode;
		char perms[8], dev[16], name[512];
		int fields;

		name[0] = '\0';
		fields = sscanf(buf, "%lx-%lx %7s %lx %15s %lu %511[^\n]", &lo, &hi, perms, &off, dev, &inode, name);
		if (fields >= 6 && strchr(buf, '-') && buf[0] != ' ' && strlen(perms) == 4) {
			inside = lo >= arena && hi <= arena + ARENA_PAGES * pagesz;
			if (inside)
				printf("%08lx-%08lx %s %08lx %s\n", lo - arena, hi - arena, perms, off,
				       inode == 0 ? "" : strstr(name, "kstep-mm-probe-") ? "FILE" : name);
			continue;
		}
		if (inside)
			fputs(buf, stdout);
	}
	fclose(smaps);
}

static long run(char *op, char *a, char *b, char *c, char *d, char *e)
{
	void *p;

	if (!strcmp(op, "mmap")) {
		int flags = MAP_FIXED | (strstr(d, "shared") ? MAP_SHARED : MAP_PRIVATE);
		char *file = strstr(d, "file:");
		int fd = -1;
		off_t offset = 0;

		if (file) {
			fd = scratch;
			offset = (off_t)number(file + 5);
		} else {
			flags |= MAP_ANONYMOUS;
		}
		p = mmap((void *)(arena + number(a)), number(b), protection(c), flags, fd, offset);
		return p == MAP_FAILED ? -errno : 0;
	}
	if (!strcmp(op, "munmap"))
		return munmap((void *)(arena + number(a)), number(b)) ? -errno : 0;
	if (!strcmp(op, "mprotect"))
		return mprotect((void *)(arena + number(a)), number(b), protection(c)) ? -errno : 0;
	if (!strcmp(op, "mlock"))
		return mlock((void *)(arena + number(a)), number(b)) ? -errno : 0;
	if (!strcmp(op, "munlock"))
		return munlock((void *)(arena + number(a)), number(b)) ? -errno : 0;
	if (!strcmp(op, "touch")) {
		volatile char *where = (volatile char *)(arena + number(a));

		if (sigsetjmp(on_fault, 1))
			return -EFAULT;
		if (b[0] == 'w')
			*where = 1;
		else
			(void)*where;
		return 0;
	}
	if (!strcmp(op, "mremap")) {
		if (!strcmp(d, "fixed"))
			p = mremap((void *)(arena + number(a)), number(b), number(c), MREMAP_MAYMOVE | MREMAP_FIXED,
				   (void *)(arena + number(e)));
		else
			p = mremap((void *)(arena + number(a)), number(b), number(c), 0);
		return p == MAP_FAILED ? -errno : 0;
	}
	if (!strcmp(op, "madvise")) {
		int advice = !strcmp(c, "dontneed") ? MADV_DONTNEED : !strcmp(c, "dontfork") ? MADV_DONTFORK
			   : !strcmp(c, "dofork") ? MADV_DOFORK : MADV_MERGEABLE;

		return madvise((void *)(arena + number(a)), number(b), advice) ? -errno : 0;
	}
	fprintf(stderr, "kstep-mm-probe: unknown operation '%s'\n", op);
	exit(2);
}

int main(int argc, char **argv)
{
	char path[] = "/tmp/kstep-mm-probe-XXXXXX";
	char line[512];
	struct sigaction sa;
	FILE *in;
	void *region;
	int n = 0;

	pagesz = (unsigned long)sysconf(_SC_PAGESIZE);
	scratch = mkstemp(path);
	if (scratch < 0 || ftruncate(scratch, (off_t)(ARENA_PAGES * pagesz))) {
		perror("kstep-mm-probe: scratch file");
		return 2;
	}
	unlink(path);
	/* reserve twice the arena at the address kstep models, and keep a 2 MiB aligned arena of it */
	region = mmap((void *)0x7e0000000000UL, 2 * ARENA_PAGES * pagesz, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (region == MAP_FAILED) {
		perror("kstep-mm-probe: arena");
		return 2;
	}
	arena = ((unsigned long)region + (1UL << 21) - 1) & ~((1UL << 21) - 1);
	munmap(region, 2 * ARENA_PAGES * pagesz);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fault_handler;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	in = argc > 1 ? fopen(argv[1], "r") : stdin;
	if (!in) {
		perror(argv[1]);
		return 2;
	}
	while (fgets(line, sizeof(line), in)) {
		char op[32] = "", a[32] = "", b[32] = "", c[32] = "", d[32] = "", e[32] = "";
		long result;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		sscanf(line, "%31s %31s %31s %31s %31s %31s", op, a, b, c, d, e);
		errno = 0;
		result = run(op, a, b, c, d, e);
		printf("## %d %s -> %ld\n", ++n, line, result);
		print_arena();
		fflush(stdout);
	}
	return 0;
}
