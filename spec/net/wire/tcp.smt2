; TCP header, option walk and sequence arithmetic, spec for net/wire/tcp.{h,cpp}.
; Proved by proofs/net/wire/tcp.cpp.

; ---- Sequence numbers: RFC 9293 §3.4, comparisons modulo 2^32 (serial arithmetic, RFC 1982 §3.2).

; RFC 1982 §3.2: s1 < s2 when (s1 < s2 and s2 - s1 < 2^31) or (s1 > s2 and s1 - s2 > 2^31).
(define-fun seq_lt ((a (_ BitVec 32)) (b (_ BitVec 32))) Bool
  (or (and (bvult a b) (bvult (bvsub b a) #x80000000))
      (and (bvugt a b) (bvugt (bvsub a b) #x80000000))))
(define-fun seq_le ((a (_ BitVec 32)) (b (_ BitVec 32))) Bool
  (or (= a b) (seq_lt a b)))
; s1 > s2 when s2 < s1 (RFC 1982 §3.2 defines both from the same two cases).
(define-fun seq_gt ((a (_ BitVec 32)) (b (_ BitVec 32))) Bool
  (seq_lt b a))
(define-fun seq_ge ((a (_ BitVec 32)) (b (_ BitVec 32))) Bool
  (or (= a b) (seq_gt a b)))
; RFC 1982 §3.2 leaves the comparison of two numbers exactly 2^31 apart undefined.
(define-fun seq_comparable ((a (_ BitVec 32)) (b (_ BitVec 32))) Bool
  (not (= (bvsub a b) #x80000000)))
; RFC 9293 §3.10.7.4 acceptability test: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND (modulo 2^32).
(define-fun seq_in_window ((seq (_ BitVec 32)) (start (_ BitVec 32)) (len (_ BitVec 32))) Bool
  (and (seq_le start seq) (seq_lt seq (bvadd start len))))
; RFC 7323 §2.3: a window never exceeds 2^30 bytes, so the test above is well defined.
(define-fun seq_window_len_ok ((len (_ BitVec 32))) Bool
  (bvule len #x40000000))

; ---- Options: RFC 9293 §3.1 ("Options" and "Data Offset"): the options area is at most 40 bytes;
; kinds 0 (End of Option List) and 1 (No-Operation) are one byte; every other kind has a length
; octet counting the kind and length octets. STYLE.md: "Option loops advance at least one byte per
; step and never leave the header".

; One call of the reader with offset `before` -> `after` over an area of `size` bytes. When it returns
; an option (`got` = 1) it advances by at least one byte and stays inside the area; otherwise (end
; of list, end of area, error) it is finished: after = size. Hence from any offset the walk returns at
; most size - offset options and ends by step size + 1 (41 for a 40-byte area).
(define-fun option_walk_advances ((before (_ BitVec 64)) (after (_ BitVec 64)) (size (_ BitVec 64))
                                  (got (_ BitVec 8))) Bool
  (ite (= got #x01)
       (and (bvult before after) (bvule after size))
       (= after size)))

; The returned option's data [data_off, data_off + data_len) lies inside the bytes the step
; consumed, [before, after), hence inside the area (byte offsets from the area's start).
(define-fun option_in_bounds ((data_off (_ BitVec 64)) (data_len (_ BitVec 64))
                              (before (_ BitVec 64)) (after (_ BitVec 64))) Bool
  (and (bvule before data_off) (bvule data_off after) (bvule data_len (bvsub after data_off))))

; ---- Header: RFC 9293 §3.1 "Data Offset: the number of 32-bit words in the TCP header", at least 5;
; the header cannot extend past the segment, and the segment length must fit the 16-bit
; pseudo-header length (RFC 9293 §3.1, "TCP Length").
(define-fun tcp_header_valid ((size (_ BitVec 64)) (byte12 (_ BitVec 8))) Bool
  (let ((header_len (bvmul ((_ zero_extend 56) (bvlshr byte12 #x04)) #x0000000000000004)))
    (and (bvuge size #x0000000000000014) (bvule size #x000000000000ffff)
         (bvuge header_len #x0000000000000014) (bvule header_len size))))

; ---- Decoded options (RFC 9293 §3.2, RFC 7323 §2.2-§3.2, RFC 2018 §2-§3, RFC 6691).
; Network byte order: the first octet is the most significant (RFC 791 Appendix B).
(define-fun be16 ((b0 (_ BitVec 8)) (b1 (_ BitVec 8))) (_ BitVec 16) (concat b0 b1))
(define-fun be32 ((b0 (_ BitVec 8)) (b1 (_ BitVec 8)) (b2 (_ BitVec 8)) (b3 (_ BitVec 8))) (_ BitVec 32)
  (concat b0 b1 b2 b3))
; The options Bulwark decodes: MSS (2), Window Scale (3), SACK-Permitted (4), SACK (5), Timestamps (8).
(define-fun tcp_option_known ((kind (_ BitVec 8))) Bool
  (or (= kind #x02) (= kind #x03) (= kind #x04) (= kind #x05) (= kind #x08)))
; The data length (option length - 2) each known kind must have: MSS 2, Window Scale 1,
; SACK-Permitted 0, Timestamps 8, SACK 8n with 1 <= n <= 4 (a 40-byte area holds at most 4 blocks).
(define-fun tcp_option_length_ok ((kind (_ BitVec 8)) (len (_ BitVec 64))) Bool
  (ite (= kind #x02) (= len #x0000000000000002)
  (ite (= kind #x03) (= len #x0000000000000001)
  (ite (= kind #x04) (= len #x0000000000000000)
  (ite (= kind #x08) (= len #x0000000000000008)
  (ite (= kind #x05) (and (= (bvurem len #x0000000000000008) #x0000000000000000)
                          (bvuge len #x0000000000000008) (bvule len #x0000000000000020))
       false))))))
; RFC 7323 §2.3: a shift count above 14 is used as 14.
(define-fun window_scale_used ((shift (_ BitVec 8))) (_ BitVec 8)
  (ite (bvugt shift #x0e) #x0e shift))
; What an accepted options area may yield: MSS, Window Scale and SACK-Permitted are only meaningful
; on a SYN and are ignored elsewhere; SACK blocks are ignored on a SYN; at most 4 blocks; the shift
; used is at most 14.
(define-fun tcp_options_consistent ((syn Bool) (has_mss Bool) (has_ws Bool) (ws (_ BitVec 8))
                                   (sack_permitted Bool) (sack_count (_ BitVec 8))) Bool
  (and (=> (not syn) (and (not has_mss) (not has_ws) (not sack_permitted)))
       (=> syn (= sack_count #x00))
       (bvule sack_count #x04)
       (=> has_ws (bvule ws #x0e))))
