// devmgrd: device manager and hotplug.
#include <rustos/service/server.h>

int main() {
    rustos::service::Server server("devmgrd", rustos::ipc::service::DEVMGRD);
    server.set_not_yet("no device enumeration or hotplug events (they need the driver brokers)");
    return rustos::service::run(server);
}
