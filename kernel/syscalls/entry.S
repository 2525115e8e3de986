// syscall instruction entry. The CPU saved rip in rcx and rflags in r11 and
// masked IF (SFMASK). We switch to the thread's kernel stack and build a
// TrapFrame identical to the interrupt path, so both return through
// trap_return (iretq) and the scheduler/clone see one frame layout.

#define PERCPU_KERNEL_RSP 8
#define PERCPU_USER_RSP 16

    .text
    .global syscall_entry
syscall_entry:
    swapgs
    movq %rsp, %gs:PERCPU_USER_RSP
    movq %gs:PERCPU_KERNEL_RSP, %rsp
    pushq $0x23                     // ss (USER_DS)
    pushq %gs:PERCPU_USER_RSP       // rsp
    pushq %r11                      // rflags
    pushq $0x2b                     // cs (USER_CS)
    pushq %rcx                      // rip
    pushq $0                        // error code
    pushq $0x100                    // vector: kSyscallVector
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
    movq %rsp, %rdi
    xorl %ebp, %ebp
    call syscall_dispatch
    jmp trap_return

    .section .note.GNU-stack, "", @progbits
