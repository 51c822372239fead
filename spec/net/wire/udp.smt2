; UDP over IPv4 (RFC 768), spec for net/wire/udp.{h,cpp}. Proved by proofs/net/wire/udp.cpp.
; A header is given as 32-bit words of its octets in transmission order, first octet most
; significant: w0 = octets 0..3, w1 = 4..7.

; RFC 768 "Format": source port (octets 0..1), destination port (2..3), length (4..5), checksum (6..7).
(define-fun udp_src_port ((w0 (_ BitVec 32))) (_ BitVec 16) ((_ extract 31 16) w0))
(define-fun udp_dst_port ((w0 (_ BitVec 32))) (_ BitVec 16) ((_ extract 15 0) w0))
(define-fun udp_length ((w1 (_ BitVec 32))) (_ BitVec 64) ((_ zero_extend 48) ((_ extract 31 16) w1)))
(define-fun udp_checksum_field ((w1 (_ BitVec 32))) (_ BitVec 16) ((_ extract 15 0) w1))

; RFC 768 "Length": the length in octets of the datagram including the header, "the minimum value
; of the length is eight". The datagram must fit the buffer it came in (the IPv4 payload); octets
; past the length are not part of it.
(define-fun udp_view_valid ((size (_ BitVec 64)) (w1 (_ BitVec 32))) Bool
  (and (bvuge size #x0000000000000008)
       (bvuge (udp_length w1) #x0000000000000008) (bvule (udp_length w1) size)))
; The view is the first `length` octets; its payload is what follows the 8-octet header.
(define-fun udp_view_span_ok ((w1 (_ BitVec 32)) (bytes_offset (_ BitVec 64)) (bytes_len (_ BitVec 64))
                              (payload_offset (_ BitVec 64)) (payload_len (_ BitVec 64))) Bool
  (and (= bytes_offset #x0000000000000000) (= bytes_len (udp_length w1))
       (= payload_offset #x0000000000000008) (= payload_len (bvsub (udp_length w1) #x0000000000000008))))

; RFC 768 "Checksum": the 16-bit one's complement of the one's complement sum of a pseudo header
; (source address, destination address, zero, protocol 17, UDP length: RFC 768 "Fields") and the
; datagram, padded with a zero octet to whole 16-bit words; the receiver's test is that the sum
; with the checksum field included is all ones (RFC 1071 §1 (2)). "An all zero transmitted
; checksum value means that the transmitter generated no checksum": such a datagram is accepted.
; `verifies` (1 or 0) is that test as computed by net/wire/checksum over the datagram's `length`
; octets with the pseudo header's sum as initial value: checksum::verifies(datagram,
; checksum::pseudo_header(src, dst, 17, length)). Its RFC 1071 meaning is proved in
; proofs/net/wire/checksum.cpp (pseudo_header and fold for every input, accumulate for buffers of
; at most 16 octets with any initial value), not here.
(define-fun udp_checksum_ok ((w1 (_ BitVec 32)) (verifies (_ BitVec 8))) Bool
  (or (= (udp_checksum_field w1) #x0000) (= verifies #x01)))

; Parse: the checksum verifies and, Bulwark's policy, the destination port is not 0 (RFC 768 gives
; port 0 no meaning as a destination; IANA reserves it, and no socket can be bound to it).
; Source port 0 is legal: "If not used, a value of zero is inserted" (RFC 768 "Source Port").
(define-fun udp_parse_valid ((w0 (_ BitVec 32)) (w1 (_ BitVec 32)) (verifies (_ BitVec 8))) Bool
  (and (udp_checksum_ok w1 verifies) (not (= (udp_dst_port w0) #x0000))))
; The repr's ports are the header's; its payload is the view's (octets 8 .. length).
(define-fun udp_repr_ok ((w0 (_ BitVec 32)) (w1 (_ BitVec 32)) (src_port (_ BitVec 16)) (dst_port (_ BitVec 16))
                         (payload_offset (_ BitVec 64)) (payload_len (_ BitVec 64))) Bool
  (and (= src_port (udp_src_port w0)) (= dst_port (udp_dst_port w0))
       (= payload_offset #x0000000000000008) (= payload_len (bvsub (udp_length w1) #x0000000000000008))))
