// Processes: an address space (page tables + VMAs), threads, and exit
// state. Policy about processes (PIDs for Linux, the tree, wait semantics)
// moves to procd later; this is the kernel mechanism plus the temporary
// spawn/wait used by rootd.
#pragma once

#include "lib/list.h"
#include "sched/thread.h"

#include <rustos/base/error.h>
#include <rustos/base/span.h>
#include <rustos/base/string_view.h>

namespace kernel::proc {

using rustos::ErrorOr;
using rustos::StringView;

enum : uint32_t { PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4 };

enum class VmaKind : uint8_t { Image, Heap, Stack, Anonymous };

struct Vma {
    uint64_t start, end; // page aligned, [start, end)
    uint32_t prot;
    VmaKind kind;
    ListNode node;
};

struct Process {
    int pid = 0;
    int parent_pid = 0;
    char name[32] = {};
    uint64_t pml4 = 0;

    IntrusiveList<Vma, &Vma::node> vmas; // sorted by start
    uint64_t brk_start = 0, brk_current = 0;

    IntrusiveList<sched::Thread, &sched::Thread::process_node> threads;
    size_t live_threads = 0;
    bool exiting = false;
    int wait_status = 0; // Linux wait(2) encoding
    bool zombie = false;
    sched::WaitQueue exit_waiters;

    uint64_t enosys_logged[8] = {}; // one ENOSYS log line per syscall number
    ListNode all_node;
};

void init();

// Loads a static ELF from the boot bundle into a new process and starts
// its main thread.
ErrorOr<Process*> spawn(StringView path, rustos::Span<const StringView> argv,
                        rustos::Span<const StringView> envp, int parent_pid);
Process* current_process();
Process* find(int pid);
uint64_t page_table_of(const Process& p);
const char* name_of(const Process& p);

// Wait for a child of the current process to exit; returns its pid.
ErrorOr<int> wait_child(int pid, int* wait_status);

// --- address space ---
// Resolves a user-mode page fault; false means the access is invalid.
bool handle_user_page_fault(uint64_t addr, uint64_t error_code);
// Makes [addr, addr+len) present for kernel access (EFAULT if not mapped
// with the needed permission).
ErrorOr<void> prepare_user_range(Process& p, uint64_t addr, uint64_t len, bool write);
ErrorOr<uint64_t> map_anonymous(Process& p, uint64_t addr, uint64_t len, uint32_t prot, bool fixed,
                                bool noreplace);
ErrorOr<void> unmap(Process& p, uint64_t addr, uint64_t len);
ErrorOr<void> protect(Process& p, uint64_t addr, uint64_t len, uint32_t prot);
uint64_t set_brk(Process& p, uint64_t new_brk);
// Physical address of a user virtual address (after prepare_user_range).
uint64_t user_to_phys(Process& p, uint64_t addr);

// --- exit ---
[[noreturn]] void kill_current_process(int signal, const char* reason);
[[noreturn]] void exit_group(int exit_code);
[[noreturn]] void exit_thread(int exit_code);
// Called on the way back to user mode when kill_pending is set.
[[noreturn]] void exit_current_thread_for_teardown();

} // namespace kernel::proc
