// syscall instruction entry. The CPU saved rip in rcx and rflags in r11 and
// masked IF (SFMASK). We switch to the thread's kernel stack and build a
// TrapFrame identical to the interrupt path, so the scheduler, clone and the
// fault paths see one frame layout. The return uses sysret when the frame
// still describes a plain 64-bit user context, else trap_return (iretq).

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

    cli
    // sysret can only return to a canonical lower-half rip in 64-bit mode.
    movq 136(%rsp), %rcx            // frame.rip
    movq %rcx, %r11
    shrq $47, %r11
    jnz 1f
    cmpq $0x2b, 144(%rsp)           // frame.cs
    jne 1f
    // sysret loads rcx with rip and r11 with rflags: only when the frame
    // holds exactly that (a plain syscall return, not a context restored
    // by rt_sigreturn from an interrupt) may those registers be lost.
    cmpq 96(%rsp), %rcx             // frame.rcx == frame.rip
    jne 1f
    movq 152(%rsp), %r11            // frame.rflags
    cmpq 32(%rsp), %r11             // frame.r11 == frame.rflags
    jne 1f
    andq $0x3c7fd7, %r11            // drop RF, VM, NT, IOPL
    orq $0x202, %r11                // IF and the reserved bit
    movq 0(%rsp), %r15
    movq 8(%rsp), %r14
    movq 16(%rsp), %r13
    movq 24(%rsp), %r12
    movq 40(%rsp), %r10
    movq 48(%rsp), %r9
    movq 56(%rsp), %r8
    movq 64(%rsp), %rbp
    movq 72(%rsp), %rdi
    movq 80(%rsp), %rsi
    movq 88(%rsp), %rdx
    movq 104(%rsp), %rbx
    movq 112(%rsp), %rax
    movq 160(%rsp), %rsp            // frame.rsp (user stack)
    swapgs
    sysretq
1:  jmp trap_return

    .section .note.GNU-stack, "", @progbits
