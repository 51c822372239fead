; DHCP messages over the BOOTP layout (RFC 951 §3, RFC 2131 §2-§4, options from RFC 2132), spec for
; net/wire/dhcp.{h,cpp}. Proved by proofs/net/wire/dhcp.cpp. Octet offsets count from the start of
; the message (the UDP payload); multi-octet fields are in network byte order, first octet most
; significant (RFC 951 §3, RFC 791 Appendix B). A row of the RFC 2131 §2 Figure 1 diagram is given
; as a 32-bit word of its four octets: w1 = octets 4..7, w2 = 8..11, and so on.

(define-fun dhcp_be32 ((b0 (_ BitVec 8)) (b1 (_ BitVec 8)) (b2 (_ BitVec 8)) (b3 (_ BitVec 8))) (_ BitVec 32)
  (concat b0 b1 b2 b3))

; ---- The fixed part: RFC 2131 §2 Figure 1 and Table 1 (the layout of RFC 951 §3, with "vend"
; renamed "options"): op 0, htype 1, hlen 2, hops 3, xid 4..7, secs 8..9, flags 10..11, ciaddr
; 12..15, yiaddr 16..19, siaddr 20..23, giaddr 24..27, chaddr 28..43, sname 44..107, file 108..235:
; 236 octets. RFC 2131 §3 and RFC 2132 §2: the options field starts with the magic cookie
; 99.130.83.99 (octets 236..239), so the options proper start at octet 240.
(define-fun dhcp_magic_cookie () (_ BitVec 32) #x63825363)
(define-fun dhcp_options_offset () (_ BitVec 64) #x00000000000000f0)

; A message is accepted for parsing when it holds the fixed part and the cookie (anything shorter
; cannot carry DHCP options, RFC 2131 §3; RFC 951's 300-octet minimum is not required, as the
; options field is variable length, RFC 2131 §2), op is BOOTREQUEST (1) or BOOTREPLY (2) (RFC 951
; §3 "op"), and the hardware is Ethernet: htype 1, hlen 6 (RFC 2131 §2 Table 1
; "htype ... '1' = 10mb ethernet", "hlen ... '6' for 10mb ethernet"; Bulwark's interfaces are
; Ethernet only).
(define-fun dhcp_view_valid ((size (_ BitVec 64)) (op (_ BitVec 8)) (htype (_ BitVec 8)) (hlen (_ BitVec 8))
                             (cookie (_ BitVec 32))) Bool
  (and (bvuge size dhcp_options_offset) (= cookie dhcp_magic_cookie)
       (or (= op #x01) (= op #x02)) (= htype #x01) (= hlen #x06)))
; The view is the whole message (DHCP has no length field: the UDP payload is the message, RFC 2131
; §2); its options area is what follows the cookie.
(define-fun dhcp_view_span_ok ((size (_ BitVec 64)) (bytes_offset (_ BitVec 64)) (bytes_len (_ BitVec 64))
                               (options_offset (_ BitVec 64)) (options_len (_ BitVec 64))) Bool
  (and (= bytes_offset #x0000000000000000) (= bytes_len size)
       (= options_offset dhcp_options_offset) (= options_len (bvsub size dhcp_options_offset))))

; The fields of the fixed part DhcpRepr::parse returns: xid (w1), secs (high half of w2), the
; BROADCAST flag (the most significant bit of flags, RFC 2131 §2 Figure 2; the other bits are
; reserved, zero when sent and ignored on receipt there, and ignored here too), ciaddr (w3), yiaddr
; (w4), siaddr (w5) and the first hlen = 6 octets of chaddr (octets 28..33, as a 48-bit number,
; first octet most significant).
(define-fun dhcp_fixed_fields_ok ((w1 (_ BitVec 32)) (w2 (_ BitVec 32)) (w3 (_ BitVec 32)) (w4 (_ BitVec 32))
                                  (w5 (_ BitVec 32)) (chaddr (_ BitVec 64))
                                  (xid (_ BitVec 32)) (secs (_ BitVec 16)) (broadcast Bool) (client_ip (_ BitVec 32))
                                  (your_ip (_ BitVec 32)) (server_ip (_ BitVec 32)) (hw (_ BitVec 64))) Bool
  (and (= xid w1) (= secs ((_ extract 31 16) w2)) (= broadcast (= ((_ extract 15 15) w2) #b1))
       (= client_ip w3) (= your_ip w4) (= server_ip w5) (= hw chaddr)))

; ---- The option walk: RFC 2132 §2. "Only options 0 and 255 are fixed length" (Pad and End, one tag
; octet each, §3.1 and §3.2); every other option is a tag octet, a length octet whose value "does
; not include the two octets specifying the tag and length", and that many data octets. End "marks
; the end of valid information" (§3.2): what follows it is not examined, and an area without End is
; treated as truncated (Bulwark's policy). STYLE.md: "Option loops advance at least one byte per
; step and never leave the header".

; What one call of DhcpOptionReader::next returns, from offset `before` in an area of `size` octets,
; given whether the walk was already finished (`done`), the octet at `before` (`code`) and the one
; after it (`len`) where they exist: 0 = an option, 1 = no option (End was reached, or the walk
; had finished), 2 = Truncated (the area ends before End), 3 = BadOption (no length octet, or data
; past the area).
(define-fun dhcp_option_verdict ((before (_ BitVec 64)) (size (_ BitVec 64)) (done Bool) (code (_ BitVec 8))
                                 (len (_ BitVec 8))) (_ BitVec 8)
  (ite done #x01
  (ite (bvuge before size) #x02
  (ite (= code #xff) #x01
  (ite (= code #x00) #x00
  (ite (or (bvult (bvsub size before) #x0000000000000002)
           (bvugt ((_ zero_extend 56) len) (bvsub (bvsub size before) #x0000000000000002))) #x03
       #x00))))))

; One step of the walk from `before` to `after`: when it returns an option (`got`) it advances by at
; least one octet, stays inside the area and the walk goes on; otherwise the walk is finished from
; now on (`done_after`), and a finished walk returns no option (dhcp_option_verdict). Hence from any
; offset the walk returns at most size - offset options: DhcpRepr::parse's size + 1 calls of next()
; always reach End or an error.
(define-fun dhcp_option_walk_advances ((before (_ BitVec 64)) (after (_ BitVec 64)) (size (_ BitVec 64))
                                       (got Bool) (done_after Bool)) Bool
  (ite got
       (and (bvult before after) (bvule after size) (not done_after))
       done_after))

; The returned option's data [data_off, data_off + data_len) lies inside the octets the step
; consumed, [before, after), hence inside the area (offsets from the area's start).
(define-fun dhcp_option_in_bounds ((data_off (_ BitVec 64)) (data_len (_ BitVec 64))
                                   (before (_ BitVec 64)) (after (_ BitVec 64))) Bool
  (and (bvule before data_off) (bvule data_off after) (bvule data_len (bvsub after data_off))))

; The returned option is the one at `before` (RFC 2132 §2): its code octet; Pad has no data and the
; step consumes its one octet; any other option's data are the `len` octets after its length octet,
; and the step consumes code, length and data.
(define-fun dhcp_option_fields ((before (_ BitVec 64)) (code (_ BitVec 8)) (len (_ BitVec 8))
                                (got_code (_ BitVec 8)) (data_off (_ BitVec 64)) (data_len (_ BitVec 64))
                                (after (_ BitVec 64))) Bool
  (and (= got_code code)
       (ite (= code #x00)
            (and (= data_len #x0000000000000000) (= after (bvadd before #x0000000000000001)))
            (and (= data_off (bvadd before #x0000000000000002)) (= data_len ((_ zero_extend 56) len))
                 (= after (bvadd data_off data_len))))))

; ---- Decoding the options a client needs (RFC 2132) and the repr parse returns.

; The codes DhcpRepr::parse decodes: Subnet Mask 1 (RFC 2132 §3.3), Router 3 (§3.5), Domain Name
; Server 6 (§3.8), Requested IP Address 50 (§9.1), IP Address Lease Time 51 (§9.2), DHCP Message
; Type 53 (§9.6), Server Identifier 54 (§9.7), Parameter Request List 55 (§9.8), Renewal (T1) Time
; 58 (§9.11), Rebinding (T2) Time 59 (§9.12), Client-identifier 61 (§9.14). Others are skipped by
; their length (Bulwark decodes what a client needs; Option Overload, 52, is among the skipped).
(define-fun dhcp_option_known ((code (_ BitVec 8))) Bool
  (or (= code #x01) (= code #x03) (= code #x06) (= code #x32) (= code #x33) (= code #x35) (= code #x36)
      (= code #x37) (= code #x3a) (= code #x3b) (= code #x3d)))
; The known codes as a set: bit `code` set for each (codes 1, 3, 6, 50, 51, 53, 54, 55, 58, 59, 61).
(define-fun dhcp_known_mask () (_ BitVec 64) #x2cec00000000004a)
; The bit of `seen` that records option `code` (every known code is below 64).
(define-fun dhcp_seen_has ((seen (_ BitVec 64)) (code (_ BitVec 8))) Bool
  (= ((_ extract 0 0) (bvlshr seen ((_ zero_extend 56) code))) #b1))

; A subnet mask's one bits are contiguous from the most significant end: every one bit's upper
; neighbour is a one bit (RFC 950 §2.1 recommends contiguous masks; classless addressing, RFC 4632
; §3.1, has only prefix masks). Bulwark rejects other masks.
(define-fun dhcp_mask_contiguous ((mask (_ BitVec 32))) Bool
  (= (bvand (bvshl mask #x00000001) (bvnot mask)) #x00000000))

; What applying one option returns (0 = accepted, 1 = BadOption, 2 = Unsupported), given its code,
; its data length, the options seen before it, and its first data octets d0..d3 (read only when
; the length allows):
; - an unknown code is skipped;
; - a known code seen before is BadOption: RFC 3396 concatenation of split long options is not
;   supported, and a repeated fixed-size option has no defined meaning;
; - Message Type is one octet (RFC 2132 §9.6), and only types 1..8 (DHCPDISCOVER .. DHCPINFORM)
;   are defined there; other types are Unsupported;
; - Router and Domain Name Server list addresses: "The minimum length ... is 4 octets, and the
;   length MUST always be a multiple of 4" (RFC 2132 §3.5, §3.8);
; - Parameter Request List: "The minimum length for this option is 1" (§9.8);
; - Client-identifier: "The minimum length ... is 2" (§9.14);
; - the others are exactly 4 octets (§3.3, §9.1, §9.2, §9.7, §9.11, §9.12), and a subnet mask
;   must be contiguous (dhcp_mask_contiguous).
(define-fun dhcp_apply_verdict ((code (_ BitVec 8)) (len (_ BitVec 64)) (seen (_ BitVec 64))
                                (d0 (_ BitVec 8)) (d1 (_ BitVec 8)) (d2 (_ BitVec 8)) (d3 (_ BitVec 8))) (_ BitVec 8)
  (ite (not (dhcp_option_known code)) #x00
  (ite (dhcp_seen_has seen code) #x01
  (ite (= code #x35)
       (ite (not (= len #x0000000000000001)) #x01 (ite (or (bvult d0 #x01) (bvugt d0 #x08)) #x02 #x00))
  (ite (or (= code #x03) (= code #x06))
       (ite (or (bvult len #x0000000000000004) (not (= (bvurem len #x0000000000000004) #x0000000000000000))) #x01 #x00)
  (ite (= code #x37) (ite (bvult len #x0000000000000001) #x01 #x00)
  (ite (= code #x3d) (ite (bvult len #x0000000000000002) #x01 #x00)
  (ite (not (= len #x0000000000000004)) #x01
  (ite (and (= code #x01) (not (dhcp_mask_contiguous (dhcp_be32 d0 d1 d2 d3)))) #x01
       #x00)))))))))

; An accepted known option is recorded in `seen`; an unknown one leaves it as it was.
(define-fun dhcp_seen_after ((code (_ BitVec 8)) (seen (_ BitVec 64)) (seen_after (_ BitVec 64))) Bool
  (= seen_after (ite (dhcp_option_known code) (bvor seen (bvshl #x0000000000000001 ((_ zero_extend 56) code)))
                     seen)))

; Applying option `code` changes only the repr field that option carries (`field`, named by its
; code): each option of RFC 2132 defines one parameter, held in one field of the repr.
(define-fun dhcp_option_frame ((code (_ BitVec 8)) (field (_ BitVec 8)) (unchanged Bool)) Bool
  (or (= code field) unchanged))

; Address lists keep their first entries: DhcpRepr holds at most 3 DNS servers (RFC 2132 §3.8 lists
; them "in order of preference") and 16 requested parameters.
(define-fun dhcp_dns_count ((len (_ BitVec 64))) (_ BitVec 8)
  (ite (bvuge len #x000000000000000c) #x03 ((_ extract 7 0) (bvudiv len #x0000000000000004))))
(define-fun dhcp_prl_count ((len (_ BitVec 64))) (_ BitVec 8)
  (ite (bvuge len #x0000000000000010) #x10 ((_ extract 7 0) len)))
; Client-identifier: a type octet followed by the identifier, "expected" to be a hardware type and
; address (RFC 2132 §9.14); Bulwark recognises hardware type 1 followed by the repr's chaddr, and
; ignores any other. `id` is the 6 octets after the type, `chaddr` the repr's.
(define-fun dhcp_client_id_ours ((len (_ BitVec 64)) (type (_ BitVec 8)) (id (_ BitVec 64))
                                 (chaddr (_ BitVec 64))) Bool
  (and (= len #x0000000000000007) (= type #x01) (= id chaddr)))

; What DhcpRepr::parse can return (DhcpRepr::is_valid): a defined message type (1..8), counts within
; their arrays, a contiguous subnet mask if any.
(define-fun dhcp_repr_valid ((type (_ BitVec 8)) (dns_count (_ BitVec 8)) (prl_count (_ BitVec 8))
                             (has_mask Bool) (mask (_ BitVec 32))) Bool
  (and (bvuge type #x01) (bvule type #x08) (bvule dns_count #x03) (bvule prl_count #x10)
       (=> has_mask (dhcp_mask_contiguous mask))))

; Every option-derived field of the repr came from an option that was seen: `seen` holds only known
; codes, and each field that differs from its initial value (absent, 0, false, type DHCPDISCOVER)
; has its code's bit. So what parse returns never carries a default for a required option.
(define-fun dhcp_seen_consistent ((seen (_ BitVec 64)) (type (_ BitVec 8)) (has_mask Bool) (has_router Bool)
                                  (dns_count (_ BitVec 8)) (has_requested Bool) (has_lease Bool)
                                  (has_server_id Bool) (prl_count (_ BitVec 8)) (has_t1 Bool) (has_t2 Bool)
                                  (client_id Bool)) Bool
  (and (= (bvand seen (bvnot dhcp_known_mask)) #x0000000000000000)
       (=> (not (= type #x01)) (dhcp_seen_has seen #x35))
       (=> has_mask (dhcp_seen_has seen #x01)) (=> has_router (dhcp_seen_has seen #x03))
       (=> (not (= dns_count #x00)) (dhcp_seen_has seen #x06)) (=> has_requested (dhcp_seen_has seen #x32))
       (=> has_lease (dhcp_seen_has seen #x33)) (=> has_server_id (dhcp_seen_has seen #x36))
       (=> (not (= prl_count #x00)) (dhcp_seen_has seen #x37)) (=> has_t1 (dhcp_seen_has seen #x3a))
       (=> has_t2 (dhcp_seen_has seen #x3b)) (=> client_id (dhcp_seen_has seen #x3d))))

; At End: the message type option is required in every DHCP message ("MUST" in RFC 2131 §4.3.1
; Table 3, server messages, and §4.4.1 Table 5, client messages); DHCPOFFER, DHCPACK and DHCPNAK
; travel as BOOTREPLY (op 2, Table 3), every other type as BOOTREQUEST (op 1, Table 5).
(define-fun dhcp_op_for ((type (_ BitVec 8))) (_ BitVec 8)
  (ite (or (= type #x02) (= type #x05) (= type #x06)) #x02 #x01))
(define-fun dhcp_complete_ok ((seen (_ BitVec 64)) (type (_ BitVec 8)) (op (_ BitVec 8))) Bool
  (and (dhcp_seen_has seen #x35) (= (dhcp_op_for type) op)))
