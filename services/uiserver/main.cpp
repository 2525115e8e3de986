// uiserver: display surface, compositor, Wayland server, console renderer.
// runtimed launches it first (bootstrap_ui_server) with the environment of
// its desktop entry, so RUSTOS_UI_PROFILE applies from the very first run.
#include <rustos/service/log.h>
#include <rustos/service/server.h>

#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
    const char* profile = std::getenv("RUSTOS_UI_PROFILE");
    std::string args;
    for (int i = 1; i < argc; ++i)
        args += std::string(i > 1 ? " " : "") + argv[i];
    rustos::service::log("RUSTOS_UI_PROFILE=%s (args: %s)", profile ? profile : "(unset)",
                         args.empty() ? "none" : args.c_str());
    rustos::service::Server server("uiserver", rustos::ipc::service::UISERVER);
    server.set_not_yet("no display output: the compositor, the Wayland server on "
                       "/run/user/1000/wayland-0 and the console renderer");
    return rustos::service::run(server);
}
