// sessiond: session policy: focus, console session lifecycle, per-user
// resources.
#include <rustos/service/server.h>

int main() {
    rustos::service::Server server("sessiond", rustos::ipc::service::SESSIOND);
    server.set_not_yet("no console sessions, focus or per-user resources");
    return rustos::service::run(server);
}
