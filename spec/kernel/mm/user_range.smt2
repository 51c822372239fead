; User address ranges, spec for kernel/mm/user_range.{h,cpp}. Proved by proofs/kernel/mm/user_range.cpp.
; The user half is [0, 2^47): the canonical lower half of 4-level paging (Intel SDM Vol. 3A, 4.5
; "4-Level Paging": bits 63:47 of a linear address must be equal). A range [address, address +
; length) is a user range exactly when it lies inside that half as integers: its end, computed
; without wrapping, is at most 2^47. An empty range may start at 2^47 itself, as Linux's access_ok()
; allows (arch/x86/include/asm/uaccess_64.h).
(define-fun user_limit () (_ BitVec 64) #x0000800000000000)
(define-fun user_range_valid ((address (_ BitVec 64)) (length (_ BitVec 64))) Bool
  (bvule (bvadd ((_ zero_extend 1) address) ((_ zero_extend 1) length)) ((_ zero_extend 1) user_limit)))
