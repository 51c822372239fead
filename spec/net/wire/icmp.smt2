; ICMPv4 messages (RFC 792; RFC 1191 §4 for the next-hop MTU), spec for net/wire/icmp.{h,cpp}.
; Proved by proofs/net/wire/icmp.cpp. A header is given as 32-bit words of its octets in
; transmission order, first octet most significant: w0 = octets 0..3, w1 = 4..7.

; RFC 792: every message starts with Type (octet 0), Code (1) and Checksum (2..3), then four octets
; whose meaning depends on the type: Identifier (4..5) and Sequence Number (6..7) for Echo (type 8)
; and Echo Reply (type 0); unused for Destination Unreachable (type 3), except that RFC 1191 §4
; puts the Next-Hop MTU in octets 6..7 for code 4 ("fragmentation needed and DF set").
(define-fun icmp_type ((w0 (_ BitVec 32))) (_ BitVec 8) ((_ extract 31 24) w0))
(define-fun icmp_code ((w0 (_ BitVec 32))) (_ BitVec 8) ((_ extract 23 16) w0))
(define-fun icmp_identifier ((w1 (_ BitVec 32))) (_ BitVec 16) ((_ extract 31 16) w1))
(define-fun icmp_sequence ((w1 (_ BitVec 32))) (_ BitVec 16) ((_ extract 15 0) w1))
(define-fun icmp_next_hop_mtu ((w1 (_ BitVec 32))) (_ BitVec 16) ((_ extract 15 0) w1))

; The view: a message holds at least the 8-octet header. ICMP has no length field: the message is
; the whole IPv4 payload (whose total length trimmed any padding).
(define-fun icmp_view_valid ((size (_ BitVec 64))) Bool
  (bvuge size #x0000000000000008))
; The view is the whole message; its payload (echo data, or the original datagram's header and
; first 64 bits of data) is what follows the 8-octet header.
(define-fun icmp_view_span_ok ((size (_ BitVec 64)) (bytes_offset (_ BitVec 64)) (bytes_len (_ BitVec 64))
                               (payload_offset (_ BitVec 64)) (payload_len (_ BitVec 64))) Bool
  (and (= bytes_offset #x0000000000000000) (= bytes_len size)
       (= payload_offset #x0000000000000008) (= payload_len (bvsub size #x0000000000000008))))

; RFC 792 "Checksum": "the 16-bit one's complement of the one's complement sum of the ICMP message
; starting with the ICMP Type", so a received message's sum, checksum included, is all ones
; (RFC 1071 §1 (2)). `verifies` (1 or 0) is that test as computed by net/wire/checksum over the
; whole message: checksum::verifies(message). Its RFC 1071 meaning is proved in
; proofs/net/wire/checksum.cpp (fold for every input, accumulate for buffers of at most 16
; octets), not here.
; Bulwark's policy: only Echo Reply (0), Destination Unreachable (3) and Echo (8) are handled; any
; other type is well formed but refused (Unsupported). RFC 1122 §3.2.2 lets a host silently
; discard an ICMP message of unknown type.
(define-fun icmp_parse_valid ((w0 (_ BitVec 32)) (verifies (_ BitVec 8))) Bool
  (and (= verifies #x01)
       (or (= (icmp_type w0) #x00) (= (icmp_type w0) #x03) (= (icmp_type w0) #x08))))

; The repr's fields are the message's: type and code as received (any code is carried); identifier
; and sequence for echo types, else 0; the next-hop MTU for type 3 code 4, else 0; the payload is
; octets 8 .. size.
(define-fun icmp_repr_ok ((w0 (_ BitVec 32)) (w1 (_ BitVec 32)) (size (_ BitVec 64)) (type (_ BitVec 8))
                          (code (_ BitVec 8)) (identifier (_ BitVec 16)) (sequence (_ BitVec 16))
                          (next_hop_mtu (_ BitVec 16)) (payload_offset (_ BitVec 64))
                          (payload_len (_ BitVec 64))) Bool
  (let ((echo (or (= (icmp_type w0) #x00) (= (icmp_type w0) #x08))))
    (and (= type (icmp_type w0)) (= code (icmp_code w0))
         (= identifier (ite echo (icmp_identifier w1) #x0000))
         (= sequence (ite echo (icmp_sequence w1) #x0000))
         (= next_hop_mtu (ite (and (= (icmp_type w0) #x03) (= (icmp_code w0) #x04)) (icmp_next_hop_mtu w1) #x0000))
         (= payload_offset #x0000000000000008) (= payload_len (bvsub size #x0000000000000008)))))
