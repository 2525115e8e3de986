// netd: network stack policy.
#include <rustos/service/server.h>

int main() {
    rustos::service::Server server("netd", rustos::ipc::service::NETD);
    server.set_not_yet("no network interface (the virtio-net driver is not loaded), no sockets, no "
                       "netprobe");
    return rustos::service::run(server);
}
