/* A small static program for the ELF parser's tests (kernel/loader/elf_test.cpp): built with
   musl and glibc as static and static-PIE executables, the kinds Bulwark loads. It uses TLS
   (errno, and the variable below) so the glibc build carries a PT_TLS. */
#include <stdio.h>

static _Thread_local int calls;

int main(void)
{
    ++calls;
    printf("hello from a static program (%d)\n", calls);
    return 0;
}
