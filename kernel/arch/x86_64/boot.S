/* PVH entry (Xen PVH boot ABI, xen/include/public/arch-x86/hvm/start_info.h): the VMM enters
 * _pvh_start in 32-bit protected mode, paging off, with %ebx = physical address of hvm_start_info.
 * We build boot page tables (identity + physmap + higher-half kernel, 2 MiB pages), switch to long
 * mode and call kernel_boot_entry(start_info_phys) on the higher-half boot stack. */

#define KERNEL_VIRT_BASE 0xffffffff80000000
#define PHYSMAP_BASE     0xffff800000000000
#define PTE_P   0x1
#define PTE_RW  0x2
#define PTE_PS  0x80

/* XEN_ELFNOTE_PHYS32_ENTRY = 18: the 32-bit physical entry point. */
.section .note.Xen, "a", @note
    .balign 4
    .long 4            /* namesz */
    .long 4            /* descsz */
    .long 18           /* type   */
    .asciz "Xen"
    .balign 4
    .long _pvh_start

.section .boot.text, "ax", @progbits
.code32
.global _pvh_start
_pvh_start:
    cli
    cld
    /* The first thing we do: note the TSC, so bench/ can measure entry -> ready. */
    rdtsc
    movl %eax, boot_entry_tsc
    movl %edx, boot_entry_tsc + 4
    movl %ebx, %ebp                   /* cpuid clobbers %ebx; keep start_info in %ebp */

    /* Long mode needs CPUID 0x80000001.EDX bit 29; say so on COM1 instead of triple-faulting. */
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb no_long_mode
    movl $0x80000001, %eax
    cpuid
    btl $29, %edx
    jnc no_long_mode

    /* The boot tables live in .boot.bss; zero them rather than trust the loader to. */
    movl $boot_pml4, %edi
    movl $(boot_bss_end - boot_pml4), %ecx
    shrl $2, %ecx
    xorl %eax, %eax
    rep stosl
    movl %ebp, boot_start_info_phys

    /* 4 page directories of 2 MiB pages cover physical 0..4 GiB. */
    movl $boot_pd, %edi
    xorl %ecx, %ecx                   /* entry index 0..2047 */
1:  movl %ecx, %eax
    shll $21, %eax                    /* low 32 bits of index * 2 MiB */
    orl $(PTE_P | PTE_RW | PTE_PS), %eax
    movl %eax, (%edi,%ecx,8)
    movl %ecx, %eax
    shrl $11, %eax                    /* high bits: index * 2 MiB >> 32 */
    movl %eax, 4(%edi,%ecx,8)
    incl %ecx
    cmpl $2048, %ecx
    jne 1b

    /* boot_pdpt_low[0..3] -> the 4 PDs (identity 0..4 GiB and physmap 0..4 GiB share them). */
    movl $boot_pdpt_low, %edi
    xorl %ecx, %ecx
2:  movl %ecx, %eax
    shll $12, %eax
    addl $boot_pd, %eax
    orl $(PTE_P | PTE_RW), %eax
    movl %eax, (%edi,%ecx,8)
    incl %ecx
    cmpl $4, %ecx
    jne 2b

    /* boot_pdpt_high[510] -> PD 0: 0xffffffff80000000 maps physical 0..1 GiB. */
    movl $boot_pd, %eax
    orl $(PTE_P | PTE_RW), %eax
    movl %eax, boot_pdpt_high + 510 * 8

    movl $boot_pdpt_low, %eax
    orl $(PTE_P | PTE_RW), %eax
    movl %eax, boot_pml4             /* PML4[0]: identity, for this code until the jump */
    movl %eax, boot_pml4 + 256 * 8   /* PML4[256]: physmap */
    movl $boot_pdpt_high, %eax
    orl $(PTE_P | PTE_RW), %eax
    movl %eax, boot_pml4 + 511 * 8   /* PML4[511]: kernel image */

    /* CR4.PAE, CR3, EFER.LME|NXE, CR0.PG|WP. */
    movl %cr4, %eax
    orl $(1 << 5), %eax
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl $0xC0000080, %ecx
    rdmsr
    orl $((1 << 8) | (1 << 11)), %eax
    wrmsr
    movl %cr0, %eax
    orl $((1 << 31) | (1 << 16) | 1), %eax
    movl %eax, %cr0

    lgdt boot_gdt_pointer
    ljmp $0x08, $long_mode_entry

no_long_mode:
    movl $no_long_mode_message, %esi
3:  movb (%esi), %al
    testb %al, %al
    jz 4f
    movw $0x3f8, %dx
    outb %al, %dx
    incl %esi
    jmp 3b
4:  hlt
    jmp 4b

.code64
long_mode_entry:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs

    /* Zero .bss ourselves rather than trust the loader to have done it. */
    movabsq $__bss_start, %rdi
    movabsq $__bss_end, %rcx
    subq %rdi, %rcx
    xorl %eax, %eax
    rep stosb

    movabsq $boot_stack_top, %rsp
    xorl %ebp, %ebp                   /* terminates backtraces */
    movl boot_start_info_phys, %edi
    movabsq $kernel_boot_entry, %rax
    call *%rax
5:  cli
    hlt
    jmp 5b

.section .boot.rodata, "a", @progbits
no_long_mode_message:
    .asciz "bulwark: this CPU has no long mode (x86-64); cannot boot\r\n"
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff          /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff          /* 0x10: data */
boot_gdt_end:
boot_gdt_pointer:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt

.section .boot.data, "aw", @progbits
    .balign 8
.global boot_entry_tsc
boot_entry_tsc: .quad 0

.section .boot.bss, "aw", @nobits
    .balign 4096
.global boot_pml4
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4096 * 4
boot_start_info_phys: .skip 4
    .balign 4
boot_bss_end:

/* Kernel stacks: each slot is one guard page (left unmapped by the final page tables, so an
 * overflow faults instead of corrupting memory) followed by stack_pages of stack. Slot 0 is the
 * boot stack; the others are the IST stacks (see stacks.h for the numbering). */
#define KSTACK_SLOTS 4
#define KSTACK_SLOT_SIZE (9 * 4096)
.section .kstacks, "aw", @nobits
    .balign 4096
.global __kstacks_start
__kstacks_start:
    .skip KSTACK_SLOTS * KSTACK_SLOT_SIZE
.global __kstacks_end
__kstacks_end:
.set boot_stack_top, __kstacks_start + KSTACK_SLOT_SIZE
