/* Pipes, AF_UNIX sockets, poll/select, epoll. */
#include "conformance.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>

/* ---- pipes ------------------------------------------------------------------- */

static void pipe_pipe2_cloexec(void) {
    int p[2];
    OK(pipe2(p, O_CLOEXEC));
    EXPECT_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
    EXPECT_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
    close(p[0]);
    close(p[1]);
    OK(pipe2(p, 0));
    EXPECT_EQ(fcntl(p[0], F_GETFD), 0);
    EXPECT_EQ(fcntl(p[1], F_GETFD), 0);
    close(p[0]);
    close(p[1]);
    OK(pipe2(p, O_NONBLOCK));
    EXPECT(fcntl(p[0], F_GETFL) & O_NONBLOCK, "expected O_NONBLOCK on the read end / got 0x%x",
           fcntl(p[0], F_GETFL));
    close(p[0]);
    close(p[1]);
    EXPECT_ERR(pipe2(p, O_APPEND), EINVAL);
}

static void pipe_read_available(void) {
    int p[2];
    xpipe(p, 0);
    EXPECT_EQ(write(p[1], "hello", 5), 5);
    char buf[100];
    EXPECT_EQ(read(p[0], buf, sizeof buf), 5);
    EXPECT_MEM(buf, "hello", 5);
    EXPECT_EQ(write(p[1], "abcdef", 6), 6);
    EXPECT_EQ(read(p[0], buf, 2), 2);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 4);
    EXPECT_MEM(buf, "cdef", 4);
    close(p[0]);
    close(p[1]);
}

static void pipe_eof_after_close(void) {
    int p[2];
    xpipe(p, 0);
    EXPECT_EQ(write(p[1], "xy", 2), 2);
    close(p[1]);
    char buf[8];
    EXPECT_EQ(read(p[0], buf, sizeof buf), 2);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 0);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 0);
    close(p[0]);
}

static void pipe_eof_from_child(void) {
    int p[2];
    xpipe(p, 0);
    pid_t pid = xfork();
    if (pid == 0) {
        close(p[0]);
        write_all(p[1], "from child", 10);
        _exit(0);
    }
    close(p[1]);
    char buf[32];
    read_exact(p[0], buf, 10);
    EXPECT_MEM(buf, "from child", 10);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 0);
    expect_exit(pid, 0);
    close(p[0]);
}

static void pipe_epipe(void) {
    signal(SIGPIPE, SIG_IGN);
    int p[2];
    xpipe(p, 0);
    close(p[0]);
    EXPECT_ERR(write(p[1], "x", 1), EPIPE);
    close(p[1]);
}

static void pipe_sigpipe_kills(void) {
    int p[2];
    xpipe(p, 0);
    close(p[0]);
    pid_t pid = xfork();
    if (pid == 0) {
        ssize_t r = write(p[1], "x", 1);
        (void)r;
        _exit(0);
    }
    close(p[1]);
    expect_signaled(pid, SIGPIPE);
}

static void pipe_nonblock_eagain(void) {
    int p[2];
    xpipe(p, O_NONBLOCK);
    char c;
    EXPECT_ERR(read(p[0], &c, 1), EAGAIN);
    EXPECT_EQ(write(p[1], "z", 1), 1);
    EXPECT_EQ(read(p[0], &c, 1), 1);
    EXPECT_ERR(read(p[0], &c, 1), EAGAIN);
    close(p[1]);
    EXPECT_EQ(read(p[0], &c, 1), 0);
    close(p[0]);
}

static void pipe_wrong_end(void) {
    int p[2];
    xpipe(p, 0);
    char c;
    EXPECT_ERR(read(p[1], &c, 1), EBADF);
    EXPECT_ERR(write(p[0], "x", 1), EBADF);
    close(p[0]);
    close(p[1]);
}

static void pipe_capacity_64k(void) {
    int p[2];
    xpipe(p, 0);
    OK(fcntl(p[1], F_SETFL, O_NONBLOCK));
    static char out[65536], in[65536];
    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (char)(i * 7 + (i >> 8));
    EXPECT_EQ(write(p[1], out, sizeof out), 65536);
    EXPECT_ERR(write(p[1], "x", 1), EAGAIN);
    read_exact(p[0], in, sizeof in);
    EXPECT(memcmp(in, out, sizeof in) == 0, "expected the 64 KiB read back intact / got %s",
           "different bytes");
    close(p[0]);
    close(p[1]);
}

static void pipe_large_transfer(void) {
    int p[2];
    xpipe(p, 0);
    pid_t pid = xfork();
    if (pid == 0) {
        close(p[0]);
        static char buf[1 << 18];
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = (char)(i % 251);
        write_all(p[1], buf, sizeof buf); /* blocks until the parent reads */
        _exit(0);
    }
    close(p[1]);
    static char in[1 << 18];
    read_exact(p[0], in, sizeof in);
    for (size_t i = 0; i < sizeof in; i++)
        EXPECT(in[i] == (char)(i % 251), "expected byte %zu = %d / got %d", i, (int)(i % 251),
               in[i]);
    char c;
    EXPECT_EQ(read(p[0], &c, 1), 0);
    expect_exit(pid, 0);
    close(p[0]);
}

static void pipe_fionread(void) {
    int p[2];
    xpipe(p, 0);
    int n = -1;
    OK(ioctl(p[0], FIONREAD, &n));
    EXPECT_EQ(n, 0);
    EXPECT_EQ(write(p[1], "hello", 5), 5);
    OK(ioctl(p[0], FIONREAD, &n));
    EXPECT_EQ(n, 5);
    close(p[0]);
    close(p[1]);
}

static void pipe_poll(void) {
    int p[2];
    xpipe(p, 0);
    struct pollfd pfd = {.fd = p[0], .events = POLLIN};
    EXPECT_EQ(poll(&pfd, 1, 0), 0);
    EXPECT_EQ(pfd.revents, 0);
    struct pollfd wfd = {.fd = p[1], .events = POLLOUT};
    EXPECT_EQ(poll(&wfd, 1, 0), 1);
    EXPECT_EQ(wfd.revents, POLLOUT);
    EXPECT_EQ(write(p[1], "ab", 2), 2);
    EXPECT_EQ(poll(&pfd, 1, 0), 1);
    EXPECT_EQ(pfd.revents, POLLIN);
    close(p[1]);
    EXPECT_EQ(poll(&pfd, 1, 0), 1);
    EXPECT_EQ(pfd.revents, POLLIN | POLLHUP);
    char buf[2];
    EXPECT_EQ(read(p[0], buf, 2), 2);
    EXPECT_EQ(poll(&pfd, 1, 0), 1);
    EXPECT_EQ(pfd.revents, POLLHUP);
    close(p[0]);
}

static void pipe_poll_wakeup(void) {
    int p[2];
    xpipe(p, 0);
    pid_t pid = xfork();
    if (pid == 0) {
        write_all(p[1], "w", 1);
        _exit(0);
    }
    struct pollfd pfd = {.fd = p[0], .events = POLLIN};
    EXPECT_EQ(poll(&pfd, 1, 5000), 1);
    EXPECT_EQ(pfd.revents, POLLIN);
    expect_exit(pid, 0);
    close(p[0]);
    close(p[1]);
}

static void pipe_poll_err_nval(void) {
    int p[2];
    xpipe(p, 0);
    close(p[0]);
    struct pollfd pfd[2] = {{.fd = p[1], .events = POLLOUT}, {.fd = p[0], .events = POLLIN}};
    EXPECT_EQ(poll(pfd, 2, 0), 2);
    EXPECT(pfd[0].revents & POLLERR, "expected POLLERR on a pipe without readers / got 0x%x",
           pfd[0].revents);
    EXPECT_EQ(pfd[1].revents, POLLNVAL);
    struct pollfd neg = {.fd = -1, .events = POLLIN, .revents = 0x7};
    EXPECT_EQ(poll(&neg, 1, 0), 0);
    EXPECT_EQ(neg.revents, 0);
    close(p[1]);
}

static void pipe_poll_timeout(void) {
    int p[2];
    xpipe(p, 0);
    struct pollfd pfd = {.fd = p[0], .events = POLLIN};
    int64_t t0 = mono_ns();
    EXPECT_EQ(poll(&pfd, 1, 20), 0);
    int64_t dt = mono_ns() - t0;
    EXPECT(dt >= 20000000 && dt < 2000000000LL,
           "expected poll(20 ms) to wait 20 ms..2 s / got %lld us", (long long)(dt / 1000));
    close(p[0]);
    close(p[1]);
}

static void pipe_write_nothing_without_reader(void) {
    int p[2];
    xpipe(p, 0);
    close(p[0]);
    /* "Null write succeeds" before the readers are counted: no SIGPIPE. */
    EXPECT_EQ(write(p[1], "", 0), 0);
    struct pollfd pf = {p[1], POLLOUT, 0};
    EXPECT_EQ(poll(&pf, 1, 0), 1);
    EXPECT_EQ(pf.revents, POLLOUT | POLLERR);
    close(p[1]);
}

static void pipe_fifo_rdwr(void) {
    OK(mkfifo("fifo", 0600));
    int fd = OK(open("fifo", O_RDWR | O_NONBLOCK));
    EXPECT_EQ(write(fd, "both", 4), 4);
    char buf[8];
    EXPECT_EQ(read(fd, buf, sizeof buf), 4);
    EXPECT_MEM(buf, "both", 4);
    EXPECT_ERR(read(fd, buf, sizeof buf), EAGAIN); /* its own writer keeps it open */
    close(fd);
}

static void pipe_fifo_fresh_after_close(void) {
    OK(mkfifo("fifo", 0600));
    int r = OK(open("fifo", O_RDONLY | O_NONBLOCK));
    char buf[8];
    EXPECT_EQ(read(r, buf, sizeof buf), 0); /* no writer: end of file */
    int w = OK(open("fifo", O_WRONLY | O_NONBLOCK));
    EXPECT_EQ(write(w, "stale", 5), 5);
    close(w);
    close(r);
    /* Every end closed: the unread bytes went with the pipe. */
    r = OK(open("fifo", O_RDONLY | O_NONBLOCK));
    EXPECT_EQ(read(r, buf, sizeof buf), 0);
    w = OK(open("fifo", O_WRONLY | O_NONBLOCK));
    EXPECT_EQ(write(w, "new", 3), 3);
    EXPECT_EQ(read(r, buf, sizeof buf), 3);
    EXPECT_MEM(buf, "new", 3);
    close(w);
    close(r);
}

static void pipe_select(void) {
    int p[2];
    xpipe(p, 0);
    fd_set r, w;
    struct timeval tv = {0, 0};
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    EXPECT_EQ(select(p[0] + 1, &r, NULL, NULL, &tv), 0);
    EXPECT(!FD_ISSET(p[0], &r), "expected an empty read set / got the fd%s", "");
    FD_ZERO(&w);
    FD_SET(p[1], &w);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    EXPECT_EQ(select(p[1] + 1, NULL, &w, NULL, &tv), 1);
    EXPECT(FD_ISSET(p[1], &w), "expected the write end writable / got not set%s", "");
    EXPECT_EQ(write(p[1], "x", 1), 1);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_sec = 5;
    tv.tv_usec = 0;
    EXPECT_EQ(select(p[0] + 1, &r, NULL, NULL, &tv), 1);
    EXPECT(FD_ISSET(p[0], &r), "expected the read end readable / got not set%s", "");
    /* A second or more in tv_usec is accepted (Linux normalizes it); a
     * negative value is EINVAL, checked before the fds. */
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_sec = 0;
    tv.tv_usec = 1500000;
    EXPECT_EQ(select(p[0] + 1, &r, NULL, NULL, &tv), 1);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_usec = -1;
    EXPECT_ERR(select(p[0] + 1, &r, NULL, NULL, &tv), EINVAL);
    tv.tv_usec = 0;
    close(p[1]);
    int closed = p[1];
    FD_ZERO(&r);
    FD_SET(closed, &r);
    tv.tv_sec = 0;
    EXPECT_ERR(select(closed + 1, &r, NULL, NULL, &tv), EBADF);
    close(p[0]);
}

/* ---- AF_UNIX sockets ------------------------------------------------------------ */

static socklen_t unix_addr(struct sockaddr_un* a, const char* path) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static void sock_unix_stream(void) {
    struct sockaddr_un a;
    socklen_t len = unix_addr(&a, "s");
    int srv = OK(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    OK(bind(srv, (struct sockaddr*)&a, len));
    struct stat st;
    OK(stat("s", &st));
    EXPECT(S_ISSOCK(st.st_mode), "expected the bound path S_ISSOCK / got mode 0%o", st.st_mode);
    OK(listen(srv, 4));
    int cli = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    OK(connect(cli, (struct sockaddr*)&a, len));
    int conn = OK(accept(srv, NULL, NULL));
    EXPECT_EQ(write(cli, "ping", 4), 4);
    char buf[16];
    read_exact(conn, buf, 4);
    EXPECT_MEM(buf, "ping", 4);
    EXPECT_EQ(send(conn, "pong!", 5, 0), 5);
    read_exact(cli, buf, 5);
    EXPECT_MEM(buf, "pong!", 5);
    close(cli);
    EXPECT_EQ(read(conn, buf, sizeof buf), 0);
    close(conn);
    close(srv);
}

static void sock_unix_with_child(void) {
    struct sockaddr_un a;
    socklen_t len = unix_addr(&a, "s");
    int srv = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    OK(bind(srv, (struct sockaddr*)&a, len));
    OK(listen(srv, 1));
    pid_t pid = xfork();
    if (pid == 0) {
        close(srv);
        int c = OK(socket(AF_UNIX, SOCK_STREAM, 0));
        OK(connect(c, (struct sockaddr*)&a, len));
        char buf[8];
        read_exact(c, buf, 3);
        EXPECT_MEM(buf, "req", 3);
        write_all(c, "reply", 5);
        _exit(0);
    }
    int conn = OK(accept4(srv, NULL, NULL, SOCK_CLOEXEC));
    EXPECT_EQ(fcntl(conn, F_GETFD), FD_CLOEXEC);
    write_all(conn, "req", 3);
    char buf[8];
    read_exact(conn, buf, 5);
    EXPECT_MEM(buf, "reply", 5);
    EXPECT_EQ(read(conn, buf, sizeof buf), 0);
    expect_exit(pid, 0);
    close(conn);
    close(srv);
}

static void sock_connect_missing(void) {
    struct sockaddr_un a;
    socklen_t len = unix_addr(&a, "nothing-here");
    int s = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_ERR(connect(s, (struct sockaddr*)&a, len), ENOENT);
    close(s);
}

static void sock_connect_refused(void) {
    struct sockaddr_un a;
    socklen_t len = unix_addr(&a, "s");
    int srv = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    OK(bind(srv, (struct sockaddr*)&a, len)); /* bound, not listening */
    int s = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_ERR(connect(s, (struct sockaddr*)&a, len), ECONNREFUSED);
    close(s);
    close(srv);
}

static void sock_bind_exists(void) {
    struct sockaddr_un a;
    socklen_t len = unix_addr(&a, "f");
    put_str("f", "x");
    int s = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_ERR(bind(s, (struct sockaddr*)&a, len), EADDRINUSE);
    len = unix_addr(&a, "s");
    OK(bind(s, (struct sockaddr*)&a, len));
    int t = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_ERR(bind(t, (struct sockaddr*)&a, len), EADDRINUSE);
    close(t);
    close(s);
}

static void sock_socketpair(void) {
    int sv[2];
    OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
    EXPECT_EQ(fcntl(sv[0], F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(write(sv[0], "abc", 3), 3);
    EXPECT_EQ(write(sv[1], "defg", 4), 4);
    char buf[8];
    read_exact(sv[1], buf, 3);
    EXPECT_MEM(buf, "abc", 3);
    read_exact(sv[0], buf, 4);
    EXPECT_MEM(buf, "defg", 4);
    close(sv[0]);
    EXPECT_EQ(read(sv[1], buf, sizeof buf), 0);
    close(sv[1]);
}

static void sock_socketpair_dgram(void) {
    int sv[2];
    OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    EXPECT_EQ(send(sv[0], "one", 3, 0), 3);
    EXPECT_EQ(send(sv[0], "twotwo", 6, 0), 6);
    char buf[16];
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 3);
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 6);
    EXPECT_MEM(buf, "twotwo", 6);
    EXPECT_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    close(sv[0]);
    close(sv[1]);
}

static void sock_shutdown_wr(void) {
    int sv[2];
    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    EXPECT_EQ(write(sv[0], "last", 4), 4);
    OK(shutdown(sv[0], SHUT_WR));
    char buf[8];
    read_exact(sv[1], buf, 4);
    EXPECT_EQ(read(sv[1], buf, sizeof buf), 0);
    EXPECT_EQ(write(sv[1], "back", 4), 4); /* the other direction still works */
    read_exact(sv[0], buf, 4);
    EXPECT_MEM(buf, "back", 4);
    close(sv[0]);
    close(sv[1]);
}

static void sock_epipe(void) {
    signal(SIGPIPE, SIG_IGN);
    int sv[2];
    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    close(sv[1]);
    EXPECT_ERR(write(sv[0], "x", 1), EPIPE);
    EXPECT_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    close(sv[0]);
}

static void sock_read_unconnected(void) {
    int s = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    char c;
    EXPECT_ERR(read(s, &c, 1), EINVAL);
    EXPECT_EQ(read(s, &c, 0), 0);
    EXPECT_ERR(write(s, "x", 1), ENOTCONN);
    close(s);
}

static void sock_accept_nonblock(void) {
    struct sockaddr_un a;
    socklen_t len = unix_addr(&a, "s");
    int srv = OK(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    OK(bind(srv, (struct sockaddr*)&a, len));
    OK(listen(srv, 1));
    EXPECT_ERR(accept(srv, NULL, NULL), EAGAIN);
    int s = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_ERR(accept(s, NULL, NULL), EINVAL); /* not listening */
    close(s);
    close(srv);
}

/* ---- epoll ------------------------------------------------------------------- */

static void epoll_create1_flags(void) {
    int ep = OK(epoll_create1(EPOLL_CLOEXEC));
    EXPECT_EQ(fcntl(ep, F_GETFD), FD_CLOEXEC);
    close(ep);
    ep = OK(epoll_create1(0));
    EXPECT_EQ(fcntl(ep, F_GETFD), 0);
    close(ep);
    EXPECT_ERR(epoll_create1(0x1), EINVAL);
    EXPECT_ERR(epoll_create(0), EINVAL);
}

static void epoll_add_wait(void) {
    int p[2];
    xpipe(p, 0);
    int ep = OK(epoll_create1(EPOLL_CLOEXEC));
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1234567890abcdefULL};
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    struct epoll_event got[4];
    EXPECT_EQ(epoll_wait(ep, got, 4, 0), 0);
    EXPECT_EQ(write(p[1], "x", 1), 1);
    EXPECT_EQ(epoll_wait(ep, got, 4, 0), 1);
    EXPECT_EQ(got[0].events, EPOLLIN);
    EXPECT(got[0].data.u64 == 0x1234567890abcdefULL, "expected the registered data / got 0x%llx",
           (unsigned long long)got[0].data.u64);
    /* level-triggered: reported again while data remains */
    EXPECT_EQ(epoll_wait(ep, got, 4, 0), 1);
    char c;
    EXPECT_EQ(read(p[0], &c, 1), 1);
    EXPECT_EQ(epoll_wait(ep, got, 4, 0), 0);
    close(ep);
    close(p[0]);
    close(p[1]);
}

static void epoll_wait_blocks(void) {
    int p[2];
    xpipe(p, 0);
    int ep = OK(epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = p[0]};
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    pid_t pid = xfork();
    if (pid == 0) {
        write_all(p[1], "w", 1);
        _exit(0);
    }
    struct epoll_event got;
    EXPECT_EQ(epoll_wait(ep, &got, 1, 5000), 1);
    EXPECT_EQ(got.data.fd, p[0]);
    expect_exit(pid, 0);
    close(ep);
    close(p[0]);
    close(p[1]);
}

static void epoll_wait_timeout(void) {
    int p[2];
    xpipe(p, 0);
    int ep = OK(epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLIN};
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    int64_t t0 = mono_ns();
    EXPECT_EQ(epoll_wait(ep, &ev, 1, 20), 0);
    int64_t dt = mono_ns() - t0;
    EXPECT(dt >= 20000000 && dt < 2000000000LL,
           "expected epoll_wait(20 ms) to wait 20 ms..2 s / got %lld us", (long long)(dt / 1000));
    close(ep);
    close(p[0]);
    close(p[1]);
}

static void epoll_del(void) {
    int p[2];
    xpipe(p, 0);
    int ep = OK(epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLIN};
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    EXPECT_EQ(write(p[1], "x", 1), 1);
    OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
    close(ep);
    close(p[0]);
    close(p[1]);
}

static void epoll_add_twice(void) {
    int p[2];
    xpipe(p, 0);
    int ep = OK(epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLIN};
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
    close(ep);
    close(p[0]);
    close(p[1]);
}

static void epoll_mod(void) {
    int p[2];
    xpipe(p, 0);
    int ep = OK(epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLIN};
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT);
    ev.events = 0;
    ev.data.u32 = 1;
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
    EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    ev.events = EPOLLOUT;
    ev.data.u32 = 2;
    OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
    memset(&ev, 0, sizeof ev);
    EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    EXPECT_EQ(ev.events, EPOLLOUT);
    EXPECT_EQ(ev.data.u32, 2);
    close(ep);
    close(p[0]);
    close(p[1]);
}

static void epoll_ctl_errors(void) {
    int ep = OK(epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLIN};
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
    put_str("f", "x");
    int fd = OK(open("f", O_RDONLY));
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), EPERM);
    close(fd);
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), EBADF);
    EXPECT_ERR(epoll_ctl(fd, EPOLL_CTL_ADD, ep, &ev), EBADF);
    close(ep);
}

static void epoll_hup(void) {
    int p[2];
    xpipe(p, 0);
    int ep = OK(epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLIN};
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    close(p[1]);
    EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    EXPECT_EQ(ev.events, EPOLLHUP);
    close(ep);
    close(p[0]);
}

static void epoll_edge_triggered(void) {
    int p[2];
    xpipe(p, 0);
    int ep = OK(epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET};
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    EXPECT_EQ(write(p[1], "ab", 2), 2);
    EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0); /* no new edge */
    EXPECT_EQ(write(p[1], "c", 1), 1);
    EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    close(ep);
    close(p[0]);
    close(p[1]);
}

static void epoll_loop_eloop(void) {
    int a = OK(epoll_create1(0)), b = OK(epoll_create1(0)), c = OK(epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLIN};
    OK(epoll_ctl(a, EPOLL_CTL_ADD, b, &ev));
    OK(epoll_ctl(b, EPOLL_CTL_ADD, c, &ev));
    EXPECT_ERR(epoll_ctl(c, EPOLL_CTL_ADD, a, &ev), ELOOP);
    EXPECT_ERR(epoll_ctl(b, EPOLL_CTL_ADD, a, &ev), ELOOP);
    EXPECT_EQ(epoll_wait(a, &ev, 1, 0), 0);
    close(a);
    close(b);
    close(c);
}

/* An edge-triggered server accepts until EAGAIN; a client that connects
   before the next epoll_wait is a new edge. */
static void epoll_edge_triggered_listener(void) {
    struct sockaddr_un a;
    socklen_t len = unix_addr(&a, "s");
    int srv = OK(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    OK(bind(srv, (struct sockaddr*)&a, len));
    OK(listen(srv, 4));
    int ep = OK(epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET};
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, srv, &ev));
    int c1 = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    OK(connect(c1, (struct sockaddr*)&a, len));
    EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    int conn = OK(accept(srv, NULL, NULL));
    EXPECT_ERR(accept(srv, NULL, NULL), EAGAIN);
    int c2 = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    OK(connect(c2, (struct sockaddr*)&a, len));
    EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    close(c2);
    close(conn);
    close(c1);
    close(ep);
    close(srv);
}

const struct check ipc_checks[] = {
    CHECK_ENTRY(pipe, pipe2_cloexec),
    CHECK_ENTRY(pipe, read_available),
    CHECK_ENTRY(pipe, eof_after_close),
    CHECK_ENTRY(pipe, eof_from_child),
    CHECK_ENTRY(pipe, epipe),
    CHECK_ENTRY(pipe, sigpipe_kills),
    CHECK_ENTRY(pipe, nonblock_eagain),
    CHECK_ENTRY(pipe, wrong_end),
    CHECK_ENTRY(pipe, capacity_64k),
    CHECK_ENTRY(pipe, large_transfer),
    CHECK_ENTRY(pipe, fionread),
    CHECK_ENTRY(pipe, poll),
    CHECK_ENTRY(pipe, poll_wakeup),
    CHECK_ENTRY(pipe, poll_err_nval),
    CHECK_ENTRY(pipe, poll_timeout),
    CHECK_ENTRY(pipe, select),
    CHECK_ENTRY(pipe, write_nothing_without_reader),
    CHECK_ENTRY(pipe, fifo_rdwr),
    CHECK_ENTRY(pipe, fifo_fresh_after_close),

    CHECK_ENTRY(sock, unix_stream),
    CHECK_ENTRY(sock, unix_with_child),
    CHECK_ENTRY(sock, connect_missing),
    CHECK_ENTRY(sock, connect_refused),
    CHECK_ENTRY(sock, bind_exists),
    CHECK_ENTRY(sock, socketpair),
    CHECK_ENTRY(sock, socketpair_dgram),
    CHECK_ENTRY(sock, shutdown_wr),
    CHECK_ENTRY(sock, epipe),
    CHECK_ENTRY(sock, accept_nonblock),
    CHECK_ENTRY(sock, read_unconnected),

    CHECK_ENTRY(epoll, create1_flags),
    CHECK_ENTRY(epoll, add_wait),
    CHECK_ENTRY(epoll, wait_blocks),
    CHECK_ENTRY(epoll, wait_timeout),
    CHECK_ENTRY(epoll, del),
    CHECK_ENTRY(epoll, add_twice),
    CHECK_ENTRY(epoll, mod),
    CHECK_ENTRY(epoll, ctl_errors),
    CHECK_ENTRY(epoll, hup),
    CHECK_ENTRY(epoll, edge_triggered),
    CHECK_ENTRY(epoll, loop_eloop),
    CHECK_ENTRY(epoll, edge_triggered_listener),
};
const size_t ipc_checks_count = sizeof ipc_checks / sizeof ipc_checks[0];
