// Feeds the IPC system calls bad input: stale and wrong-typed handles,
// unmapped and kernel buffers, oversized payloads, too many handles,
// double replies, calls to an endpoint whose server went away. Every call
// must fail with the documented errno, and the kernel must stay up.
#include <rustos/service/ipc.h>

#include <sys/mman.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

using namespace rustos;
using namespace rustos::service;

namespace {

int g_failures = 0;

void expect(const char* what, int64_t got, int64_t want) {
    bool ok = got == want;
    std::printf("ipc-abuse: %-58s %s\n", what, ok ? "ok" : "UNEXPECTED");
    if (!ok) {
        std::printf("ipc-abuse:   got %lld, want %lld\n", (long long)got, (long long)want);
        ++g_failures;
    }
}

} // namespace

int main() {
    auto req = new_message(1);
    auto rep = new_message();
    int64_t ep = user::ipc_endpoint_create();
    const auto kernel_addr = reinterpret_cast<ipc::Message*>(0xffffffff80100000ull);
    const auto wild = reinterpret_cast<ipc::Message*>(0x10);

    expect("call on handle 0", user::ipc_call(0, req.get(), rep.get(), 1000), -EBADF);
    expect("call on a made-up handle", user::ipc_call(0x7777, req.get(), rep.get(), 1000), -EBADF);
    int64_t self = user::process_self();
    expect("call on a process handle", user::ipc_call(handle_t(self), req.get(), rep.get(), 1000),
           -EINVAL);
    expect("receive on a handle without RIGHT_RECEIVE",
           user::ipc_receive(handle_t(user::handle_duplicate(handle_t(ep), abi::RIGHT_CALL)),
                             rep.get(), 0),
           -EACCES);
    expect("call with a request at 0x10", user::ipc_call(handle_t(ep), wild, rep.get(), 1000),
           -EFAULT);
    expect("call with a request in the kernel",
           user::ipc_call(handle_t(ep), kernel_addr, rep.get(), 1000), -EFAULT);
    req->header.length = ipc::kMaxPayload + 1;
    expect("call with an oversized payload",
           user::ipc_call(handle_t(ep), req.get(), rep.get(), 1000), -EMSGSIZE);
    req->header.length = 0;
    req->header.handle_count = 5;
    expect("call with five handles", user::ipc_call(handle_t(ep), req.get(), rep.get(), 1000),
           -EINVAL);
    req->header.handle_count = 2;
    req->header.handles[0] = req->header.handles[1] = handle_t(self);
    expect("call carrying the same handle twice",
           user::ipc_call(handle_t(ep), req.get(), rep.get(), 1000), -EINVAL);
    req->header.handle_count = 1;
    req->header.handles[0] = 0x5555;
    expect("call carrying a made-up handle",
           user::ipc_call(handle_t(ep), req.get(), rep.get(), 1000), -EBADF);
    req->header.handle_count = 0;
    expect("call nobody answers (timeout)",
           user::ipc_call(handle_t(ep), req.get(), rep.get(), 20'000'000), -ETIMEDOUT);
    expect("receive with nothing queued (timeout)",
           user::ipc_receive(handle_t(ep), rep.get(), 1'000'000), -ETIMEDOUT);

    // A receiver with a bad buffer loses nothing: the call stays queued.
    std::thread client([&] {
        auto r = new_message(7);
        auto out = new_message();
        int64_t rc = user::ipc_call(handle_t(ep), r.get(), out.get(), 5'000'000'000ull);
        expect("a call survives a receiver with a bad buffer", rc == 0 ? out->header.op : rc, 7);
    });
    void* ro = mmap(nullptr, sizeof(ipc::Message), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int64_t bad = -1;
    for (int i = 0;
         i < 100 && (bad = user::ipc_receive(handle_t(ep), static_cast<ipc::Message*>(ro),
                                             50'000'000)) == -ETIMEDOUT;
         ++i) {
    }
    expect("receive into a read-only buffer", bad, -EFAULT);
    int64_t token = user::ipc_receive(handle_t(ep), rep.get(), 5'000'000'000ull);
    expect("the same call is received again", token > 0 ? int64_t(rep->header.op) : token, 7);
    auto answer = new_message(7);
    expect("reply with a bad message", user::ipc_reply(handle_t(token), wild), -EFAULT);
    expect("reply", user::ipc_reply(handle_t(token), answer.get()), 0);
    expect("reply twice", user::ipc_reply(handle_t(token), answer.get()), -EBADF);
    client.join();

    // A server that goes away fails the queued calls instead of hanging them.
    int64_t ep2 = user::ipc_endpoint_create();
    int64_t call_only = user::handle_duplicate(handle_t(ep2), abi::RIGHT_CALL);
    user::handle_close(handle_t(ep2));
    expect("call an endpoint whose server closed it",
           user::ipc_call(handle_t(call_only), req.get(), rep.get(), 1'000'000'000ull), -EPIPE);
    expect("register a service without the capability",
           user::service_register(ipc::service::VFSD, handle_t(ep)), -EPERM);
    expect("look up an unknown service id", user::service_lookup(999, 0), -EINVAL);
    expect("duplicate with more rights than the original",
           user::handle_duplicate(handle_t(call_only), abi::RIGHTS_ALL), -EACCES);
    expect("close a handle twice",
           user::handle_close(handle_t(call_only)) == 0 ? user::handle_close(handle_t(call_only))
                                                        : -1,
           -EBADF);
    // One-way messages nobody receives: a process may have 256 queued, then
    // EAGAIN; receiving them gives the quota back.
    {
        int64_t sink = user::ipc_endpoint_create();
        auto m = new_message(0x99);
        m->header.length = 8192;
        int sent = 0;
        int64_t r = 0;
        while (sent < 1000 && (r = user::ipc_send(handle_t(sink), m.get())) == 0)
            ++sent;
        expect("one-way messages queued before EAGAIN", sent, 256);
        expect("the one after them", r, -EAGAIN);
        auto in = new_message();
        int64_t got = user::ipc_receive(handle_t(sink), in.get(), 0);
        expect("receive one of them (a one-way message has no reply handle)", got, 0);
        expect("then one more may be sent", user::ipc_send(handle_t(sink), m.get()), 0);
        user::handle_close(handle_t(sink));
    }
    std::printf("ipc-abuse: %s\n", g_failures ? "FAILED" : "every bad call refused cleanly");
    return g_failures ? 1 : 0;
}
