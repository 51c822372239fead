; IPv4 headers (RFC 791 §3.1, RFC 1122 §3.2.1), spec for net/wire/ipv4.{h,cpp}. Proved by
; proofs/net/wire/ipv4.cpp. A header is given as the 32-bit rows
; of RFC 791's diagram, first octet most significant: w0 = octets 0..3, ..., w4 = 16..19; options
; octets as a 64-bit value `o`, octet 20 most significant.

; RFC 791 §3.1 "Internet Header Format".
(define-fun ipv4_version ((w0 (_ BitVec 32))) (_ BitVec 4) ((_ extract 31 28) w0))
(define-fun ipv4_ihl ((w0 (_ BitVec 32))) (_ BitVec 4) ((_ extract 27 24) w0))
(define-fun ipv4_tos ((w0 (_ BitVec 32))) (_ BitVec 8) ((_ extract 23 16) w0))
(define-fun ipv4_total_length ((w0 (_ BitVec 32))) (_ BitVec 64) ((_ zero_extend 48) ((_ extract 15 0) w0)))
(define-fun ipv4_identification ((w1 (_ BitVec 32))) (_ BitVec 16) ((_ extract 31 16) w1))
; Flags: bit 0 reserved, bit 1 DF, bit 2 MF; then the 13-bit fragment offset.
(define-fun ipv4_flag_reserved ((w1 (_ BitVec 32))) (_ BitVec 1) ((_ extract 15 15) w1))
(define-fun ipv4_flag_df ((w1 (_ BitVec 32))) (_ BitVec 1) ((_ extract 14 14) w1))
(define-fun ipv4_flag_mf ((w1 (_ BitVec 32))) (_ BitVec 1) ((_ extract 13 13) w1))
(define-fun ipv4_fragment_offset ((w1 (_ BitVec 32))) (_ BitVec 13) ((_ extract 12 0) w1))
(define-fun ipv4_ttl ((w2 (_ BitVec 32))) (_ BitVec 8) ((_ extract 31 24) w2))
(define-fun ipv4_protocol ((w2 (_ BitVec 32))) (_ BitVec 8) ((_ extract 23 16) w2))
; "Internet Header Length is the length of the internet header in 32 bit words".
(define-fun ipv4_header_len ((w0 (_ BitVec 32))) (_ BitVec 64)
  (bvmul ((_ zero_extend 60) (ipv4_ihl w0)) #x0000000000000004))

; ---- The view. RFC 791 §3.1: Version is 4; "the minimum value for a correct header is 5" (IHL);
; "Total Length is the length of the datagram, measured in octets, including internet header and
; data", so header length <= total length; and the datagram must be in the buffer. Octets past
; total length are link-layer padding (RFC 894's 46-octet minimum) and not part of the datagram.
(define-fun ipv4_view_valid ((size (_ BitVec 64)) (w0 (_ BitVec 32))) Bool
  (and (bvuge size #x0000000000000014) (= (ipv4_version w0) #x4)
       (bvuge (ipv4_ihl w0) #x5)
       (bvule (ipv4_header_len w0) (ipv4_total_length w0)) (bvule (ipv4_total_length w0) size)))
; The view is the datagram: octets [0, total length); its header [0, header length), options
; [20, header length) and payload [header length, total length). Offsets from the buffer's start.
(define-fun ipv4_view_span_ok ((w0 (_ BitVec 32)) (bytes_offset (_ BitVec 64)) (bytes_len (_ BitVec 64))
                               (options_offset (_ BitVec 64)) (options_len (_ BitVec 64))
                               (payload_offset (_ BitVec 64)) (payload_len (_ BitVec 64))) Bool
  (and (= bytes_offset #x0000000000000000) (= bytes_len (ipv4_total_length w0))
       (= options_offset #x0000000000000014) (= options_len (bvsub (ipv4_header_len w0) #x0000000000000014))
       (= payload_offset (ipv4_header_len w0))
       (= payload_len (bvsub (ipv4_total_length w0) (ipv4_header_len w0)))))

; ---- Options, RFC 791 §3.1 "Options": type 0 (End of Option List) ends the list; type 1 (No
; Operation) is one octet; every other option has a length octet counting type, length and data
; octets (so >= 2), and cannot extend past the header. STYLE.md: the walk advances at least one
; octet per step and never leaves the header. Bulwark's policy: a Loose (131) or Strict (137)
; Source Route is refused, as Linux does with accept_source_route=0 (RFC 7126 §4.3, §4.4; RFC 1122
; §3.2.1.8 asks hosts to honour them, which would let a sender choose the reply path).
; Octet q of an options area given as 64 bits, octet 0 most significant; octet 8 reads as 0.
(define-fun ipv4_opt_octet ((o (_ BitVec 64)) (q (_ BitVec 64))) (_ BitVec 8)
  ((_ extract 7 0) (bvlshr o (bvmul (bvsub #x0000000000000007 q) #x0000000000000008))))
; The option at offset q (not End of Option List or No Operation) has a length octet, a length
; >= 2 that stays inside the n-octet area, and is not a source route.
(define-fun ipv4_opt_allowed ((o (_ BitVec 64)) (n (_ BitVec 64)) (q (_ BitVec 64))) Bool
  (let ((type (ipv4_opt_octet o q))
        (len ((_ zero_extend 56) (ipv4_opt_octet o (bvadd q #x0000000000000001)))))
    (and (bvuge (bvsub n q) #x0000000000000002)
         (bvuge len #x0000000000000002) (bvule len (bvsub n q))
         (not (= type #x83)) (not (= type #x89)))))
; Where the walk goes from offset q: past a No Operation octet, or past the option's length octets.
(define-fun ipv4_opt_next ((o (_ BitVec 64)) (q (_ BitVec 64))) (_ BitVec 64)
  (ite (= (ipv4_opt_octet o q) #x01)
       (bvadd q #x0000000000000001)
       (bvadd q ((_ zero_extend 56) (ipv4_opt_octet o (bvadd q #x0000000000000001))))))
; The walk, having `reached` offset q inside the area, carries on past it (No Operation or an
; allowed option) and lands on p.
(define-fun ipv4_opt_hop ((o (_ BitVec 64)) (n (_ BitVec 64)) (q (_ BitVec 64)) (reached Bool)
                          (p (_ BitVec 64))) Bool
  (and reached (bvult q n)
       (or (= (ipv4_opt_octet o q) #x01)
           (and (not (= (ipv4_opt_octet o q) #x00)) (ipv4_opt_allowed o n q)))
       (= (ipv4_opt_next o q) p)))
; The walk, having `reached` offset q inside the area, fails there: an option that is malformed
; or a source route. (End of Option List ends the walk well formed, as does the end of the area.)
(define-fun ipv4_opt_fails ((o (_ BitVec 64)) (n (_ BitVec 64)) (q (_ BitVec 64)) (reached Bool)) Bool
  (and reached (bvult q n)
       (not (= (ipv4_opt_octet o q) #x00)) (not (= (ipv4_opt_octet o q) #x01))
       (not (ipv4_opt_allowed o n q))))
; An options area of n <= 8 octets is well formed and carries no source route: the walk from
; offset 0 (r0) reaches offsets r1..r7 only by hops, and fails at none of them. Every hop advances,
; so an offset is reached from lower ones only, and offsets >= n are outside the area.
(define-fun ipv4_options_ok ((o (_ BitVec 64)) (n (_ BitVec 64))) Bool
  (let ((r0 true))
  (let ((r1 (ipv4_opt_hop o n #x0000000000000000 r0 #x0000000000000001)))
  (let ((r2 (or (ipv4_opt_hop o n #x0000000000000000 r0 #x0000000000000002) (ipv4_opt_hop o n #x0000000000000001 r1 #x0000000000000002))))
  (let ((r3 (or (ipv4_opt_hop o n #x0000000000000000 r0 #x0000000000000003) (ipv4_opt_hop o n #x0000000000000001 r1 #x0000000000000003) (ipv4_opt_hop o n #x0000000000000002 r2 #x0000000000000003))))
  (let ((r4 (or (ipv4_opt_hop o n #x0000000000000000 r0 #x0000000000000004) (ipv4_opt_hop o n #x0000000000000001 r1 #x0000000000000004) (ipv4_opt_hop o n #x0000000000000002 r2 #x0000000000000004) (ipv4_opt_hop o n #x0000000000000003 r3 #x0000000000000004))))
  (let ((r5 (or (ipv4_opt_hop o n #x0000000000000000 r0 #x0000000000000005) (ipv4_opt_hop o n #x0000000000000001 r1 #x0000000000000005) (ipv4_opt_hop o n #x0000000000000002 r2 #x0000000000000005) (ipv4_opt_hop o n #x0000000000000003 r3 #x0000000000000005) (ipv4_opt_hop o n #x0000000000000004 r4 #x0000000000000005))))
  (let ((r6 (or (ipv4_opt_hop o n #x0000000000000000 r0 #x0000000000000006) (ipv4_opt_hop o n #x0000000000000001 r1 #x0000000000000006) (ipv4_opt_hop o n #x0000000000000002 r2 #x0000000000000006) (ipv4_opt_hop o n #x0000000000000003 r3 #x0000000000000006) (ipv4_opt_hop o n #x0000000000000004 r4 #x0000000000000006) (ipv4_opt_hop o n #x0000000000000005 r5 #x0000000000000006))))
  (let ((r7 (or (ipv4_opt_hop o n #x0000000000000000 r0 #x0000000000000007) (ipv4_opt_hop o n #x0000000000000001 r1 #x0000000000000007) (ipv4_opt_hop o n #x0000000000000002 r2 #x0000000000000007) (ipv4_opt_hop o n #x0000000000000003 r3 #x0000000000000007) (ipv4_opt_hop o n #x0000000000000004 r4 #x0000000000000007) (ipv4_opt_hop o n #x0000000000000005 r5 #x0000000000000007) (ipv4_opt_hop o n #x0000000000000006 r6 #x0000000000000007))))
    (not (or (ipv4_opt_fails o n #x0000000000000000 r0) (ipv4_opt_fails o n #x0000000000000001 r1) (ipv4_opt_fails o n #x0000000000000002 r2) (ipv4_opt_fails o n #x0000000000000003 r3) (ipv4_opt_fails o n #x0000000000000004 r4) (ipv4_opt_fails o n #x0000000000000005 r5) (ipv4_opt_fails o n #x0000000000000006 r6) (ipv4_opt_fails o n #x0000000000000007 r7))))))))))))

; ---- Parse. RFC 791 §3.1 "Header Checksum": "the 16 bit one's complement of the one's complement
; sum of all 16 bit words in the header", so a received header's sum, checksum included, is all
; ones (RFC 1071 §1 (2)). `verifies` (1 or 0) is that test as computed by net/wire/checksum over
; the header's IHL * 4 octets: checksum::verifies(header). Its RFC 1071 meaning is proved in
; proofs/net/wire/checksum.cpp for fold and for accumulate over at most 16 octets only, so for
; IPv4 headers (20..60 octets) it is NOT proved (proofs/README.md, Soundness limits): there it
; rests on checksum_test.cpp.
; RFC 1122 §3.2.1.3: a source may not be the limited broadcast (b), loopback 127/8 (g: "MUST NOT
; appear outside a host") or multicast 224/4 (RFC 1112 §4). 0.0.0.0 is accepted: DHCP clients send
; from it (RFC 1122 §3.2.1.3 (a), RFC 2131 §4.1).
(define-fun ipv4_valid_source ((a (_ BitVec 32))) Bool
  (and (not (= a #xffffffff)) (not (= ((_ extract 31 28) a) #xe)) (not (= ((_ extract 31 24) a) #x7f))))
; A checked datagram is accepted when its checksum verifies, its options are well formed (and carry
; no source route), the reserved flag is 0 (RFC 791 §3.1 "Bit 0: reserved, must be zero"; Bulwark's
; policy is to refuse a datagram that sets it), it is not a fragment (Bulwark's policy: no
; reassembly, so MF = 0 and offset = 0; RFC 1122 §3.3.2 asks hosts to reassemble) and its source
; is valid.
(define-fun ipv4_parse_valid ((w0 (_ BitVec 32)) (w1 (_ BitVec 32)) (w3 (_ BitVec 32)) (o (_ BitVec 64))
                              (verifies (_ BitVec 8))) Bool
  (and (= verifies #x01)
       (ipv4_options_ok o (bvsub (ipv4_header_len w0) #x0000000000000014))
       (= (ipv4_flag_reserved w1) #b0)
       (= (ipv4_flag_mf w1) #b0) (= (ipv4_fragment_offset w1) #b0000000000000)
       (ipv4_valid_source w3)))
; The repr's fields are the header's; payload_len is total length - header length.
(define-fun ipv4_repr_ok ((w0 (_ BitVec 32)) (w1 (_ BitVec 32)) (w2 (_ BitVec 32)) (w3 (_ BitVec 32))
                          (w4 (_ BitVec 32)) (src (_ BitVec 32)) (dst (_ BitVec 32)) (protocol (_ BitVec 8))
                          (ttl (_ BitVec 8)) (tos (_ BitVec 8)) (identification (_ BitVec 16))
                          (dont_fragment (_ BitVec 8)) (payload_len (_ BitVec 16))) Bool
  (and (= src w3) (= dst w4) (= protocol (ipv4_protocol w2)) (= ttl (ipv4_ttl w2)) (= tos (ipv4_tos w0))
       (= identification (ipv4_identification w1))
       (= dont_fragment ((_ zero_extend 7) (ipv4_flag_df w1)))
       (= ((_ zero_extend 48) payload_len) (bvsub (ipv4_total_length w0) (ipv4_header_len w0)))))
