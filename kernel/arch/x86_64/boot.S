// 32-bit entry points (Multiboot2 from GRUB, PVH from QEMU -kernel), early
// page tables and the switch to long mode. Everything here runs at its
// physical address with paging off; the C++ kernel takes over in the higher
// half at kernel_main(protocol, info_phys).

#define KERNEL_VMA 0xffffffff80000000
#define PHYS(x) ((x) - KERNEL_VMA)

#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define MB2_BOOTLOADER_MAGIC 0x36d76289

#define BOOT_PROTOCOL_MULTIBOOT2 1
#define BOOT_PROTOCOL_PVH 2

    .section .multiboot2, "a"
    .align 8
mb2_header:
    .long MB2_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    // Information request: memory map, modules, framebuffer, ACPI.
    .align 8
    .word 1, 1
    .long 8 + 4 * 6
    .long 6, 3, 8, 14, 15, 1
    // Entry address (32-bit, physical).
    .align 8
    .word 3, 0
    .long 12
    .long _start_mb2
    // Framebuffer: any mode (optional).
    .align 8
    .word 5, 1
    .long 20
    .long 0, 0, 32
    // Modules page aligned.
    .align 8
    .word 6, 0
    .long 8
    // End tag.
    .align 8
    .word 0, 0
    .long 8
mb2_header_end:

    // Xen PVH entry note: QEMU -kernel enters _start_pvh in 32-bit mode.
    .section .note.pvh, "a"
    .align 4
    .long 4             // name size
    .long 4             // desc size
    .long 18            // XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .long _start_pvh

    .section .boot.text, "ax"
    .code32
    .global _start_mb2
_start_mb2:
    cli
    cmpl $MB2_BOOTLOADER_MAGIC, %eax
    jne boot_fail
    movl $BOOT_PROTOCOL_MULTIBOOT2, %esi
    jmp common32

    .global _start_pvh
_start_pvh:
    cli
    movl $BOOT_PROTOCOL_PVH, %esi

common32:
    // ebx = boot info physical address, esi = protocol
    movl $boot_stack_top, %esp
    movl %ebx, %edi

    // No long mode → cannot continue.
    movl $0x80000001, %eax
    cpuid
    testl $(1 << 29), %edx
    jz boot_fail

    // Build page tables: PML4[0] and PML4[256] → pdpt_low (identity and
    // direct map of the first GiB), PML4[511] → pdpt_high[510] → same PD.
    movl $boot_pd, %eax
    orl $3, %eax
    movl %eax, boot_pdpt_low
    movl %eax, boot_pdpt_high + 510 * 8

    movl $boot_pdpt_low, %eax
    orl $3, %eax
    movl %eax, boot_pml4
    movl %eax, boot_pml4 + 256 * 8
    movl $boot_pdpt_high, %eax
    orl $3, %eax
    movl %eax, boot_pml4 + 511 * 8

    // 512 × 2 MiB pages = 1 GiB.
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax                  // present | writable | huge
    movl %eax, boot_pd(, %ecx, 8)
    incl %ecx
    cmpl $512, %ecx
    jne 1b

    movl $boot_pml4, %eax
    movl %eax, %cr3

    movl %cr4, %eax
    orl $(1 << 5), %eax              // PAE
    movl %eax, %cr4

    movl $0xC0000080, %ecx           // EFER
    rdmsr
    orl $((1 << 8) | (1 << 11)), %eax // LME | NXE
    wrmsr

    movl %cr0, %eax
    orl $((1 << 31) | (1 << 16) | 1), %eax // PG | WP | PE
    movl %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $0x08, $long_mode_entry

boot_fail:
    // Print "RustOS: no long mode / bad boot" on COM1 and halt.
    movl $boot_fail_msg, %esi
2:  lodsb
    testb %al, %al
    jz 3f
    movw $0x3f8, %dx
    outb %al, %dx
    jmp 2b
3:  hlt
    jmp 3b

    .code64
long_mode_entry:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movabsq $higher_half, %rax
    jmp *%rax

    .section .boot.data, "aw"
    .align 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff         // 64-bit code
    .quad 0x00cf92000000ffff         // data
boot_gdt_end:
boot_gdt_ptr:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt
boot_fail_msg:
    .asciz "RustOS: unsupported CPU or boot loader (need x86_64 long mode, Multiboot2 or PVH)\r\n"

    .section .boot.bss, "aw", @nobits
    .align 4096
    .global boot_pml4
boot_pml4: .skip 4096
boot_pdpt_low: .skip 4096
boot_pdpt_high: .skip 4096
boot_pd: .skip 4096
boot_stack: .skip 4096
boot_stack_top:

    .text
    .code64
higher_half:
    movabsq $kernel_stack_top, %rsp
    xorl %ebp, %ebp
    // rdi = info phys (zero-extended), rsi = protocol
    movl %edi, %edi
    xchgq %rdi, %rsi
    // kernel_main(protocol, info_phys)
    call kernel_main
4:  cli
    hlt
    jmp 4b

    .bss
    .align 16
    .global kernel_stack_bottom
kernel_stack_bottom:
    .skip 65536
    .global kernel_stack_top
kernel_stack_top:

    .section .note.GNU-stack, "", @progbits
