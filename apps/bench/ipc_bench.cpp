// IPC round-trip benchmarks. Run by `./x bench` under QEMU -icount shift=0,
// where guest time counts guest instructions (1 ns per instruction), so
// the figures are deterministic and comparable between commits.
//
//   ipc-roundtrip-threads-16B   call/reply between two threads of this
//                               process (16-byte payload)
//   ipc-roundtrip-threads-4K    the same with a 4 KiB request and reply
//   ipc-roundtrip-procd-health  call to another process (procd's
//                               COMMON_HEALTH), address-space switch included
//
// --ops=N replaces every operation count (bench.h).
#include "bench.h"

#include <rustos/service/ipc.h>

#include <thread>

using namespace rustos;
using namespace rustos::service;

namespace {

// A server thread answering every call with a reply of the same length.
void echo_server(handle_t ep) {
    auto in = new_message();
    auto out = new_message();
    handle_t reply = 0;
    for (;;) {
        int64_t r = reply ? user::ipc_reply_receive(reply, out.get(), ep, in.get(), ipc::kInfinite)
                          : user::ipc_receive(ep, in.get(), ipc::kInfinite);
        if (r <= 0) {
            reply = 0;
            continue;
        }
        out->reset(in->header.op);
        out->header.length = in->header.length;
        reply = handle_t(r);
    }
}

void bench_threads(const char* name, uint32_t payload, uint64_t ops) {
    if (!bench_selected(name))
        return;
    int64_t ep = user::ipc_endpoint_create();
    if (ep < 0) {
        std::printf("bench: %s failed: no endpoint\n", name);
        return;
    }
    std::thread(echo_server, handle_t(ep)).detach();
    auto req = new_message(1);
    auto rep = new_message();
    req->header.length = payload;
    for (int i = 0; i < 100; ++i) // warm up: the server thread is running
        user::ipc_call(handle_t(ep), req.get(), rep.get(), ipc::kInfinite);
    uint64_t t0 = bench_now_ns();
    for (uint64_t i = 0; i < ops; ++i)
        user::ipc_call(handle_t(ep), req.get(), rep.get(), ipc::kInfinite);
    bench_report(name, bench_now_ns() - t0, ops);
}

void bench_procd(uint64_t ops) {
    if (!bench_selected("ipc-roundtrip-procd-health"))
        return;
    auto procd = lookup(ipc::service::PROCD, 5'000'000'000ull);
    if (procd.is_error()) {
        std::printf("bench: ipc-roundtrip-procd-health failed: %s\n", procd.error().reason());
        return;
    }
    auto req = new_message(ipc::op::COMMON_HEALTH);
    auto rep = new_message();
    for (int i = 0; i < 100; ++i)
        user::ipc_call(procd.value().get(), req.get(), rep.get(), ipc::kInfinite);
    uint64_t t0 = bench_now_ns();
    for (uint64_t i = 0; i < ops; ++i)
        user::ipc_call(procd.value().get(), req.get(), rep.get(), ipc::kInfinite);
    bench_report("ipc-roundtrip-procd-health", bench_now_ns() - t0, ops);
}

} // namespace

int main(int argc, char** argv) {
    if (bench_init(argc, argv))
        return 2;
    bench_threads("ipc-roundtrip-threads-16B", 16, bench_ops(20000));
    bench_threads("ipc-roundtrip-threads-4K", 4096, bench_ops(5000));
    bench_procd(bench_ops(20000));
    return 0;
}
