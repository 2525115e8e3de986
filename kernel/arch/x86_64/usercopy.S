// Copies between kernel and user memory that may fault. A page fault at
// one of the instructions listed in __user_copy_fixups is handed to the
// user page fault handler (demand paging); if that cannot resolve it, the
// copy resumes at the fixup and returns the number of bytes NOT copied.
//
// uint64_t arch_user_copy(void* dst, const void* src, uint64_t len)
//   rdi = dst, rsi = src, rdx = len; returns 0 on success.

    .text
    .global arch_user_copy
arch_user_copy:
    movq %rdx, %rcx
    shrq $3, %rcx
1:  rep movsq                       // may fault: rcx counts the words left
    movq %rdx, %rcx
    andq $7, %rcx
2:  rep movsb                       // may fault: rcx counts the bytes left
    xorl %eax, %eax
    ret
3:  // fault in the word copy: bytes left = words left * 8 + the tail
    leaq (%rdx), %rax
    andq $7, %rax
    leaq (%rax, %rcx, 8), %rax
    ret
4:  movq %rcx, %rax
    ret

    .section .rodata.user_copy_fixups, "a"
    .balign 8
    .global __user_copy_fixups
__user_copy_fixups:
    .quad 1b, 3b
    .quad 2b, 4b
    .global __user_copy_fixups_end
__user_copy_fixups_end:

    .section .note.GNU-stack, "", @progbits
