/* Interrupt and exception entry stubs for all 256 vectors. Each stub makes the frame uniform
 * (a zero error code where the CPU pushes none, then the vector number), saves every general
 * register and calls trap_dispatch(TrapFrame*). The layout must match TrapFrame in traps.h. */

.section .text
.code64

/* Stub v starts at trap_stubs_start + 16 * v (each fits in 16 bytes; checked at link
 * time), so traps.cpp computes gate addresses instead of reading a table. */
.macro TRAP_STUB
    .balign 16
    /* Vectors 8, 10-14, 17, 21, 29, 30 push an error code (SDM vol. 3A table 6-1). */
    .if (vector == 8) || ((vector >= 10) && (vector <= 14)) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
    .else
    pushq $0
    .endif
    pushq $vector
    jmp trap_common
.endm

    .balign 16
.global trap_stubs_start
trap_stubs_start:
.set vector, 0
.rept 256
    TRAP_STUB
    .set vector, vector + 1
.endr
    .balign 16
.global trap_stubs_end
trap_stubs_end:     /* linker.ld asserts trap_stubs_end - trap_stubs_start == 16 * 256 */

trap_common:
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
    call trap_dispatch
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
    addq $16, %rsp          /* vector and error code */
    iretq

/* u64 fault_probe_call(void (*fn)(void*), void* arg, FaultProbe* probe)
 * Calls fn(arg). If fn faults while probe->armed, trap_dispatch resumes at 1: below with the stack
 * pointer saved here, and this returns 1; otherwise 0. Callee-saved registers are restored from
 * this frame either way. Used by the kernel self-tests to provoke faults on purpose. */
.section .text
.global fault_probe_call
fault_probe_call:
    pushq %rbp
    movq %rsp, %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    movq %rsp, 0(%rdx)          /* probe->resume_rsp */
    leaq 1f(%rip), %rax
    movq %rax, 8(%rdx)          /* probe->resume_rip */
    movq %rdi, %rax
    movq %rsi, %rdi
    call *%rax
    xorl %eax, %eax
    jmp 2f
1:  movl $1, %eax
2:  addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
