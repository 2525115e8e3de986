// Interrupt and exception entry stubs. Each stub pushes a dummy error code
// when the CPU does not, then the vector, and joins trap_common, which saves
// the general registers into a TrapFrame (trap_frame.h) and calls
// trap_dispatch(TrapFrame*).

    .text
    .code64

.macro ISR_NOERR n
    .align 16
isr_\n:
    pushq $0
    pushq $\n
    jmp trap_common
.endm

.macro ISR_ERR n
    .align 16
isr_\n:
    pushq $\n
    jmp trap_common
.endm

    .global trap_common
trap_common:
    // CS of the interrupted context is at 24(%rsp) (vector, error, rip, cs).
    testb $3, 24(%rsp)
    jz 1f
    swapgs
1:  pushq %rax
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
    // Frame pointer chain ends here so backtraces stop cleanly.
    xorl %ebp, %ebp
    call trap_dispatch

    .global trap_return
trap_return:
    // rsp points at a TrapFrame. Interrupts must be off from here on.
    cli
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp
    testb $3, 8(%rsp)
    jz 2f
    swapgs
2:  iretq

// Exceptions 0-31 (8, 10-14, 17, 21, 29, 30 push an error code), then
// hardware vectors 32-255.
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR 8
ISR_NOERR 9
ISR_ERR 10
ISR_ERR 11
ISR_ERR 12
ISR_ERR 13
ISR_ERR 14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR 17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR 21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR 29
ISR_ERR 30
ISR_NOERR 31
.altmacro
.set i, 32
.rept 224
    ISR_NOERR %i
    .set i, i + 1
.endr

    .section .rodata
    .align 8
    .global isr_table
isr_table:
.set i, 0
.macro ISR_ADDR n
    .quad isr_\n
.endm
.rept 256
    ISR_ADDR %i
    .set i, i + 1
.endr

    .section .note.GNU-stack, "", @progbits
