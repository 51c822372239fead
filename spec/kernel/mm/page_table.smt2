; x86-64 4-level paging, spec for kernel/mm/page_table.{h,cpp} (the request checks and the leaf
; entries of map() and protect(); the table walk itself is not covered). Proved by
; proofs/kernel/mm/page_table.cpp. Sources: Intel SDM Vol. 3A §4.5 "4-Level Paging" (canonical
; addresses: bits 63..47 all equal; Tables 4-19 and 4-20, PTE and 2-MByte PDE bits: P 0, R/W 1,
; U/S 2, PWT 3, PCD 4, PS 7 (PDE), G 8, address 12..51, XD 63) and §4.6 "Access Rights".
; Enum arguments are the C++ values: access 0 Read, 1 ReadWrite, 2 ReadExecute; privilege
; 0 Kernel, 1 User; caching 0 WriteBack, 1 Uncached. Results are MapError codes in declaration
; order (kernel/mm/page_table.h), #xff for success: 0 OutOfMemory, 1 AlreadyMapped, 2 NotMapped,
; 3 Misaligned, 4 NonCanonical, 5 KernelUserMix, 6 BadSize.

(define-fun pt_user_half_end () (_ BitVec 64) #x0000800000000000)
(define-fun pt_kernel_half_base () (_ BitVec 64) #xffff800000000000)
; Bulwark's physical address limit, 2^52 (the largest MAXPHYADDR, SDM §4.1.4).
(define-fun pt_phys_limit () (_ BitVec 64) #x0010000000000000)

(define-fun pt_canonical ((v (_ BitVec 64))) Bool
  (or (bvult v pt_user_half_end) (bvuge v pt_kernel_half_base)))
(define-fun pt_upper ((v (_ BitVec 64))) Bool (bvuge v pt_kernel_half_base))
(define-fun pt_page_aligned ((v (_ BitVec 64))) Bool (= ((_ extract 11 0) v) #x000))

; A virtual range is usable when it is non-empty and page-aligned, its last byte does not wrap
; past 2^64, and both ends lie in the same canonical half (so it never crosses the hole).
(define-fun pt_last ((virt (_ BitVec 64)) (size (_ BitVec 64))) (_ BitVec 64)
  (bvadd virt (bvsub size #x0000000000000001)))
(define-fun pt_no_wrap ((virt (_ BitVec 64)) (size (_ BitVec 64))) Bool
  (bvuge (pt_last virt size) virt))
(define-fun pt_range_result ((virt (_ BitVec 64)) (size (_ BitVec 64))) (_ BitVec 8)
  (ite (= size #x0000000000000000) #x06
  (ite (not (and (pt_page_aligned virt) (pt_page_aligned size))) #x03
  (ite (not (and (pt_no_wrap virt size) (pt_canonical virt) (pt_canonical (pt_last virt size))
                 (= (pt_upper virt) (pt_upper (pt_last virt size))))) #x04
  #xff))))

; map()'s request: the range as above, then phys page-aligned, [phys, phys + size) below the
; limit, and no User mapping in the upper (kernel) half.
(define-fun pt_map_request_result ((virt (_ BitVec 64)) (phys (_ BitVec 64)) (size (_ BitVec 64)) (user Bool))
                                  (_ BitVec 8)
  (ite (not (= (pt_range_result virt size) #xff)) (pt_range_result virt size)
  (ite (not (pt_page_aligned phys)) #x03
  (ite (not (and (bvult phys pt_phys_limit) (bvule size (bvsub pt_phys_limit phys)))) #x06
  (ite (and user (pt_upper virt)) #x05
  #xff)))))

(define-fun pt_bit ((e (_ BitVec 64)) (i (_ BitVec 64))) Bool
  (= ((_ extract 0 0) (bvlshr e i)) #b1))
(define-fun pt_writable ((e (_ BitVec 64))) Bool (pt_bit e #x0000000000000001))
(define-fun pt_user_bit ((e (_ BitVec 64))) Bool (pt_bit e #x0000000000000002))
(define-fun pt_no_execute ((e (_ BitVec 64))) Bool (pt_bit e #x000000000000003f))

; W^X (SDM §4.6: a page is writable when R/W is set, executable when XD is clear): no leaf is
; both.
(define-fun pt_w_xor_x ((e (_ BitVec 64))) Bool
  (not (and (pt_writable e) (not (pt_no_execute e)))))

; The leaf map() writes for a page at `target`: present; writable exactly for ReadWrite;
; non-executable unless ReadExecute; U/S exactly for User; PWT and PCD exactly for Uncached;
; PS exactly for a 2 MiB page; global exactly for a kernel page in the upper half; the frame
; address is target (a page-aligned address below 2^52); every other bit (accessed, dirty, 52..62 and the rest) clear.
(define-fun pt_leaf_ok ((e (_ BitVec 64)) (target (_ BitVec 64)) (access (_ BitVec 8)) (user Bool)
                        (uncached Bool) (upper Bool) (large Bool)) Bool
  (let ((flags (concat (ite (not (= access #x02)) #b1 #b0) #x0000000000000 #b00
                       (ite (and (not user) upper) #b1 #b0) (ite large #b1 #b0) #b00
                       (ite uncached #b11 #b00) (ite user #b1 #b0) (ite (= access #x01) #b1 #b0) #b1)))
    (and (= (bvand target #xfff0000000000fff) #x0000000000000000) ; a frame address, no flag bits
         (= e (bvor target flags)))))

; protect(): R/W and XD set for the new access as in a new leaf, every other bit as it was.
(define-fun pt_protect_ok ((new (_ BitVec 64)) (old (_ BitVec 64)) (access (_ BitVec 8))) Bool
  (and (= (pt_writable new) (= access #x01))
       (= (pt_no_execute new) (not (= access #x02)))
       (= (bvand new #x7ffffffffffffffd) (bvand old #x7ffffffffffffffd))))

; The kernel half is never user-accessible: a leaf with U/S set maps a page in the lower half.
(define-fun pt_user_lower_half ((e (_ BitVec 64)) (page (_ BitVec 64))) Bool
  (=> (pt_user_bit e) (not (pt_upper page))))
