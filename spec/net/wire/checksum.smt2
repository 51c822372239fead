; The Internet checksum (RFC 1071), spec for net/wire/checksum.cpp.
; Proved by proofs/net/wire/checksum.cpp.

; RFC 1071 §1 (1): adjacent octets are paired into 16-bit integers, the first octet the high
; byte; an odd final octet is padded with a zero octet (§4.1's C code). Widened to 64 bits so a
; harness can sum words without wrapping.
(define-fun checksum_word ((hi (_ BitVec 8)) (lo (_ BitVec 8))) (_ BitVec 64)
  (concat #x000000000000 hi lo))

; RFC 1071 §2 (B): one's complement addition of two 16-bit words, the carry out of the top bit
; added back in ("end around carry").
(define-fun ones_add16 ((a (_ BitVec 16)) (b (_ BitVec 16))) (_ BitVec 16)
  (let ((s (bvadd ((_ zero_extend 16) a) ((_ zero_extend 16) b))))
    ((_ extract 15 0) (bvadd s (bvlshr s #x00000010)))))
; The one's complement sum of the 16-bit words of a 32- or 64-bit accumulator: its canonical value
; (the sum modulo 2^16 - 1, where a nonzero multiple of 0xffff is 0xffff, "-0", never +0).
(define-fun ones_sum32 ((x (_ BitVec 32))) (_ BitVec 16)
  (ones_add16 ((_ extract 31 16) x) ((_ extract 15 0) x)))
(define-fun ones_sum64 ((x (_ BitVec 64))) (_ BitVec 16)
  (ones_add16 (ones_add16 ((_ extract 63 48) x) ((_ extract 47 32) x))
              (ones_add16 ((_ extract 31 16) x) ((_ extract 15 0) x))))

; accumulate(): the returned 32-bit accumulator has the same one's complement sum as `exact`, the
; word sum computed without any wrap-around.
(define-fun checksum_accumulate_ok ((exact (_ BitVec 64)) (r (_ BitVec 32))) Bool
  (= (ones_sum64 exact) (ones_sum32 r)))

; fold(): the 16-bit result is the one's complement sum of the accumulator's two halves.
(define-fun checksum_fold_ok ((acc (_ BitVec 32)) (r (_ BitVec 16))) Bool
  (= r (ones_sum32 acc)))

; The pseudo header of RFC 768 "Fields" (UDP) and RFC 9293 §3.1 (TCP) as 16-bit words: source
; address (two words), destination address (two), a zero octet and the protocol (one), the
; length (one). pseudo_header() returns their word sum (six words: it cannot wrap 32 bits).
(define-fun checksum_pseudo_header_ok ((src (_ BitVec 32)) (dst (_ BitVec 32)) (protocol (_ BitVec 8))
                                       (length (_ BitVec 16)) (r (_ BitVec 32))) Bool
  (= ((_ zero_extend 32) r)
     (bvadd ((_ zero_extend 48) ((_ extract 31 16) src)) ((_ zero_extend 48) ((_ extract 15 0) src))
            ((_ zero_extend 48) ((_ extract 31 16) dst)) ((_ zero_extend 48) ((_ extract 15 0) dst))
            ((_ zero_extend 56) protocol) ((_ zero_extend 48) length))))

; RFC 1624 §3, eqn. 3: after one 16-bit word of the data changes from m to m', the new checksum
; is HC' = ~(~HC + ~m + m'). As a property: let s be the one's complement sum of every other word
; (any value); if HC is the checksum of the data with m (HC = ~(s + m)), then HC' is that of the
; data with m' (~(s + m')). One exception, which the proof without it shows (s = 0, m' = 0): when
; the new data sums to +0 (every word zero, which no IPv4 header is: its version nibble is 4),
; eqn. 3 gives 0x0000 where recomputation gives 0xffff, the other zero of one's complement.
(define-fun checksum_update_ok ((s (_ BitVec 16)) (m (_ BitVec 16)) (m_new (_ BitVec 16)) (hc (_ BitVec 16))
                                (r (_ BitVec 16))) Bool
  (=> (and (= hc (bvnot (ones_add16 s m))) (not (= (ones_add16 s m_new) #x0000)))
      (= r (bvnot (ones_add16 s m_new)))))
