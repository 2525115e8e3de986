// storaged: block device policy and partition mapping over AHCI/NVMe.
#include <rustos/service/server.h>

int main() {
    rustos::service::Server server("storaged", rustos::ipc::service::STORAGED);
    server.set_not_yet("no block devices: the AHCI and NVMe drivers are not loaded");
    return rustos::service::run(server);
}
