; Physical frame allocator, spec for kernel/mm/frame_allocator.{h,cpp}. Proved by
; proofs/kernel/mm/frame_allocator.cpp.
; The allocator's state over at most 128 frames is three 128-bit maps, frame i at bit i, each
; given as two 64-bit words (lo = frames 0..63, hi = 64..127): `used`, `head` (first frame of a
; live allocation) and `reserved`. Bits at and past `frames` are padding. Source for the states
; and their meaning: the class comment in kernel/mm/frame_allocator.h (our own design; there is no
; RFC for it), and the issue's "a frame is free or allocated, never both; allocation returns a
; free, aligned frame of the requested size and marks it; free accepts only allocated frames;
; counts consistent".

(define-fun fa_map ((lo (_ BitVec 64)) (hi (_ BitVec 64))) (_ BitVec 128) (concat hi lo))
(define-fun fa_ones () (_ BitVec 128) (bvnot (_ bv0 128)))
; Frames [first, first + count) as a mask (count < 128 + 1; a count of 128 is every frame).
(define-fun fa_run ((first (_ BitVec 64)) (count (_ BitVec 64))) (_ BitVec 128)
  (bvshl (bvnot (bvshl fa_ones ((_ zero_extend 64) count))) ((_ zero_extend 64) first)))
; The padding: frames at and past `frames`.
(define-fun fa_padding ((frames (_ BitVec 64))) (_ BitVec 128) (bvshl fa_ones ((_ zero_extend 64) frames)))
(define-fun fa_bit ((frame (_ BitVec 64))) (_ BitVec 128) (bvshl (_ bv1 128) ((_ zero_extend 64) frame)))

; The number of set bits of a 64-bit word (the sum of its bits) and of a map.
(define-fun fa_popcount64 ((x (_ BitVec 64))) (_ BitVec 64)
    (bvadd ((_ zero_extend 63) ((_ extract 0 0) x)) ((_ zero_extend 63) ((_ extract 1 1) x))
           ((_ zero_extend 63) ((_ extract 2 2) x)) ((_ zero_extend 63) ((_ extract 3 3) x))
           ((_ zero_extend 63) ((_ extract 4 4) x)) ((_ zero_extend 63) ((_ extract 5 5) x))
           ((_ zero_extend 63) ((_ extract 6 6) x)) ((_ zero_extend 63) ((_ extract 7 7) x))
           ((_ zero_extend 63) ((_ extract 8 8) x)) ((_ zero_extend 63) ((_ extract 9 9) x))
           ((_ zero_extend 63) ((_ extract 10 10) x)) ((_ zero_extend 63) ((_ extract 11 11) x))
           ((_ zero_extend 63) ((_ extract 12 12) x)) ((_ zero_extend 63) ((_ extract 13 13) x))
           ((_ zero_extend 63) ((_ extract 14 14) x)) ((_ zero_extend 63) ((_ extract 15 15) x))
           ((_ zero_extend 63) ((_ extract 16 16) x)) ((_ zero_extend 63) ((_ extract 17 17) x))
           ((_ zero_extend 63) ((_ extract 18 18) x)) ((_ zero_extend 63) ((_ extract 19 19) x))
           ((_ zero_extend 63) ((_ extract 20 20) x)) ((_ zero_extend 63) ((_ extract 21 21) x))
           ((_ zero_extend 63) ((_ extract 22 22) x)) ((_ zero_extend 63) ((_ extract 23 23) x))
           ((_ zero_extend 63) ((_ extract 24 24) x)) ((_ zero_extend 63) ((_ extract 25 25) x))
           ((_ zero_extend 63) ((_ extract 26 26) x)) ((_ zero_extend 63) ((_ extract 27 27) x))
           ((_ zero_extend 63) ((_ extract 28 28) x)) ((_ zero_extend 63) ((_ extract 29 29) x))
           ((_ zero_extend 63) ((_ extract 30 30) x)) ((_ zero_extend 63) ((_ extract 31 31) x))
           ((_ zero_extend 63) ((_ extract 32 32) x)) ((_ zero_extend 63) ((_ extract 33 33) x))
           ((_ zero_extend 63) ((_ extract 34 34) x)) ((_ zero_extend 63) ((_ extract 35 35) x))
           ((_ zero_extend 63) ((_ extract 36 36) x)) ((_ zero_extend 63) ((_ extract 37 37) x))
           ((_ zero_extend 63) ((_ extract 38 38) x)) ((_ zero_extend 63) ((_ extract 39 39) x))
           ((_ zero_extend 63) ((_ extract 40 40) x)) ((_ zero_extend 63) ((_ extract 41 41) x))
           ((_ zero_extend 63) ((_ extract 42 42) x)) ((_ zero_extend 63) ((_ extract 43 43) x))
           ((_ zero_extend 63) ((_ extract 44 44) x)) ((_ zero_extend 63) ((_ extract 45 45) x))
           ((_ zero_extend 63) ((_ extract 46 46) x)) ((_ zero_extend 63) ((_ extract 47 47) x))
           ((_ zero_extend 63) ((_ extract 48 48) x)) ((_ zero_extend 63) ((_ extract 49 49) x))
           ((_ zero_extend 63) ((_ extract 50 50) x)) ((_ zero_extend 63) ((_ extract 51 51) x))
           ((_ zero_extend 63) ((_ extract 52 52) x)) ((_ zero_extend 63) ((_ extract 53 53) x))
           ((_ zero_extend 63) ((_ extract 54 54) x)) ((_ zero_extend 63) ((_ extract 55 55) x))
           ((_ zero_extend 63) ((_ extract 56 56) x)) ((_ zero_extend 63) ((_ extract 57 57) x))
           ((_ zero_extend 63) ((_ extract 58 58) x)) ((_ zero_extend 63) ((_ extract 59 59) x))
           ((_ zero_extend 63) ((_ extract 60 60) x)) ((_ zero_extend 63) ((_ extract 61 61) x))
           ((_ zero_extend 63) ((_ extract 62 62) x)) ((_ zero_extend 63) ((_ extract 63 63) x))))
(define-fun fa_free_count ((used (_ BitVec 128))) (_ BitVec 64)
  (bvadd (fa_popcount64 ((_ extract 63 0) (bvnot used))) (fa_popcount64 ((_ extract 127 64) (bvnot used)))))

; Continuation frames: used, neither a head nor reserved (a later frame of an allocation).
(define-fun fa_continuation ((used (_ BitVec 128)) (head (_ BitVec 128)) (reserved (_ BitVec 128))) (_ BitVec 128)
  (bvand used (bvnot head) (bvnot reserved)))

; The state invariant. Each frame is in exactly one of four states (free, reserved, head,
; continuation): head and reserved imply used and exclude each other. The padding is used and
; reserved, never a head. Every continuation frame directly follows a head or a continuation
; frame, so each live allocation is one head and the continuation run after it. The free count
; is the number of free frames, and the next-fit hint is a covered frame.
(define-fun fa_consistent_map ((used (_ BitVec 128)) (head (_ BitVec 128)) (reserved (_ BitVec 128))
                           (frames (_ BitVec 64)) (free_count (_ BitVec 64)) (hint (_ BitVec 64))) Bool
  (and (= (bvand head (bvnot used)) (_ bv0 128))
       (= (bvand reserved (bvnot used)) (_ bv0 128))
       (= (bvand head reserved) (_ bv0 128))
       (= (bvand used (fa_padding frames)) (fa_padding frames))
       (= (bvand reserved (fa_padding frames)) (fa_padding frames))
       (= (bvand head (fa_padding frames)) (_ bv0 128))
       (= (bvand (fa_continuation used head reserved)
                 (bvnot (bvshl (bvor head (fa_continuation used head reserved)) (_ bv1 128)))) (_ bv0 128))
       (= free_count (fa_free_count used))
       (bvult hint frames)))

; allocate(count, align): refused with BadCount exactly when count is 0 or align is not a power of
; two (the header's contract).
(define-fun fa_allocate_bad_count ((count (_ BitVec 64)) (align (_ BitVec 64))) Bool
  (or (= count #x0000000000000000) (= align #x0000000000000000)
      (not (= (bvand align (bvsub align #x0000000000000001)) #x0000000000000000))))

; A run the allocator may hand out: `count` frames starting at `start`, all covered and free, with
; a physical frame number (base / 4096 + start) that is a multiple of `align`.
(define-fun fa_run_fits_map ((used (_ BitVec 128)) (frames (_ BitVec 64)) (base (_ BitVec 64))
                         (start (_ BitVec 64)) (count (_ BitVec 64)) (align (_ BitVec 64))) Bool
  (and (bvule count frames) (bvule start (bvsub frames count))
       (= (bvand (bvadd (bvlshr base #x000000000000000c) start) (bvsub align #x0000000000000001)) #x0000000000000000)
       (= (bvand used (fa_run start count)) (_ bv0 128))))

; A successful allocate returns base + start * 4096 for a run that fits, and afterwards exactly
; that run is used, its first frame is a head, nothing is reserved anew, and the free count fell
; by `count`.
(define-fun fa_allocated_map ((used (_ BitVec 128)) (head (_ BitVec 128)) (reserved (_ BitVec 128))
                          (frames (_ BitVec 64)) (base (_ BitVec 64)) (free_count (_ BitVec 64))
                          (count (_ BitVec 64)) (align (_ BitVec 64)) (address (_ BitVec 64))
                          (used2 (_ BitVec 128)) (head2 (_ BitVec 128)) (reserved2 (_ BitVec 128))
                          (free_count2 (_ BitVec 64))) Bool
  (let ((start (bvlshr (bvsub address base) #x000000000000000c)))
    (and (bvuge address base)
         (= (bvand (bvsub address base) #x0000000000000fff) #x0000000000000000)
         (fa_run_fits_map used frames base start count align)
         (= used2 (bvor used (fa_run start count)))
         (= head2 (bvor head (fa_bit start)))
         (= reserved2 reserved)
         (= free_count2 (bvsub free_count count)))))

; free(phys, count) succeeds exactly when phys is the address of a live allocation's head and
; count is that allocation's length: the head at `first`, continuation frames after it up to
; first + count, and no continuation frame right after (the header's contract).
(define-fun fa_free_valid_map ((used (_ BitVec 128)) (head (_ BitVec 128)) (reserved (_ BitVec 128))
                           (frames (_ BitVec 64)) (base (_ BitVec 64)) (phys (_ BitVec 64))
                           (count (_ BitVec 64))) Bool
  (let ((first (bvlshr (bvsub phys base) #x000000000000000c))
        (cont (fa_continuation used head reserved)))
    (and (= (bvand phys #x0000000000000fff) #x0000000000000000)
         (bvuge phys base) (bvult first frames)
         (not (= (bvand head (fa_bit first)) (_ bv0 128)))
         (not (= count #x0000000000000000)) (bvule count (bvsub frames first))
         (= (bvand cont (fa_run (bvadd first #x0000000000000001) (bvsub count #x0000000000000001)))
            (fa_run (bvadd first #x0000000000000001) (bvsub count #x0000000000000001)))
         (= (bvand cont (fa_bit (bvadd first count))) (_ bv0 128)))))

; After a successful free the allocation's frames are free, its head is gone, nothing else
; changed, and the free count grew by `count`.
(define-fun fa_freed_map ((used (_ BitVec 128)) (head (_ BitVec 128)) (reserved (_ BitVec 128))
                      (base (_ BitVec 64)) (free_count (_ BitVec 64)) (phys (_ BitVec 64)) (count (_ BitVec 64))
                      (used2 (_ BitVec 128)) (head2 (_ BitVec 128)) (reserved2 (_ BitVec 128))
                      (free_count2 (_ BitVec 64))) Bool
  (let ((first (bvlshr (bvsub phys base) #x000000000000000c)))
    (and (= used2 (bvand used (bvnot (fa_run first count))))
         (= head2 (bvand head (bvnot (fa_bit first))))
         (= reserved2 reserved)
         (= free_count2 (bvadd free_count count)))))

; The same predicates with each map given as its two 64-bit words (lo, hi): the form a harness
; passes (the C ABI splits a 128-bit argument into two words anyway).
(define-fun fa_consistent ((used_lo (_ BitVec 64)) (used_hi (_ BitVec 64)) (head_lo (_ BitVec 64))
                           (head_hi (_ BitVec 64)) (res_lo (_ BitVec 64)) (res_hi (_ BitVec 64))
                           (frames (_ BitVec 64)) (free_count (_ BitVec 64)) (hint (_ BitVec 64))) Bool
  (fa_consistent_map (fa_map used_lo used_hi) (fa_map head_lo head_hi) (fa_map res_lo res_hi) frames free_count hint))
(define-fun fa_run_fits ((used_lo (_ BitVec 64)) (used_hi (_ BitVec 64)) (frames (_ BitVec 64)) (base (_ BitVec 64))
                         (start (_ BitVec 64)) (count (_ BitVec 64)) (align (_ BitVec 64))) Bool
  (fa_run_fits_map (fa_map used_lo used_hi) frames base start count align))
(define-fun fa_allocated ((used_lo (_ BitVec 64)) (used_hi (_ BitVec 64)) (head_lo (_ BitVec 64))
                          (head_hi (_ BitVec 64)) (res_lo (_ BitVec 64)) (res_hi (_ BitVec 64))
                          (frames (_ BitVec 64)) (base (_ BitVec 64)) (free_count (_ BitVec 64))
                          (count (_ BitVec 64)) (align (_ BitVec 64)) (address (_ BitVec 64))
                          (used2_lo (_ BitVec 64)) (used2_hi (_ BitVec 64)) (head2_lo (_ BitVec 64))
                          (head2_hi (_ BitVec 64)) (res2_lo (_ BitVec 64)) (res2_hi (_ BitVec 64))
                          (free_count2 (_ BitVec 64))) Bool
  (fa_allocated_map (fa_map used_lo used_hi) (fa_map head_lo head_hi) (fa_map res_lo res_hi) frames base free_count
                    count align address (fa_map used2_lo used2_hi) (fa_map head2_lo head2_hi)
                    (fa_map res2_lo res2_hi) free_count2))
(define-fun fa_free_valid ((used_lo (_ BitVec 64)) (used_hi (_ BitVec 64)) (head_lo (_ BitVec 64))
                           (head_hi (_ BitVec 64)) (res_lo (_ BitVec 64)) (res_hi (_ BitVec 64))
                           (frames (_ BitVec 64)) (base (_ BitVec 64)) (phys (_ BitVec 64)) (count (_ BitVec 64))) Bool
  (fa_free_valid_map (fa_map used_lo used_hi) (fa_map head_lo head_hi) (fa_map res_lo res_hi) frames base phys count))
(define-fun fa_freed ((used_lo (_ BitVec 64)) (used_hi (_ BitVec 64)) (head_lo (_ BitVec 64))
                      (head_hi (_ BitVec 64)) (res_lo (_ BitVec 64)) (res_hi (_ BitVec 64))
                      (base (_ BitVec 64)) (free_count (_ BitVec 64)) (phys (_ BitVec 64)) (count (_ BitVec 64))
                      (used2_lo (_ BitVec 64)) (used2_hi (_ BitVec 64)) (head2_lo (_ BitVec 64))
                      (head2_hi (_ BitVec 64)) (res2_lo (_ BitVec 64)) (res2_hi (_ BitVec 64))
                      (free_count2 (_ BitVec 64))) Bool
  (fa_freed_map (fa_map used_lo used_hi) (fa_map head_lo head_hi) (fa_map res_lo res_hi) base free_count phys count
                (fa_map used2_lo used2_hi) (fa_map head2_lo head2_hi) (fa_map res2_lo res2_hi) free_count2))
