// driverd: .ko autoload, alias probe, provider-group arbitration; the one
// holder of the SYS_RUSTOS_DRIVER_* brokers (delegated by rootd).
#include <rustos/runtime_control/registry.h>
#include <rustos/service/log.h>
#include <rustos/service/server.h>

using namespace rustos;
using namespace rustos::service;

int main() {
    constexpr const char* kRegistry = "/system/registry/kernel/loadable-drivers.tsv";
    auto text = read_boot_file(kRegistry);
    if (text.is_error()) {
        log("no driver registry: %s", text.error().reason());
    } else {
        auto records = runtime_control::parse_loadable_drivers(text.value(), kRegistry);
        if (records.is_error())
            log("driver registry unusable: %s", records.error().reason());
        else
            log("driver registry %s lists %zu driver(s)", kRegistry, records.value().size());
    }
    Server server("driverd", ipc::service::DRIVERD);
    server.set_not_yet(
        "alias probing and .ko loading: the kernel has no module loader and does not "
        "export its device list yet");
    return run(server);
}
