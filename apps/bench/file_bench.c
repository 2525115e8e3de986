/* Reading a small file: pread of 64 bytes and of 4 KiB at offset 0, over
   and over, from a file in /tmp and from this program's own file. On
   RustOS the kernel offloads each call to vfsd; /tmp is vfsd's tmpfs and
   the program's file lies in the read-only boot bundle. On Linux both come
   from the page cache. */
#include "bench.h"

#include <fcntl.h>

static void bench_pread(const char* name, int fd, size_t len, uint64_t ops) {
    if (!bench_selected(name))
        return;
    static char buf[4096];
    for (uint64_t i = 0; i < bench_warmup(ops); ++i)
        pread(fd, buf, len, 0);
    uint64_t t0 = bench_now_ns();
    for (uint64_t i = 0; i < ops; ++i) {
        ssize_t n = pread(fd, buf, len, 0);
        if (n != (ssize_t)len) {
            bench_fail(name, n < 0 ? "pread" : "pread came back short", n < 0 ? errno : 0);
            return;
        }
    }
    bench_report(name, bench_now_ns() - t0, ops);
}

/* A 4 KiB file in /tmp, unlinked at once (the open fd keeps it). */
static int make_tmp_file(void) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/file-bench.%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return -1;
    unlink(path);
    char block[4096];
    memset(block, 'x', sizeof block);
    if (write(fd, block, sizeof block) != (ssize_t)sizeof block) {
        close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char** argv) {
    if (bench_init(argc, argv))
        return 2;
    int tmp = make_tmp_file();
    if (tmp < 0) {
        bench_fail("pread-tmp", "cannot create a 4 KiB file in /tmp", errno);
    } else {
        bench_pread("pread-tmp-64B", tmp, 64, bench_ops(20000));
        bench_pread("pread-tmp-4K", tmp, 4096, bench_ops(10000));
        close(tmp);
    }
    const char* self = bench_self_exe();
    int exe = self ? open(self, O_RDONLY) : -1;
    if (exe < 0) {
        bench_fail("pread-exe", "cannot open /proc/self/exe's target", self ? errno : 0);
    } else {
        bench_pread("pread-exe-64B", exe, 64, bench_ops(20000));
        bench_pread("pread-exe-4K", exe, 4096, bench_ops(10000));
        close(exe);
    }
    return bench_exit_status();
}
