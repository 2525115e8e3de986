// inputd: input event routing from kernel HID/serio devices to Wayland and
// console clients.
#include <rustos/service/server.h>

int main() {
    rustos::service::Server server("inputd", rustos::ipc::service::INPUTD);
    server.set_not_yet(
        "no input devices (i8042 and xHCI HID drivers are not loaded), no Wayland seat "
        "or console focus");
    return rustos::service::run(server);
}
