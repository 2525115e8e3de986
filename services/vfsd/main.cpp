// vfsd: Linux VFS policy (mount table, openat resolution, file systems).
#include <rustos/service/server.h>

int main() {
    rustos::service::Server server("vfsd", rustos::ipc::service::VFSD);
    server.set_not_yet(
        "no file system is mounted and no file call is routed here; programs read the "
        "boot bundle and write the console through the kernel defaults");
    return rustos::service::run(server);
}
