// Machine power control used by reboot(2).
#pragma once

namespace kernel::power {

[[noreturn]] void power_off();
[[noreturn]] void restart();

} // namespace kernel::power
