; Split virtqueue, driver side (virtio 1.2 §2.7), spec for kernel/drivers/virtio/virtqueue.{h,cpp}.
; Proved by proofs/kernel/drivers/virtio/virtqueue.cpp. The device is untrusted: it may write
; anything into the used ring at any time; the driver must hand out only what it posted.
; A segment's direction is 0 (the device reads it) or 1 (the device writes it), as
; Segment::Direction. Chains have at most 4 segments (Virtqueue::max_chain, Bulwark's bound; the
; spec's only bound is the queue size); arguments for segments past n are ignored.

(define-fun virtq_writes ((dir (_ BitVec 8))) Bool (= dir #x01))
(define-fun virtq_zext32 ((x (_ BitVec 32))) (_ BitVec 64) ((_ zero_extend 32) x))

; ---- Descriptor chains the driver posts (§2.7.4, §2.7.5) ----

; A segment in the chain (i < n) is not empty (Bulwark's policy: a zero-length buffer has no use,
; and §2.7.8's len could not distinguish it).
(define-fun virtq_seg_nonempty ((i (_ BitVec 64)) (n (_ BitVec 64)) (len (_ BitVec 32))) Bool
  (or (bvuge i n) (not (= len #x00000000))))
; §2.7.4.2 (Driver Requirements: Message Framing): "The driver MUST place any device-writable
; descriptor elements after any device-readable descriptor elements." Checked on neighbours
; (i-1, i), which covers every pair.
(define-fun virtq_seg_order_ok ((i (_ BitVec 64)) (n (_ BitVec 64)) (dir_prev (_ BitVec 8)) (dir (_ BitVec 8))) Bool
  (or (bvuge i n) (not (and (virtq_writes dir_prev) (not (virtq_writes dir))))))
(define-fun virtq_seg_bytes ((i (_ BitVec 64)) (n (_ BitVec 64)) (len (_ BitVec 32))) (_ BitVec 64)
  (ite (bvult i n) (virtq_zext32 len) #x0000000000000000))
(define-fun virtq_seg_writable ((i (_ BitVec 64)) (n (_ BitVec 64)) (len (_ BitVec 32)) (dir (_ BitVec 8))) (_ BitVec 64)
  (ite (and (bvult i n) (virtq_writes dir)) (virtq_zext32 len) #x0000000000000000))
; Device-writable bytes of a chain (no overflow: four 32-bit lengths).
(define-fun virtq_chain_writable ((n (_ BitVec 64))
    (l0 (_ BitVec 32)) (d0 (_ BitVec 8)) (l1 (_ BitVec 32)) (d1 (_ BitVec 8))
    (l2 (_ BitVec 32)) (d2 (_ BitVec 8)) (l3 (_ BitVec 32)) (d3 (_ BitVec 8))) (_ BitVec 64)
  (bvadd (virtq_seg_writable #x0000000000000000 n l0 d0) (virtq_seg_writable #x0000000000000001 n l1 d1)
         (virtq_seg_writable #x0000000000000002 n l2 d2) (virtq_seg_writable #x0000000000000003 n l3 d3)))
(define-fun virtq_chain_bytes ((n (_ BitVec 64)) (l0 (_ BitVec 32)) (l1 (_ BitVec 32)) (l2 (_ BitVec 32)) (l3 (_ BitVec 32))) (_ BitVec 64)
  (bvadd (virtq_seg_bytes #x0000000000000000 n l0) (virtq_seg_bytes #x0000000000000001 n l1)
         (virtq_seg_bytes #x0000000000000002 n l2) (virtq_seg_bytes #x0000000000000003 n l3)))
; A chain post() accepts: 1..4 non-empty segments, readable before writable; its writable bytes
; fit the used element's 32-bit len (§2.7.8 struct virtq_used_elem: le32 len), and the whole chain
; is at most 2^32 bytes (§2.7.5.2, Driver Requirements: The Virtqueue Descriptor Table: "Drivers
; MUST NOT add a descriptor chain longer than 2^32 bytes in total").
(define-fun virtq_chain_valid ((n (_ BitVec 64))
    (l0 (_ BitVec 32)) (d0 (_ BitVec 8)) (l1 (_ BitVec 32)) (d1 (_ BitVec 8))
    (l2 (_ BitVec 32)) (d2 (_ BitVec 8)) (l3 (_ BitVec 32)) (d3 (_ BitVec 8))) Bool
  (and (bvuge n #x0000000000000001) (bvule n #x0000000000000004)
       (virtq_seg_nonempty #x0000000000000000 n l0) (virtq_seg_nonempty #x0000000000000001 n l1)
       (virtq_seg_nonempty #x0000000000000002 n l2) (virtq_seg_nonempty #x0000000000000003 n l3)
       (virtq_seg_order_ok #x0000000000000001 n d0 d1) (virtq_seg_order_ok #x0000000000000002 n d1 d2)
       (virtq_seg_order_ok #x0000000000000003 n d2 d3)
       (bvule (virtq_chain_writable n l0 d0 l1 d1 l2 d2 l3 d3) #x00000000ffffffff)
       (bvule (virtq_chain_bytes n l0 l1 l2 l3) #x0000000100000000)))
; post()'s outcome as 0 (posted) or 1 + QueueError (1 Broken, 2 Full, 3 BadChain): a broken queue
; posts nothing (Bulwark: the device lied, the queue is dead); an invalid chain is refused; a
; valid one is posted exactly when the queue has n free descriptors (§2.7.13.1: the driver
; places the buffer into free descriptors of the table).
(define-fun virtq_post_result ((broken Bool) (valid Bool) (n (_ BitVec 64)) (free (_ BitVec 16))) (_ BitVec 8)
  (ite broken #x01 (ite (not valid) #x03 (ite (bvugt n ((_ zero_extend 48) free)) #x02 #x00))))

; §2.7.5 struct virtq_desc { le64 addr; le32 len; le16 flags; le16 next; }, flags VIRTQ_DESC_F_NEXT
; (1) "marks a buffer as continuing via the next field" and VIRTQ_DESC_F_WRITE (2) "marks a buffer
; as device write-only (otherwise device read-only)": the i-th descriptor of an n-long chain holds
; the i-th segment's address and length, NEXT exactly when it is not the last, WRITE exactly when
; the device writes the segment, and no other flag (no INDIRECT: not negotiated).
(define-fun virtq_desc_ok ((i (_ BitVec 64)) (n (_ BitVec 64)) (addr (_ BitVec 64)) (len (_ BitVec 32)) (dir (_ BitVec 8))
                           (d_addr (_ BitVec 64)) (d_len (_ BitVec 32)) (d_flags (_ BitVec 16))) Bool
  (and (= d_addr addr) (= d_len len)
       (= d_flags (bvor (ite (bvult (bvadd i #x0000000000000001) n) #x0001 #x0000) (ite (virtq_writes dir) #x0002 #x0000)))))
; §2.7.5: descriptors are entries of a table of Queue Size entries, and head and next index it:
; every descriptor of a chain is below the queue size.
(define-fun virtq_desc_index_ok ((d (_ BitVec 16)) (size (_ BitVec 16))) Bool (bvult d size))
; §2.7.5.2: "this implies that loops in the descriptor chain are forbidden". The descriptors
; visited from the head are pairwise distinct (checked for each pair); with NEXT on all but the
; last (virtq_desc_ok), following next from the head visits exactly n descriptors and stops.
(define-fun virtq_chain_acyclic ((a (_ BitVec 16)) (b (_ BitVec 16))) Bool (not (= a b)))
; §2.7.13 / §2.7.14: a posted buffer belongs to the device until it comes back in the used ring;
; so a new chain uses no descriptor of a chain still outstanding (checked for each pair).
(define-fun virtq_desc_not_in_flight ((d (_ BitVec 16)) (in_flight (_ BitVec 16))) Bool (not (= d in_flight)))
; §2.7.13.2-§2.7.13.3: the head goes into avail ring[idx % Queue Size], then idx is incremented
; (mod 2^16): after a post, idx is one more than before.
(define-fun virtq_avail_published ((before (_ BitVec 16)) (after (_ BitVec 16))) Bool (= after (bvadd before #x0001)))
(define-fun virtq_avail_slot ((idx (_ BitVec 16)) (size (_ BitVec 16))) (_ BitVec 16) (bvurem idx size))

; ---- Used ring entries the device writes (§2.7.8, §2.7.14) ----

; §2.7.8: used idx "indicates where the device would put the next descriptor entry in the ring
; (modulo the queue size)"; the new entries are those between the driver's last seen index and
; idx (mod 2^16).
(define-fun virtq_used_pending ((used_idx (_ BitVec 16)) (last_used (_ BitVec 16))) (_ BitVec 16) (bvsub used_idx last_used))
; The device returns each posted buffer once (§2.7.8 "id indicates the head entry of the descriptor
; chain describing the buffer (this matches an entry placed in the available ring by the guest
; earlier)"), so no more entries are new than chains are outstanding.
(define-fun virtq_used_index_ok ((pending (_ BitVec 16)) (outstanding (_ BitVec 16))) Bool (bvule pending outstanding))
; §2.7.8: the id is a descriptor index (< Queue Size) and the head of a chain the driver posted and
; has not had back (`outstanding_head`, the harness's record of posted and returned chains).
(define-fun virtq_used_id_ok ((id (_ BitVec 32)) (size (_ BitVec 16)) (outstanding_head Bool)) Bool
  (and (bvult id ((_ zero_extend 16) size)) outstanding_head))
; §2.7.8: len is "the total number of bytes written into the buffer", which can only be its
; device-writable part: at most the writable bytes posted under that head.
(define-fun virtq_used_len_ok ((len (_ BitVec 32)) (writable (_ BitVec 32))) Bool (bvule len writable))
; pop()'s outcome: 0 nothing new, 1 a completion, 2 Broken. A broken queue answers Broken;
; nothing new (pending 0) is none; the next entry is handed out exactly when index, id and len
; are all valid, and any other answer is a device violation (Bulwark: the queue is then broken).
(define-fun virtq_pop_result ((broken Bool) (pending (_ BitVec 16)) (outstanding (_ BitVec 16)) (id (_ BitVec 32))
                              (size (_ BitVec 16)) (outstanding_head Bool) (len (_ BitVec 32)) (writable (_ BitVec 32))) (_ BitVec 8)
  (ite broken #x02
    (ite (= pending #x0000) #x00
      (ite (and (virtq_used_index_ok pending outstanding) (virtq_used_id_ok id size outstanding_head)
                (virtq_used_len_ok len writable))
           #x01 #x02))))
; What the driver records for the log when it breaks the queue (Violation::Kind: 1 IndexJump,
; 2 IdOutOfRange, 3 IdNotOutstanding, 4 LengthTooLarge): the first check of §2.7.8 that the
; element fails, in the order index, id range, id outstanding, len.
(define-fun virtq_violation ((pending (_ BitVec 16)) (outstanding (_ BitVec 16)) (id (_ BitVec 32)) (size (_ BitVec 16))
                             (outstanding_head Bool)) (_ BitVec 8)
  (ite (not (virtq_used_index_ok pending outstanding)) #x01
    (ite (not (bvult id ((_ zero_extend 16) size))) #x02 (ite (not outstanding_head) #x03 #x04))))
; A completion carries the cookie post() was given for that head and the device's len.
(define-fun virtq_completion_ok ((cookie (_ BitVec 64)) (length (_ BitVec 32)) (posted_cookie (_ BitVec 64)) (used_len (_ BitVec 32))) Bool
  (and (= cookie posted_cookie) (= length used_len)))
; Broken is sticky: once pop() or post() has answered Broken, is_broken() holds (and every later
; call answers Broken: virtq_post_result, virtq_pop_result with broken).
(define-fun virtq_broken_sticky ((answered_broken Bool) (is_broken Bool)) Bool (=> answered_broken is_broken))
; §2.7.7 (VIRTIO_F_EVENT_IDX): the driver publishes used_event, "the device would interrupt when
; the used idx reaches" it; after consuming an entry the driver asks for the next one: used_event
; equals the driver's new consumption index.
(define-fun virtq_used_event_ok ((used_event (_ BitVec 16)) (last_used (_ BitVec 16))) Bool (= used_event last_used))

; ---- Bookkeeping ----

; Every descriptor is free or in exactly one outstanding chain: the free count plus the descriptors
; of the outstanding chains is the queue size (descriptors come back with their chain, §2.7.14).
(define-fun virtq_descriptors_conserved ((free (_ BitVec 16)) (in_chains (_ BitVec 16)) (size (_ BitVec 16))) Bool
  (= (bvadd ((_ zero_extend 16) free) ((_ zero_extend 16) in_chains)) ((_ zero_extend 16) size)))
; outstanding() counts the chains posted and not yet handed back by pop().
(define-fun virtq_outstanding_ok ((outstanding (_ BitVec 16)) (chains (_ BitVec 16))) Bool (= outstanding chains))

; ---- Notifications (§2.7.10, §2.7.13.4) ----

; §2.7.10 with VIRTIO_F_EVENT_IDX: the driver notifies when the avail idx moved past the device's
; avail_event since the last notification, "vring_need_event(avail_event, new_idx, old_idx)":
; (u16)(new_idx - avail_event - 1) < (u16)(new_idx - old_idx).
(define-fun virtq_need_event ((event (_ BitVec 16)) (new_idx (_ BitVec 16)) (old_idx (_ BitVec 16))) Bool
  (bvult (bvsub (bvsub new_idx event) #x0001) (bvsub new_idx old_idx)))
; should_notify(): false on a broken queue or when nothing was published since the last call;
; else with EVENT_IDX virtq_need_event, without it §2.7.10: notify unless used flags has
; VIRTQ_USED_F_NO_NOTIFY (1).
(define-fun virtq_should_notify ((broken Bool) (event_idx Bool) (old_idx (_ BitVec 16)) (new_idx (_ BitVec 16))
                                 (avail_event (_ BitVec 16)) (used_flags (_ BitVec 16))) Bool
  (and (not broken) (not (= old_idx new_idx))
       (ite event_idx (virtq_need_event avail_event new_idx old_idx) (= (bvand used_flags #x0001) #x0000))))
