; ARP for IPv4 over Ethernet (RFC 826), spec for net/wire/arp.{h,cpp}. Proved by
; proofs/net/wire/arp.cpp. A packet is given as 32-bit words of its octets in transmission order,
; first octet most significant: w0 = octets 0..3, w1 = 4..7, ..., w6 = 24..27.

; RFC 826 "Packet format": ar$hrd (octets 0..1), ar$pro (2..3), ar$hln (4), ar$pln (5), ar$op (6..7),
; then with hln = 6 and pln = 4: ar$sha (8..13), ar$spa (14..17), ar$tha (18..23), ar$tpa (24..27).
(define-fun arp_hrd ((w0 (_ BitVec 32))) (_ BitVec 16) ((_ extract 31 16) w0))
(define-fun arp_pro ((w0 (_ BitVec 32))) (_ BitVec 16) ((_ extract 15 0) w0))
(define-fun arp_hln ((w1 (_ BitVec 32))) (_ BitVec 8) ((_ extract 31 24) w1))
(define-fun arp_pln ((w1 (_ BitVec 32))) (_ BitVec 8) ((_ extract 23 16) w1))
(define-fun arp_op ((w1 (_ BitVec 32))) (_ BitVec 16) ((_ extract 15 0) w1))
(define-fun arp_sha ((w2 (_ BitVec 32)) (w3 (_ BitVec 32))) (_ BitVec 48) (concat w2 ((_ extract 31 16) w3)))
(define-fun arp_spa ((w3 (_ BitVec 32)) (w4 (_ BitVec 32))) (_ BitVec 32) (concat ((_ extract 15 0) w3) ((_ extract 31 16) w4)))
(define-fun arp_tha ((w4 (_ BitVec 32)) (w5 (_ BitVec 32))) (_ BitVec 48) (concat ((_ extract 15 0) w4) w5))
(define-fun arp_tpa ((w6 (_ BitVec 32))) (_ BitVec 32) w6)

; The view: Bulwark handles Ethernet/IPv4 ARP only, whose packet is 28 octets (RFC 826 with
; hln = 6, pln = 4; any other lengths put the later fields elsewhere). Longer buffers are Ethernet
; padding and are not part of the packet.
(define-fun arp_view_valid ((size (_ BitVec 64)) (w1 (_ BitVec 32))) Bool
  (and (bvuge size #x000000000000001c) (= (arp_hln w1) #x06) (= (arp_pln w1) #x04)))
; The view is the packet's 28 octets from the buffer's start (offset, length in octets).
(define-fun arp_view_span_ok ((offset (_ BitVec 64)) (len (_ BitVec 64))) Bool
  (and (= offset #x0000000000000000) (= len #x000000000000001c)))

; RFC 826 "Packet Reception": the hardware type must be one we have (ares_hrd$Ethernet = 1) and the
; protocol one we speak (IP, 0x0800); the opcodes are ares_op$REQUEST = 1 and ares_op$REPLY = 2.
; Bulwark's policy beyond RFC 826 (the sender's addresses go into the neighbour cache): a sender
; hardware address with the I/G bit set (IEEE 802.3 §3.2.3 b), a group address) and a sender
; protocol address that may not be a source on a link (RFC 1122 §3.2.1.3): the limited broadcast
; 255.255.255.255 (b), multicast 224.0.0.0/4 (RFC 1112 §4) or loopback 127.0.0.0/8 (g) are refused.
; 0.0.0.0 is accepted: it is an RFC 5227 probe.
(define-fun arp_ipv4_valid_source ((a (_ BitVec 32))) Bool
  (and (not (= a #xffffffff)) (not (= ((_ extract 31 28) a) #xe)) (not (= ((_ extract 31 24) a) #x7f))))
(define-fun arp_parse_valid ((w0 (_ BitVec 32)) (w1 (_ BitVec 32)) (w2 (_ BitVec 32)) (w3 (_ BitVec 32))
                             (w4 (_ BitVec 32))) Bool
  (and (= (arp_hrd w0) #x0001) (= (arp_pro w0) #x0800)
       (or (= (arp_op w1) #x0001) (= (arp_op w1) #x0002))
       (= ((_ extract 40 40) (arp_sha w2 w3)) #b0)
       (arp_ipv4_valid_source (arp_spa w3 w4))))

; The repr's fields are the packet's: Ethernet addresses as 48-bit integers (first octet most
; significant) in 64-bit values, IPv4 addresses as 32-bit integers (first octet most significant).
(define-fun arp_repr_ok ((w1 (_ BitVec 32)) (w2 (_ BitVec 32)) (w3 (_ BitVec 32)) (w4 (_ BitVec 32))
                         (w5 (_ BitVec 32)) (w6 (_ BitVec 32))
                         (op (_ BitVec 16)) (sha (_ BitVec 64)) (spa (_ BitVec 32)) (tha (_ BitVec 64))
                         (tpa (_ BitVec 32))) Bool
  (and (= op (arp_op w1))
       (= sha ((_ zero_extend 16) (arp_sha w2 w3)))
       (= spa (arp_spa w3 w4))
       (= tha ((_ zero_extend 16) (arp_tha w4 w5)))
       (= tpa (arp_tpa w6))))
