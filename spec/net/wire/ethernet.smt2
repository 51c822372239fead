; Ethernet II frames (RFC 894; IEEE 802.3 §3.1.1, §3.2), spec for net/wire/ethernet.{h,cpp}.
; Proved by proofs/net/wire/ethernet.cpp. A header is given as 32-bit words of its octets in
; transmission order, first octet most significant: w0 = octets 0..3, w1 = 4..7, w2 = 8..11,
; w3 = 12..15 (only 12..13 are header).

; RFC 894 "Frame Format", IEEE 802.3 §3.1.1: destination address (octets 0..5), source address
; (6..11), type (12..13, most significant octet first), then the data.
(define-fun ethernet_dst ((w0 (_ BitVec 32)) (w1 (_ BitVec 32))) (_ BitVec 48)
  (concat w0 ((_ extract 31 16) w1)))
(define-fun ethernet_src ((w1 (_ BitVec 32)) (w2 (_ BitVec 32))) (_ BitVec 48)
  (concat ((_ extract 15 0) w1) w2))
(define-fun ethernet_type ((w3 (_ BitVec 32))) (_ BitVec 16)
  ((_ extract 31 16) w3))

; A frame is usable when it holds the whole 14-octet header. RFC 894 asks for at least 46 data
; octets (a 60-octet frame without FCS), but shorter frames are discarded by the MAC (IEEE 802.3
; §4.2.4.2.2) or never padded at all by a virtual NIC (a Linux tap sends 42-octet ARP replies), so
; Bulwark's policy is not to require the padding: the payload's own length field trims it.
; Bulwark's interface drops frames over 1514 octets before parsing (net/iface/interface.cpp).
(define-fun ethernet_frame_valid ((size (_ BitVec 64))) Bool
  (bvuge size #x000000000000000e))

; The view is the whole frame and its payload everything after the 14-octet header (Ethernet has no
; length field). Offsets and lengths in octets, from the frame's start.
(define-fun ethernet_view_span_ok ((size (_ BitVec 64)) (bytes_offset (_ BitVec 64)) (bytes_len (_ BitVec 64))
                                   (payload_offset (_ BitVec 64)) (payload_len (_ BitVec 64))) Bool
  (and (= bytes_offset #x0000000000000000) (= bytes_len size)
       (= payload_offset #x000000000000000e) (= payload_len (bvsub size #x000000000000000e))))

; IEEE 802.3 §3.2.3 b): the first bit of an address (the I/G bit, the least significant bit of
; its first octet) is 1 for a group address; in the source address field it is reserved and 0.
; A frame with a group source address is forged and refused.
(define-fun ethernet_is_group ((address (_ BitVec 48))) Bool
  (= ((_ extract 40 40) address) #b1))
(define-fun ethernet_parse_valid ((w1 (_ BitVec 32)) (w2 (_ BitVec 32))) Bool
  (not (ethernet_is_group (ethernet_src w1 w2))))

; The repr's fields are the header's: addresses as 48-bit integers (first octet most significant)
; in 64-bit values, the EtherType as its 16-bit value (any value is carried, known or not).
(define-fun ethernet_repr_ok ((w0 (_ BitVec 32)) (w1 (_ BitVec 32)) (w2 (_ BitVec 32)) (w3 (_ BitVec 32))
                              (dst (_ BitVec 64)) (src (_ BitVec 64)) (type (_ BitVec 16))) Bool
  (and (= dst ((_ zero_extend 16) (ethernet_dst w0 w1)))
       (= src ((_ zero_extend 16) (ethernet_src w1 w2)))
       (= type (ethernet_type w3))))
