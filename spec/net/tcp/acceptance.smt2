; Acceptance tests of segment arrival (RFC 9293 §3.10.7.3-4 with RFC 5961), spec for
; net/tcp/acceptance.{h,cpp}. Proved by proofs/net/tcp/acceptance.cpp.

; ---- Intervals of sequence space. RFC 9293 §3.4: sequence numbers are compared modulo 2^32, so
; "a =< x < a + n" means that x is one of the n numbers counted from a, and "a =< x =< b" that x is
; one of the numbers counted from a up to b.
(define-fun seq_interval ((x (_ BitVec 32)) (a (_ BitVec 32)) (n (_ BitVec 32))) Bool
  (bvult (bvsub x a) n))
(define-fun seq_between ((a (_ BitVec 32)) (x (_ BitVec 32)) (b (_ BitVec 32))) Bool
  (bvule (bvsub x a) (bvsub b a)))

; RFC 9293 §3.10.7.4, the four cases of the acceptability table (len counts SYN and FIN):
;   len 0, RCV.WND 0:   SEG.SEQ = RCV.NXT
;   len 0, RCV.WND >0:  RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
;   len >0, RCV.WND 0:  not acceptable
;   len >0, RCV.WND >0: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
;                       or RCV.NXT =< SEG.SEQ+SEG.LEN-1 < RCV.NXT+RCV.WND
(define-fun tcp_segment_acceptable ((seq (_ BitVec 32)) (len (_ BitVec 32)) (rcv_nxt (_ BitVec 32))
                                    (rcv_wnd (_ BitVec 32))) Bool
  (ite (= len #x00000000)
       (ite (= rcv_wnd #x00000000) (= seq rcv_nxt) (seq_interval seq rcv_nxt rcv_wnd))
       (and (not (= rcv_wnd #x00000000))
            (or (seq_interval seq rcv_nxt rcv_wnd)
                (seq_interval (bvsub (bvadd seq len) #x00000001) rcv_nxt rcv_wnd)))))

; What a segment earns in a synchronized state (net::tcp::Admission: ChallengeSyn 0,
; Unacceptable 1, Reset 2, ChallengeRst 3, NoAck 4, Proceed 5), in RFC 9293 §3.10.7.4's order:
; - RFC 5961 §4.2: a SYN, "irrespective of the sequence number", gets a challenge ACK.
; - "first, check sequence number": an unacceptable segment is dropped; but "if the RCV.WND is
;   zero ... special allowance should be made to accept valid ACKs, URGs, and RSTs": a segment
;   at exactly RCV.NXT is admitted for its control bits.
; - RFC 5961 §3.2 (replacing "second, check the RST bit"): a RST exactly at RCV.NXT resets the
;   connection; one elsewhere in the window gets a challenge ACK.
; - "fifth, check the ACK field": "if the ACK bit is off, drop the segment and return".
(define-fun tcp_admission ((syn Bool) (rst Bool) (ack Bool) (seq (_ BitVec 32)) (len (_ BitVec 32))
                           (rcv_nxt (_ BitVec 32)) (rcv_wnd (_ BitVec 32))) (_ BitVec 8)
  (ite syn #x00
  (ite (not (or (tcp_segment_acceptable seq len rcv_nxt rcv_wnd)
                (and (= rcv_wnd #x00000000) (= seq rcv_nxt)))) #x01
  (ite rst (ite (= seq rcv_nxt) #x02 #x03)
  (ite (not ack) #x04 #x05)))))

; The security reading of RFC 5961 §3 and §4 on its own: an off-path attacker must hit RCV.NXT
; exactly to reset a connection (not merely the window, RFC 5961 §1.1), and no SYN ever gets past
; the first check into the state machine.
(define-fun tcp_blind_reset_resisted ((syn Bool) (rst Bool) (seq (_ BitVec 32)) (rcv_nxt (_ BitVec 32))
                                      (admission (_ BitVec 8))) Bool
  (and (=> (= admission #x02) (and rst (= seq rcv_nxt)))
       (=> syn (= admission #x00))))

; RFC 5961 §5.2: an ACK is acceptable iff (SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT.
(define-fun tcp_ack_acceptable ((ack (_ BitVec 32)) (snd_una (_ BitVec 32)) (snd_nxt (_ BitVec 32))
                                (max_snd_wnd (_ BitVec 32))) Bool
  (seq_between (bvsub snd_una max_snd_wnd) ack snd_nxt))
; RFC 9293 §3.10.7.3, SYN-SENT: "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset", i.e. the ACK
; is acceptable iff ISS < SEG.ACK =< SND.NXT.
(define-fun tcp_syn_sent_ack_acceptable ((ack (_ BitVec 32)) (iss (_ BitVec 32)) (snd_nxt (_ BitVec 32))) Bool
  (and (not (= ack iss)) (seq_between iss ack snd_nxt)))
; RFC 9293 §3.10.7.4 "fifth", SYN-RECEIVED: "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED".
(define-fun tcp_syn_received_ack_acceptable ((ack (_ BitVec 32)) (snd_una (_ BitVec 32)) (snd_nxt (_ BitVec 32))) Bool
  (and (not (= ack snd_una)) (seq_between snd_una ack snd_nxt)))
