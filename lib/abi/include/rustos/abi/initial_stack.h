// The initial user stack of a new Linux process, as the System V x86_64
// ABI and Linux lay it out (from the top down):
//
//   execfn string, platform string, 16 random bytes, argv/envp strings,
//   padding to 16 bytes, auxv (AT_NULL-terminated), envp[] + NULL,
//   argv[] + NULL, argc   <- rsp (16-byte aligned)
//
// The builder writes into a kernel buffer that stands for the top of the
// user stack, so it is pure logic and host-tested.
#pragma once

#include <rustos/abi/auxv.h>
#include <rustos/base/error.h>
#include <rustos/base/span.h>
#include <rustos/base/string_view.h>

namespace rustos::abi {

struct InitialStackSpec {
    Span<const StringView> argv;
    Span<const StringView> envp;
    StringView execfn;       // AT_EXECFN
    StringView platform;     // AT_PLATFORM ("x86_64")
    const uint8_t* random16; // AT_RANDOM: 16 bytes
    // Everything but AT_RANDOM, AT_EXECFN, AT_PLATFORM and AT_NULL, which
    // the builder adds because they point into the stack.
    Span<const AuxEntry> aux;
};

// Lays out the stack in `buffer`, which represents the user addresses
// [stack_top - buffer.size(), stack_top). Returns the initial rsp.
// E2BIG when the arguments do not fit.
ErrorOr<uint64_t> build_initial_stack(Bytes buffer, uint64_t stack_top,
                                      const InitialStackSpec& spec);

} // namespace rustos::abi
