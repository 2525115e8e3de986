// switch_context(uint64_t* save_rsp, uint64_t new_rsp): saves the callee-saved
// registers on the current kernel stack, stores rsp, switches to new_rsp and
// restores the other thread's registers.
    .text
    .global switch_context
switch_context:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

// First return of a new kernel thread: r12 = fn, r13 = arg.
    .global kernel_thread_trampoline
kernel_thread_trampoline:
    movq %r12, %rdi
    movq %r13, %rsi
    xorl %ebp, %ebp
    call kernel_thread_start
    ud2

// First return of a new user thread: r12 = its TrapFrame on the kernel stack.
    .global user_thread_trampoline
user_thread_trampoline:
    call sched_finish_switch
    movq %r12, %rsp
    // A new thread passes the same checks as every return to user mode
    // (it may have been killed or stopped before it ever ran).
    movq %rsp, %rdi
    call sched_first_return_to_user
    jmp trap_return

    .section .note.GNU-stack, "", @progbits
