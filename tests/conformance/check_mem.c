/* Memory: mmap/munmap/mprotect/mremap/brk/madvise. */
#include "conformance.h"

#include <setjmp.h>
#include <sys/mman.h>

static long page_size(void) { return sysconf(_SC_PAGESIZE); }

static void* map_anon(size_t len, int prot, int flags) {
    void* p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        FAIL("expected anonymous mmap of %zu bytes to succeed / got -1 %s", len, errname(errno));
    return p;
}

/* Fault catching: the handler records the signal and jumps back. */
static sigjmp_buf fault_jmp;
static volatile int fault_sig, fault_code;
static void* volatile fault_addr;

static void fault_handler(int sig, siginfo_t* si, void* ctx) {
    (void)ctx;
    fault_sig = sig;
    fault_code = si->si_code;
    fault_addr = si->si_addr;
    siglongjmp(fault_jmp, 1);
}

/* Writes (or reads) one byte at p; returns the signal it raised, or 0. */
static int touch(volatile char* p, int write) {
    fault_sig = 0;
    fault_code = 0;
    fault_addr = NULL;
    set_action(SIGSEGV, fault_handler, 0);
    set_action(SIGBUS, fault_handler, 0);
    if (sigsetjmp(fault_jmp, 1) == 0) {
        if (write)
            *p = 42;
        else
            (void)*p;
    }
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    return fault_sig;
}

static void mem_mmap_len0_einval(void) {
    EXPECT_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
}

static void mem_mmap_flags_einval(void) {
    EXPECT_ERR(mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
    EXPECT_ERR(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 0, 1), EINVAL);
}

static void mem_mmap_bad_fd(void) {
    EXPECT_ERR(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
    int fd = OK(open(".", O_RDONLY));
    close(fd);
    EXPECT_ERR(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0), EBADF);
}

static void mem_mmap_file_access(void) {
    put_str("f", "data");
    int fd = OK(open("f", O_WRONLY));
    EXPECT_ERR(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0), EACCES);
    close(fd);
    fd = OK(open("f", O_RDONLY));
    EXPECT_ERR(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
    /* a private writable mapping of a read-only fd is fine */
    void* p = (void*)OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
    OK(munmap(p, 4096));
    EXPECT_ERR(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 1), EINVAL);
    close(fd);
}

static void mem_anon_zeroed(void) {
    long ps = page_size();
    unsigned char* p = map_anon((size_t)ps * 4, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    for (long i = 0; i < ps * 4; i++)
        EXPECT(p[i] == 0, "expected a fresh anonymous page zeroed / got %d at %ld", p[i], i);
    p[0] = 1;
    p[ps * 4 - 1] = 2;
    OK(munmap(p, (size_t)ps * 4));
}

static void mem_munmap_unaligned_einval(void) {
    long ps = page_size();
    char* p = map_anon((size_t)ps * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    EXPECT_ERR(munmap(p + 1, (size_t)ps), EINVAL);
    EXPECT_ERR(munmap(p, 0), EINVAL);
    OK(munmap(p, (size_t)ps * 2));
    OK(munmap(p, (size_t)ps * 2)); /* unmapping nothing is not an error */
}

static void mem_munmap_then_fault(void) {
    long ps = page_size();
    char* p = map_anon((size_t)ps * 3, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    p[ps] = 1;
    OK(munmap(p + ps, (size_t)ps));
    EXPECT_EQ(touch(p + ps, 0), SIGSEGV);
    EXPECT_EQ(fault_code, SEGV_MAPERR);
    EXPECT(fault_addr == p + ps, "expected si_addr %p / got %p", (void*)(p + ps), fault_addr);
    EXPECT_EQ(touch(p, 1), 0);
    EXPECT_EQ(touch(p + 2 * ps, 1), 0);
}

static void mem_mprotect_fault(void) {
    long ps = page_size();
    char* p = map_anon((size_t)ps, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    p[10] = 'a';
    OK(mprotect(p, (size_t)ps, PROT_READ));
    EXPECT_EQ(touch(p + 10, 0), 0);
    EXPECT_EQ(touch(p + 10, 1), SIGSEGV);
    EXPECT_EQ(fault_code, SEGV_ACCERR);
    EXPECT(fault_addr == p + 10, "expected si_addr %p / got %p", (void*)(p + 10), fault_addr);
    EXPECT_EQ(p[10], 'a');
    OK(mprotect(p, (size_t)ps, PROT_NONE));
    EXPECT_EQ(touch(p, 0), SIGSEGV);
    OK(mprotect(p, (size_t)ps, PROT_READ | PROT_WRITE));
    EXPECT_EQ(touch(p + 10, 1), 0);
    EXPECT_EQ(p[10], 42);
    EXPECT_ERR(mprotect(p + 1, (size_t)ps, PROT_READ), EINVAL);
    OK(munmap(p, (size_t)ps));
}

static void mem_map_fixed(void) {
    long ps = page_size();
    char* base = map_anon((size_t)ps * 4, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    memset(base, 'x', (size_t)ps * 4);
    char* want = base + ps;
    char* p = mmap(want, (size_t)ps, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    EXPECT(p == want, "expected MAP_FIXED at %p / got %p", (void*)want, (void*)p);
    EXPECT_EQ(p[0], 0); /* replaced by a fresh page */
    EXPECT_EQ(base[0], 'x');
    EXPECT_EQ(base[2 * ps], 'x');
    EXPECT_ERR(
        mmap(base + 1, (size_t)ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
        EINVAL);
    OK(munmap(base, (size_t)ps * 4));
}

static void mem_map_fixed_noreplace(void) {
    long ps = page_size();
    char* base = map_anon((size_t)ps * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    EXPECT_ERR(mmap(base + ps, (size_t)ps, PROT_READ,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
               EEXIST);
    OK(munmap(base + ps, (size_t)ps));
    char* p = mmap(base + ps, (size_t)ps, PROT_READ,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    EXPECT(p == base + ps, "expected MAP_FIXED_NOREPLACE at %p / got %p", (void*)(base + ps),
           (void*)p);
    OK(munmap(base, (size_t)ps * 2));
}

static void mem_mremap_grow(void) {
    long ps = page_size();
    char* p = map_anon((size_t)ps, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    memset(p, 'm', (size_t)ps);
    char* q = mremap(p, (size_t)ps, (size_t)ps * 8, MREMAP_MAYMOVE);
    EXPECT(q != MAP_FAILED, "expected mremap to grow / got -1 %s", errname(errno));
    for (long i = 0; i < ps; i++)
        EXPECT(q[i] == 'm', "expected the old contents kept / got %d at %ld", q[i], i);
    for (long i = ps; i < ps * 8; i++)
        EXPECT(q[i] == 0, "expected the new pages zeroed / got %d at %ld", q[i], i);
    q[ps * 8 - 1] = 1;
    char* r = mremap(q, (size_t)ps * 8, (size_t)ps * 2, 0);
    EXPECT(r == q, "expected shrinking in place / got %p for %p", (void*)r, (void*)q);
    EXPECT_EQ(touch(q + ps * 3, 0), SIGSEGV);
    EXPECT_ERR(mremap(q + 1, (size_t)ps, (size_t)ps * 2, MREMAP_MAYMOVE), EINVAL);
    OK(munmap(q, (size_t)ps * 2));
}

static void mem_brk(void) {
    long ps = page_size();
    char* cur = (char*)syscall(SYS_brk, 0);
    EXPECT(cur != NULL && cur != (char*)-1, "expected brk(0) to return the break / got %p",
           (void*)cur);
    EXPECT_EQ(syscall(SYS_brk, 0), (long)cur);
    char* want = cur + 16 * ps;
    EXPECT_EQ(syscall(SYS_brk, want), (long)want);
    want[-1] = 'b';
    cur[0] = 'a';
    EXPECT_EQ(want[-1], 'b');
    EXPECT_EQ(syscall(SYS_brk, cur), (long)cur);
    /* a request below the data segment fails: the break stays where it was */
    EXPECT_EQ(syscall(SYS_brk, (void*)4096), (long)cur);
}

static void mem_shared_anon_fork(void) {
    volatile int* p = map_anon(4096, PROT_READ | PROT_WRITE, MAP_SHARED);
    p[0] = 7;
    pid_t pid = xfork();
    if (pid == 0) {
        if (p[0] != 7)
            _exit(2);
        p[1] = 42;
        _exit(0);
    }
    expect_exit(pid, 0);
    EXPECT_EQ(p[1], 42);
    OK(munmap((void*)p, 4096));
}

static void mem_private_anon_fork(void) {
    volatile int* p = map_anon(4096, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    p[0] = 7;
    int sync[2];
    xpipe(sync, 0);
    pid_t pid = xfork();
    if (pid == 0) {
        char c;
        read_exact(sync[0], &c, 1); /* after the parent wrote 8 */
        if (p[0] != 7)
            _exit(2);
        p[0] = 9;
        _exit(0);
    }
    p[0] = 8;
    write_all(sync[1], "g", 1);
    expect_exit(pid, 0);
    EXPECT_EQ(p[0], 8);
    close(sync[0]);
    close(sync[1]);
}

static void fill_file(const char* path, long len) {
    char buf[8192];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)('a' + i % 26);
    int fd = OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
    for (long done = 0; done < len;) {
        long n = len - done < (long)sizeof buf ? len - done : (long)sizeof buf;
        write_all(fd, buf, (size_t)n);
        done += n;
    }
    close(fd);
}

static void mem_file_private(void) {
    long ps = page_size();
    fill_file("f", ps * 2);
    int fd = OK(open("f", O_RDWR));
    char* p = (char*)OK(mmap(NULL, (size_t)ps * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
    EXPECT_MEM(p, "abcdefgh", 8);
    p[0] = 'Z';
    char c;
    EXPECT_EQ(pread(fd, &c, 1, 0), 1);
    EXPECT_EQ(c, 'a');
    OK(munmap(p, (size_t)ps * 2));
    p = (char*)OK(mmap(NULL, (size_t)ps, PROT_READ, MAP_PRIVATE, fd, ps));
    EXPECT_EQ(p[0], (char)('a' + ps % 26));
    OK(munmap(p, (size_t)ps));
    close(fd);
}

static void mem_file_shared(void) {
    long ps = page_size();
    fill_file("f", ps);
    int fd = OK(open("f", O_RDWR));
    char* p = (char*)OK(mmap(NULL, (size_t)ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    memcpy(p, "HELLO", 5);
    char buf[8];
    EXPECT_EQ(pread(fd, buf, 5, 0), 5);
    EXPECT_MEM(buf, "HELLO", 5);
    EXPECT_EQ(pwrite(fd, "wxyz", 4, 100), 4);
    EXPECT_MEM(p + 100, "wxyz", 4);
    OK(msync(p, (size_t)ps, MS_SYNC));
    OK(munmap(p, (size_t)ps));
    close(fd);
    char all[16];
    get_file("f", all, sizeof all);
    EXPECT_MEM(all, "HELLOfghij", 10);
}

static void mem_file_shared_fork(void) {
    long ps = page_size();
    fill_file("f", ps);
    int fd = OK(open("f", O_RDWR));
    char* p = (char*)OK(mmap(NULL, (size_t)ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    pid_t pid = xfork();
    if (pid == 0) {
        memcpy(p + 8, "CHILD", 5);
        _exit(0);
    }
    expect_exit(pid, 0);
    EXPECT_MEM(p + 8, "CHILD", 5);
    OK(munmap(p, (size_t)ps));
    close(fd);
}

static void mem_sigbus_beyond_eof(void) {
    long ps = page_size();
    put_str("f", "short");
    int fd = OK(open("f", O_RDONLY));
    char* p = (char*)OK(mmap(NULL, (size_t)ps * 2, PROT_READ, MAP_PRIVATE, fd, 0));
    EXPECT_MEM(p, "short", 5);
    EXPECT_EQ(p[5], 0); /* the rest of the last page reads as zeros */
    EXPECT_EQ(p[ps - 1], 0);
    EXPECT_EQ(touch(p + ps, 0), SIGBUS);
    OK(munmap(p, (size_t)ps * 2));
    close(fd);
}

/* A file truncated under its mappings: the pages past the new end are gone
 * (SIGBUS), and once the file grows again with write(2) every mapping sees
 * the new bytes, private ones included (they never wrote). */
static void mem_mapping_after_truncate(void) {
    long ps = page_size();
    static char buf[8192];
    memset(buf, 'a', sizeof buf);
    int fd = OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
    EXPECT_EQ(write(fd, buf, (size_t)ps * 2), ps * 2);
    char* sh = (char*)OK(mmap(NULL, (size_t)ps * 2, PROT_READ, MAP_SHARED, fd, 0));
    char* pr = (char*)OK(mmap(NULL, (size_t)ps * 2, PROT_READ, MAP_PRIVATE, fd, 0));
    EXPECT_EQ(sh[ps], 'a');
    EXPECT_EQ(pr[ps], 'a');
    OK(ftruncate(fd, 0));
    EXPECT_EQ(touch(sh + ps, 0), SIGBUS);
    EXPECT_EQ(touch(pr, 0), SIGBUS);
    memset(buf, 'b', sizeof buf);
    EXPECT_EQ(pwrite(fd, buf, (size_t)ps * 2, 0), ps * 2);
    EXPECT_EQ(sh[0], 'b');
    EXPECT_EQ(sh[ps], 'b');
    EXPECT_EQ(pr[0], 'b');
    EXPECT_EQ(pr[ps], 'b');
    OK(munmap(sh, (size_t)ps * 2));
    OK(munmap(pr, (size_t)ps * 2));
    close(fd);
}

static void mem_madvise_dontneed(void) {
    long ps = page_size();
    char* p = map_anon((size_t)ps * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    memset(p, 'd', (size_t)ps * 2);
    OK(madvise(p, (size_t)ps, MADV_DONTNEED));
    EXPECT_EQ(p[0], 0);
    EXPECT_EQ(p[ps], 'd');
    EXPECT_ERR(madvise(p + 1, (size_t)ps, MADV_DONTNEED), EINVAL);
    OK(munmap(p, (size_t)ps * 2));
}

const struct check mem_checks[] = {
    CHECK_ENTRY(mem, mmap_len0_einval),
    CHECK_ENTRY(mem, mmap_flags_einval),
    CHECK_ENTRY(mem, mmap_bad_fd),
    CHECK_ENTRY(mem, mmap_file_access),
    CHECK_ENTRY(mem, anon_zeroed),
    CHECK_ENTRY(mem, munmap_unaligned_einval),
    CHECK_ENTRY(mem, munmap_then_fault),
    CHECK_ENTRY(mem, mprotect_fault),
    CHECK_ENTRY(mem, map_fixed),
    CHECK_ENTRY(mem, map_fixed_noreplace),
    CHECK_ENTRY(mem, mremap_grow),
    CHECK_ENTRY(mem, brk),
    CHECK_ENTRY(mem, shared_anon_fork),
    CHECK_ENTRY(mem, private_anon_fork),
    CHECK_ENTRY(mem, file_private),
    CHECK_ENTRY(mem, file_shared),
    CHECK_ENTRY(mem, file_shared_fork),
    CHECK_ENTRY(mem, sigbus_beyond_eof),
    CHECK_ENTRY(mem, mapping_after_truncate),
    CHECK_ENTRY(mem, madvise_dontneed),
};
const size_t mem_checks_count = sizeof mem_checks / sizeof mem_checks[0];
