/*
 * kstep's BPF probe: loads one program into the running kernel and test-runs it, for `kstep bpf compare`.
 * Input on stdin: optional lines "map TYPE KEY_SIZE VALUE_SIZE MAX_ENTRIES [NAME]" (created in order; a 64-bit
 * load with src_reg 1 and imm N gets map N's fd), then one instruction a line as 16 hex digits (the bytes
 * of struct bpf_insn). Arguments: program type (socket_filter or xdp), log level, packet hex.
 * Output: "accepted 0|1", "errno N", for an accepted program "xlated HEX" and "jited HEX" (the images
 * BPF_OBJ_GET_INFO_BY_FD reports), "retval N" or "run_errno N", then "log" and the verifier log.
 * Needs Linux and the privilege to load BPF programs (root, or CAP_BPF with CAP_PERFMON or CAP_NET_ADMIN).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_INSNS 65536
#define MAX_MAPS 64
#define LOG_SIZE (16 * 1024 * 1024)

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static void print_hex(const char *key, const unsigned char *b, unsigned len)
{
	printf("%s ", key);
	for (unsigned i = 0; i < len; i++)
		printf("%02x", b[i]);
	printf("\n");
}

/* BPF_OBJ_GET_INFO_BY_FD into info (whose buffers the caller set up, or not). */
static int get_info(int fd, struct bpf_prog_info *info)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(*info);
	attr.info.info = (uint64_t)(uintptr_t)info;
	return (int)sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr);
}

/* The xlated and jited images of a loaded program; nothing when the kernel will not say. */
static void print_images(int fd)
{
	struct bpf_prog_info info;
	unsigned char *x, *j;
	unsigned xl, jl;

	memset(&info, 0, sizeof(info));
	if (get_info(fd, &info) < 0)
		return;
	xl = info.xlated_prog_len;
	jl = info.jited_prog_len;
	x = calloc(1, xl + 1);
	j = calloc(1, jl + 1);
	if (!x || !j) {
		free(x);
		free(j);
		return;
	}
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = xl;
	info.xlated_prog_insns = (uint64_t)(uintptr_t)x;
	info.jited_prog_len = jl;
	info.jited_prog_insns = (uint64_t)(uintptr_t)j;
	if (get_info(fd, &info) == 0) {
		print_hex("xlated", x, xl);
		print_hex("jited", j, jl);
	}
	free(x);
	free(j);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_hex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;

	while (s[0] && s[1] && n < max) {
		int hi = hexval(s[0]), lo = hexval(s[1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return (int)n;
}

int main(int argc, char **argv)
{
	static struct bpf_insn insns[MAX_INSNS];
	static unsigned char packet[65536];
	static char line[256];
	int map_fds[MAX_MAPS];
	int nmaps = 0, n = 0, pkt_len = 0;
	char *log;
	union bpf_attr attr;
	int type, level, fd;

	if (argc < 4) {
		fprintf(stderr, "usage: %s socket_filter|xdp LOG_LEVEL PACKET_HEX < program\n", argv[0]);
		return 2;
	}
	type = strcmp(argv[1], "xdp") == 0 ? BPF_PROG_TYPE_XDP : BPF_PROG_TYPE_SOCKET_FILTER;
	level = atoi(argv[2]);
	pkt_len = parse_hex(argv[3], packet, sizeof(packet));
	if (pkt_len < 0) {
		fprintf(stderr, "bad packet hex\n");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		unsigned int mt, ks, vs, me;
		unsigned char b[8];
		char name[16] = "";

		if (sscanf(line, "map %u %u %u %u %15s", &mt, &ks, &vs, &me, name) >= 4) {
			if (nmaps == MAX_MAPS)
				return 2;
			memset(&attr, 0, sizeof(attr));
			attr.map_type = mt;
			attr.key_size = ks;
			attr.value_size = vs;
			attr.max_entries = me;
			strncpy(attr.map_name, name, sizeof(attr.map_name) - 1);
			map_fds[nmaps] = (int)sys_bpf(BPF_MAP_CREATE, &attr);
			if (map_fds[nmaps] < 0) {
				printf("accepted 0\nerrno %d\nlog\nmap %d: BPF_MAP_CREATE failed: %s\n", errno, nmaps, strerror(errno));
				return 0;
			}
			nmaps++;
			continue;
		}
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0])
			continue;
		if (n == MAX_INSNS || parse_hex(line, b, 8) != 8) {
			fprintf(stderr, "bad instruction line: %s\n", line);
			return 2;
		}
		memcpy(&insns[n++], b, 8);
	}
	for (int i = 0; i < n; i++) {
		if (insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) && insns[i].src_reg == BPF_PSEUDO_MAP_FD) {
			if (insns[i].imm < 0 || insns[i].imm >= nmaps) {
				fprintf(stderr, "instruction %d refers to map %d of %d\n", i, insns[i].imm, nmaps);
				return 2;
			}
			insns[i].imm = map_fds[insns[i].imm];
		}
	}
	log = calloc(1, LOG_SIZE);
	if (!log)
		return 1;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = type;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = n;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = LOG_SIZE;
	attr.log_level = level;
	fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0) {
		printf("accepted 0\nerrno %d\nlog\n%s", errno, log);
		return 0;
	}
	printf("accepted 1\nerrno 0\n");
	print_images(fd);
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	attr.test.data_in = (uint64_t)(uintptr_t)packet;
	attr.test.data_size_in = pkt_len;
	attr.test.repeat = 1;
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr) < 0)
		printf("run_errno %d\n", errno);
	else
		printf("retval %u\n", attr.test.retval);
	printf("log\n%s", log);
	return 0;
}
