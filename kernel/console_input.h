// Bytes typed on the console (COM1) go to vfsd, which owns the tty: the
// serial receive interrupt buffers them and posts KERNEL_CONSOLE_INPUT
// events to the endpoint vfsd gave with SYS_RUSTOS_CONSOLE_EVENTS. Until
// then they are kept (up to the buffer size).
#pragma once

namespace kernel::ipc {
class Endpoint;
}

namespace kernel::console_input {

void init();
void set_endpoint(ipc::Endpoint* endpoint);

} // namespace kernel::console_input
