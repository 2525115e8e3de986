#include "console_input.h"

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/serial.h"
#include "ipc/ipc.h"
#include "log.h"

namespace kernel::console_input {

namespace {

constexpr uint8_t kVector = 0x24;
constexpr size_t kBufferSize = 4096;

uint8_t g_buffer[kBufferSize];
size_t g_count;
uint64_t g_dropped;
ipc::Endpoint* g_endpoint; // holds a reference

// Precondition: interrupts disabled.
void flush() {
    if (!g_endpoint || !g_count)
        return;
    if (g_endpoint->closed()) {
        g_endpoint->unref();
        g_endpoint = nullptr;
        return;
    }
    auto* m = ipc::KMessage::create(uint32_t(g_count));
    if (!m)
        return; // keep the bytes for the next interrupt
    m->header.op = rustos::ipc::op::KERNEL_CONSOLE_INPUT;
    __builtin_memcpy(m->payload(), g_buffer, g_count);
    g_count = 0;
    g_endpoint->post_event(m);
}

void receive_irq(arch::TrapFrame&) {
    uint8_t byte;
    while (serial::receive(&byte)) {
        if (g_count < kBufferSize)
            g_buffer[g_count++] = byte;
        else
            ++g_dropped;
    }
    flush();
}

} // namespace

void init() {
    uint16_t flags = 0;
    uint32_t gsi = acpi::isa_irq_to_gsi(4, &flags);
    arch::set_irq_handler(kVector, receive_irq);
    arch::ioapic_route(gsi, kVector, flags);
    serial::enable_receive_interrupt();
}

void set_endpoint(ipc::Endpoint* endpoint) {
    arch::InterruptGuard guard;
    if (g_endpoint)
        g_endpoint->unref();
    endpoint->ref();
    g_endpoint = endpoint;
    flush();
}

} // namespace kernel::console_input
