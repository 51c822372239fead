; cpio "newc" archives (the initrd image format), spec for kernel/fs/cpio.{h,cpp}. Proved by
; proofs/kernel/fs/cpio.cpp. Sources: man 5 cpio, "New ASCII Format" (GNU cpio manual, "Format of
; cpio archives"), and Linux Documentation/driver-api/early-userspace/buffer-format.rst,
; "initramfs buffer format": a 110-byte header of ASCII text, c_magic "070701" followed by 13
; fields of 8 hexadecimal digits (c_ino, c_mode, c_uid, c_gid, c_nlink, c_mtime, c_filesize,
; c_devmajor, c_devminor, c_rdevmajor, c_rdevminor, c_namesize, c_check); then c_namesize bytes of
; name including its NUL, padded to a multiple of 4 bytes ("the header plus the pathname is padded
; to a multiple of four bytes", buffer-format.rst: "4-byte boundary ... of the start of the
; buffer"); then c_filesize bytes of data, padded likewise. "The end of the archive is indicated
; by a special record with the pathname TRAILER!!!".
;
; Text is given as bit-vectors of its characters, first character most significant: an 8-digit
; field is a 64-bit word, the magic a 48-bit value in a 64-bit word, a name of up to 16 bytes a
; 128-bit word. Results are CpioError codes in declaration order (kernel/fs/cpio.h):
; 0 Truncated, 1 MissingTrailer, 2 BadMagic, 3 BadHexDigit, 4 BadNameSize, 5 BadName,
; 6 BadFileType, 7 BadDirectory, 8 BadSymlink; #xff for success and #xfe for the trailer.
(define-fun cpio_err_truncated () (_ BitVec 8) #x00)
(define-fun cpio_err_missing_trailer () (_ BitVec 8) #x01)
(define-fun cpio_err_bad_magic () (_ BitVec 8) #x02)
(define-fun cpio_err_bad_hex_digit () (_ BitVec 8) #x03)
(define-fun cpio_err_bad_name_size () (_ BitVec 8) #x04)
(define-fun cpio_err_bad_name () (_ BitVec 8) #x05)
(define-fun cpio_err_bad_file_type () (_ BitVec 8) #x06)
(define-fun cpio_err_bad_directory () (_ BitVec 8) #x07)
(define-fun cpio_err_bad_symlink () (_ BitVec 8) #x08)
(define-fun cpio_ok () (_ BitVec 8) #xff)
(define-fun cpio_trailer () (_ BitVec 8) #xfe)

; ---- The header -------------------------------------------------------------------------------

; man 5 cpio: "The magic number ... the string 070701". The CRC format's "070702", the portable
; format's "070707" and the binary format are other formats, refused (Bulwark's image builder
; writes newc).
(define-fun cpio_magic_ok ((magic (_ BitVec 64))) Bool (= magic #x0000303730373031))

; A hexadecimal digit: 0-9, a-f or A-F (man 5 cpio: "hexadecimal"; Linux's initramfs parser and
; GNU cpio accept either case). Nothing else, not even a space or a sign.
(define-fun cpio_hex_digit_ok ((c (_ BitVec 8))) Bool
  (or (and (bvuge c #x30) (bvule c #x39)) (and (bvuge c #x61) (bvule c #x66)) (and (bvuge c #x41) (bvule c #x46))))
(define-fun cpio_nibble ((c (_ BitVec 8))) (_ BitVec 4)
  ((_ extract 3 0)
   (ite (bvule c #x39) (bvsub c #x30)        ; '0'..'9'
   (ite (bvuge c #x61) (bvsub c #x57)        ; 'a'..'f' -> 10..15
                       (bvsub c #x37)))))    ; 'A'..'F' -> 10..15
; An 8-character field w: valid when all 8 are hex digits; its value, first digit most significant.
(define-fun cpio_hex8_ok ((w (_ BitVec 64))) Bool
  (and (cpio_hex_digit_ok ((_ extract 63 56) w)) (cpio_hex_digit_ok ((_ extract 55 48) w))
       (cpio_hex_digit_ok ((_ extract 47 40) w)) (cpio_hex_digit_ok ((_ extract 39 32) w))
       (cpio_hex_digit_ok ((_ extract 31 24) w)) (cpio_hex_digit_ok ((_ extract 23 16) w))
       (cpio_hex_digit_ok ((_ extract 15 8) w)) (cpio_hex_digit_ok ((_ extract 7 0) w))))
(define-fun cpio_hex8 ((w (_ BitVec 64))) (_ BitVec 32)
  (concat (cpio_nibble ((_ extract 63 56) w)) (cpio_nibble ((_ extract 55 48) w))
          (cpio_nibble ((_ extract 47 40) w)) (cpio_nibble ((_ extract 39 32) w))
          (cpio_nibble ((_ extract 31 24) w)) (cpio_nibble ((_ extract 23 16) w))
          (cpio_nibble ((_ extract 15 8) w)) (cpio_nibble ((_ extract 7 0) w))))

; Bulwark's limit on c_namesize, which counts the NUL: PATH_MAX (4096), as Linux's initramfs
; unpacker refuses longer names (init/initramfs.c, "name too long"). 0 leaves no room for the NUL.
(define-fun cpio_max_name_size () (_ BitVec 32) #x00001000)

; The header step at `offset` of an archive of `size` bytes (offset <= size, the reader's
; invariant), checked in this order: an archive that ends exactly here has no trailer; fewer than
; 110 bytes left is a truncated header; the magic; all 13 fields hex (w0..w12 in header order);
; namesize 1..4096; the name inside the archive.
(define-fun cpio_header_result ((size (_ BitVec 64)) (offset (_ BitVec 64)) (magic (_ BitVec 64))
    (w0 (_ BitVec 64)) (w1 (_ BitVec 64)) (w2 (_ BitVec 64)) (w3 (_ BitVec 64)) (w4 (_ BitVec 64))
    (w5 (_ BitVec 64)) (w6 (_ BitVec 64)) (w7 (_ BitVec 64)) (w8 (_ BitVec 64)) (w9 (_ BitVec 64))
    (w10 (_ BitVec 64)) (w11 (_ BitVec 64)) (w12 (_ BitVec 64))) (_ BitVec 8)
  (ite (= offset size) cpio_err_missing_trailer
  (ite (bvult (bvsub size offset) #x000000000000006e) cpio_err_truncated
  (ite (not (cpio_magic_ok magic)) cpio_err_bad_magic
  (ite (not (and (cpio_hex8_ok w0) (cpio_hex8_ok w1) (cpio_hex8_ok w2) (cpio_hex8_ok w3) (cpio_hex8_ok w4)
                 (cpio_hex8_ok w5) (cpio_hex8_ok w6) (cpio_hex8_ok w7) (cpio_hex8_ok w8) (cpio_hex8_ok w9)
                 (cpio_hex8_ok w10) (cpio_hex8_ok w11) (cpio_hex8_ok w12))) cpio_err_bad_hex_digit
  (ite (or (= (cpio_hex8 w11) #x00000000) (bvugt (cpio_hex8 w11) cpio_max_name_size)) cpio_err_bad_name_size
  (ite (bvugt ((_ zero_extend 32) (cpio_hex8 w11)) (bvsub (bvsub size offset) #x000000000000006e)) cpio_err_truncated
  cpio_ok)))))))

; ---- The name ---------------------------------------------------------------------------------

; Character i of a name n given as 16 bytes, first most significant (i < 16).
(define-fun cpio_name_byte ((n (_ BitVec 128)) (i (_ BitVec 64))) (_ BitVec 8)
  ((_ extract 127 120) (bvshl n ((_ zero_extend 64) (bvmul i #x0000000000000008)))))

; man 5 cpio: c_namesize "includes the trailing NUL byte". So with len = namesize (1..16 here)
; the character at len - 1 is NUL and, Bulwark's rule, no earlier one is: a name with a NUL inside
; would read differently as a C string and as the counted string the reader returns.
(define-fun cpio_nonnul_before ((n (_ BitVec 128)) (len (_ BitVec 64)) (i (_ BitVec 64))) Bool
  (or (bvuge i (bvsub len #x0000000000000001)) (not (= (cpio_name_byte n i) #x00))))
(define-fun cpio_name_terminated ((n (_ BitVec 128)) (len (_ BitVec 64))) Bool
  (and (= (cpio_name_byte n (bvsub len #x0000000000000001)) #x00)
       (cpio_nonnul_before n len #x0000000000000000) (cpio_nonnul_before n len #x0000000000000001)
       (cpio_nonnul_before n len #x0000000000000002) (cpio_nonnul_before n len #x0000000000000003)
       (cpio_nonnul_before n len #x0000000000000004) (cpio_nonnul_before n len #x0000000000000005)
       (cpio_nonnul_before n len #x0000000000000006) (cpio_nonnul_before n len #x0000000000000007)
       (cpio_nonnul_before n len #x0000000000000008) (cpio_nonnul_before n len #x0000000000000009)
       (cpio_nonnul_before n len #x000000000000000a) (cpio_nonnul_before n len #x000000000000000b)
       (cpio_nonnul_before n len #x000000000000000c) (cpio_nonnul_before n len #x000000000000000d)
       (cpio_nonnul_before n len #x000000000000000e)))

; The trailer: the name "TRAILER!!!" (10 characters and the NUL). man 5 cpio.
(define-fun cpio_name_is_trailer ((n (_ BitVec 128)) (len (_ BitVec 64))) Bool
  (and (= len #x000000000000000b) (= ((_ extract 127 48) n) #x545241494c4552212121)))

; Bulwark's name policy for a read-only image (kernel/fs/cpio.h): the root "." or a relative path.
(define-fun cpio_name_is_root ((n (_ BitVec 128)) (len (_ BitVec 64))) Bool
  (and (= len #x0000000000000002) (= (cpio_name_byte n #x0000000000000000) #x2e)))
; Where the path starts: after a leading "./" (as `find . | cpio -o -H newc` writes names) when
; something follows it, else at 0. The path is characters [start, len - 1).
(define-fun cpio_path_start ((n (_ BitVec 128)) (len (_ BitVec 64))) (_ BitVec 64)
  (ite (and (bvugt len #x0000000000000003) (= (cpio_name_byte n #x0000000000000000) #x2e)
            (= (cpio_name_byte n #x0000000000000001) #x2f))
       #x0000000000000002 #x0000000000000000))
; The path's components are separated by '/' and none is empty, "." or "..". Stated per position
; i of the path, with e = len - 1 its end: a '/' may not start the path, follow a '/' or end the
; path (an empty component); a '.' that starts a component ("at a boundary": the path's start or
; after '/') and ends it is ".", and one followed by a second '.' that ends it is "..".
(define-fun cpio_boundary_before ((n (_ BitVec 128)) (start (_ BitVec 64)) (i (_ BitVec 64))) Bool
  (or (= i start) (= (cpio_name_byte n (bvsub i #x0000000000000001)) #x2f)))
(define-fun cpio_boundary_after ((n (_ BitVec 128)) (e (_ BitVec 64)) (i (_ BitVec 64))) Bool
  (or (= (bvadd i #x0000000000000001) e) (= (cpio_name_byte n (bvadd i #x0000000000000001)) #x2f)))
(define-fun cpio_path_char_ok ((n (_ BitVec 128)) (len (_ BitVec 64)) (i (_ BitVec 64))) Bool
  (let ((start (cpio_path_start n len)) (e (bvsub len #x0000000000000001)) (c (cpio_name_byte n i)))
    (or (bvult i start) (bvuge i e)
        (and (=> (= c #x2f) (and (not (cpio_boundary_before n start i)) (not (= (bvadd i #x0000000000000001) e))))
             (=> (and (= c #x2e) (cpio_boundary_before n start i))
                 (and (not (cpio_boundary_after n e i))
                      (not (and (= (cpio_name_byte n (bvadd i #x0000000000000001)) #x2e)
                                (cpio_boundary_after n e (bvadd i #x0000000000000001))))))))))
(define-fun cpio_path_ok ((n (_ BitVec 128)) (len (_ BitVec 64))) Bool
  (and (bvugt (bvsub len #x0000000000000001) (cpio_path_start n len))
       (cpio_path_char_ok n len #x0000000000000000) (cpio_path_char_ok n len #x0000000000000001)
       (cpio_path_char_ok n len #x0000000000000002) (cpio_path_char_ok n len #x0000000000000003)
       (cpio_path_char_ok n len #x0000000000000004) (cpio_path_char_ok n len #x0000000000000005)
       (cpio_path_char_ok n len #x0000000000000006) (cpio_path_char_ok n len #x0000000000000007)
       (cpio_path_char_ok n len #x0000000000000008) (cpio_path_char_ok n len #x0000000000000009)
       (cpio_path_char_ok n len #x000000000000000a) (cpio_path_char_ok n len #x000000000000000b)
       (cpio_path_char_ok n len #x000000000000000c) (cpio_path_char_ok n len #x000000000000000d)
       (cpio_path_char_ok n len #x000000000000000e)))

; The name step, for names of len = namesize bytes, 1 <= len <= 16 (the positions listed above:
; the rules are stated for every position a 16-byte name has; proofs/kernel/fs/cpio.cpp states
; why the bound). The trailer is recognized before the path rules; "TRAILER!!!" would pass them.
; The name is given as two words, characters 0..7 (hi) and 8..15 (lo).
(define-fun cpio_name_result ((hi (_ BitVec 64)) (lo (_ BitVec 64)) (len (_ BitVec 64))) (_ BitVec 8)
  (let ((n (concat hi lo)))
    (ite (not (cpio_name_terminated n len)) cpio_err_bad_name
    (ite (cpio_name_is_trailer n len) cpio_trailer
    (ite (cpio_name_is_root n len) cpio_ok
    (ite (cpio_path_ok n len) cpio_ok cpio_err_bad_name))))))
; The name returned: characters [path_offset, path_offset + path_len) of the field, the path
; without the NUL and without a stripped "./" (the trailer's and the root's: the whole name).
(define-fun cpio_name_view_ok ((hi (_ BitVec 64)) (lo (_ BitVec 64)) (len (_ BitVec 64))
                               (path_offset (_ BitVec 64)) (path_len (_ BitVec 64))) Bool
  (let ((n (concat hi lo))) (let ((start (ite (or (cpio_name_is_trailer n len) (cpio_name_is_root n len)) #x0000000000000000
                    (cpio_path_start n len))))
    (and (= path_offset start) (= path_len (bvsub (bvsub len #x0000000000000001) start))))))

; ---- Mode, sizes and layout -------------------------------------------------------------------

; st_mode (inode(7)): the type is mode & 0170000. Bulwark's image holds S_IFREG (0100000),
; S_IFDIR (0040000) and S_IFLNK (0120000) only: device nodes, FIFOs and sockets are refused
; (device files come from the kernel). st_mode is 16 bits: a mode with bits above 0177777 is
; refused.
(define-fun cpio_type ((mode (_ BitVec 32))) (_ BitVec 32) (bvand mode #x0000f000))
(define-fun cpio_is_regular ((mode (_ BitVec 32))) Bool (= (cpio_type mode) #x00008000))
(define-fun cpio_is_directory ((mode (_ BitVec 32))) Bool (= (cpio_type mode) #x00004000))
(define-fun cpio_is_symlink ((mode (_ BitVec 32))) Bool (= (cpio_type mode) #x0000a000))
(define-fun cpio_mode_ok ((mode (_ BitVec 32))) Bool
  (and (= (bvand mode #xffff0000) #x00000000)
       (or (cpio_is_regular mode) (cpio_is_directory mode) (cpio_is_symlink mode))))
; A symlink's data is its target (man 5 cpio): 1..4096 bytes (PATH_MAX), Bulwark's rule.
(define-fun cpio_max_symlink_size () (_ BitVec 32) #x00001000)

; [start, start + len) lies inside an archive of `size` bytes, computed without wrapping.
(define-fun cpio_inside ((start (_ BitVec 64)) (len (_ BitVec 64)) (size (_ BitVec 64))) Bool
  (and (bvule start size) (bvule len (bvsub size start))))
; Bytes from x up to the next multiple of 4: buffer-format.rst pads "to a multiple of four bytes".
(define-fun cpio_pad4 ((x (_ BitVec 64))) (_ BitVec 64) (bvand (bvneg x) #x0000000000000003))
; The parts of the entry at `offset`, each starting where the one before ends: header (110 bytes),
; name (namesize), padding, data (filesize), padding; then the next header.
(define-fun cpio_name_end ((offset (_ BitVec 64)) (namesize (_ BitVec 32))) (_ BitVec 64)
  (bvadd offset #x000000000000006e ((_ zero_extend 32) namesize)))
(define-fun cpio_data_offset ((offset (_ BitVec 64)) (namesize (_ BitVec 32))) (_ BitVec 64)
  (bvadd (cpio_name_end offset namesize) (cpio_pad4 (cpio_name_end offset namesize))))
(define-fun cpio_data_end ((offset (_ BitVec 64)) (namesize (_ BitVec 32)) (filesize (_ BitVec 32))) (_ BitVec 64)
  (bvadd (cpio_data_offset offset namesize) ((_ zero_extend 32) filesize)))
(define-fun cpio_next ((offset (_ BitVec 64)) (namesize (_ BitVec 32)) (filesize (_ BitVec 32))) (_ BitVec 64)
  (bvadd (cpio_data_end offset namesize filesize) (cpio_pad4 (cpio_data_end offset namesize filesize))))
; Every part lies inside the archive. Each part is checked after the one before it, so its start
; (the end of the one before) has not wrapped.
(define-fun cpio_layout_fits ((size (_ BitVec 64)) (offset (_ BitVec 64)) (namesize (_ BitVec 32))
                              (filesize (_ BitVec 32))) Bool
  (and (cpio_inside offset #x000000000000006e size)
       (cpio_inside (bvadd offset #x000000000000006e) ((_ zero_extend 32) namesize) size)
       (cpio_inside (cpio_name_end offset namesize) (cpio_pad4 (cpio_name_end offset namesize)) size)
       (cpio_inside (cpio_data_offset offset namesize) ((_ zero_extend 32) filesize) size)
       (cpio_inside (cpio_data_end offset namesize filesize) (cpio_pad4 (cpio_data_end offset namesize filesize)) size)))

; The layout step (the code's detail::layout), for every size, offset, mode, namesize and
; filesize: type first, then what the type demands of the size (a directory has no data, a
; symlink target 1..4096 bytes), then every part of the entry inside the archive.
(define-fun cpio_layout_result ((size (_ BitVec 64)) (offset (_ BitVec 64)) (mode (_ BitVec 32))
                                (namesize (_ BitVec 32)) (filesize (_ BitVec 32))) (_ BitVec 8)
  (ite (not (cpio_mode_ok mode)) cpio_err_bad_file_type
  (ite (and (cpio_is_directory mode) (not (= filesize #x00000000))) cpio_err_bad_directory
  (ite (and (cpio_is_symlink mode) (or (= filesize #x00000000) (bvugt filesize cpio_max_symlink_size)))
       cpio_err_bad_symlink
  (ite (not (cpio_layout_fits size offset namesize filesize)) cpio_err_truncated
  cpio_ok)))))
; A layout that fits: the data at the padded end of the name, filesize bytes; the next header at
; the padded end of the data.
(define-fun cpio_layout_ok ((offset (_ BitVec 64)) (namesize (_ BitVec 32)) (filesize (_ BitVec 32))
                            (data_offset (_ BitVec 64)) (data_size (_ BitVec 64)) (next (_ BitVec 64))) Bool
  (and (= data_offset (cpio_data_offset offset namesize)) (= data_size ((_ zero_extend 32) filesize))
       (= next (cpio_next offset namesize filesize))))


; ---- One step of the reader (CpioReader::next) ------------------------------------------------

; The step's verdict from its parts' verdicts, in the order the reader checks them: `header` is
; cpio_header_result at the reader's offset; `name` cpio_name_result of the name field (namesize
; from the header; #xfe, the trailer, ends the walk); `layout` cpio_layout_result of the header's
; mode, namesize and filesize; then, for a symlink, its target: `target_has_nul` is true when one
; of the filesize bytes at cpio_data_offset is NUL (it would cut the path short for anyone reading
; it as a C string). A part is consulted only when every part before it passed.
(define-fun cpio_step_result ((header (_ BitVec 8)) (name (_ BitVec 8)) (layout (_ BitVec 8))
                              (symlink Bool) (target_has_nul Bool)) (_ BitVec 8)
  (ite (not (= header cpio_ok)) header
  (ite (not (= name cpio_ok)) name
  (ite (not (= layout cpio_ok)) layout
  (ite (and symlink target_has_nul) cpio_err_bad_symlink
  cpio_ok)))))

; The walk advances: an entry moves the reader to the next header, at least 112 bytes on (110, a
; name of at least one byte, padding to a multiple of 4 from a multiple of 4) and inside the
; archive, so an archive of n bytes has fewer than n / 112 + 1 entries; the end and an error leave
; it where it was.
(define-fun cpio_step_advances ((before (_ BitVec 64)) (after (_ BitVec 64)) (size (_ BitVec 64)) (got Bool)) Bool
  (ite got
       (and (bvuge after (bvadd before #x0000000000000070)) (bvule after size)
            (= (bvand after #x0000000000000003) #x0000000000000000))
       (= after before)))

; The entry's type from the mode's type bits (0 regular, 1 directory, 2 symlink: CpioFileType) and
; its permissions, mode & 07777. Its ino, uid, gid, nlink and mtime are cpio_hex8 of their fields.
(define-fun cpio_entry_mode_ok ((mode (_ BitVec 32)) (type (_ BitVec 8)) (permissions (_ BitVec 16))) Bool
  (and (= type (ite (cpio_is_regular mode) #x00 (ite (cpio_is_directory mode) #x01 #x02)))
       (= ((_ zero_extend 16) permissions) (bvand mode #x00000fff))))
