; The embedded kernel symbol table, spec for kernel/lib/symbols.{h,cpp}. Proved by
; proofs/kernel/lib/symbols.cpp. Source: the blob layout documented in kernel/lib/symbols.h and
; written by kernel/tools/gen_symbols.py (write_table): all little endian,
;   magic u32 = "BSYM" (0x4d595342), count u32,
;   count entries of { address u64, name_offset u32, name_length u32 } (16 bytes each),
;   then the string area; name_offset is relative to the start of the string area.
; Bytes after the last name are allowed (the linker may pad the section). The table is built by
; us, but it is read on the panic path, where memory may be corrupt, so every blob is checked.
;
; Results are SymbolError codes in declaration order (kernel/lib/symbols.h): 0 Truncated,
; 1 BadMagic, 2 NameOutOfRange, 3 NameTooLong, 4 Unsorted; #xff for success.
(define-fun sym_err_truncated () (_ BitVec 8) #x00)
(define-fun sym_err_bad_magic () (_ BitVec 8) #x01)
(define-fun sym_err_name_out_of_range () (_ BitVec 8) #x02)
(define-fun sym_err_name_too_long () (_ BitVec 8) #x03)
(define-fun sym_err_unsorted () (_ BitVec 8) #x04)
(define-fun sym_ok () (_ BitVec 8) #xff)

; ---- SymbolTable::from_bytes -------------------------------------------------------------------

; symbols.h: SymbolTable::magic, header_size, entry_size; gen_symbols.py MAGIC ("BSYM" read as a
; little-endian u32) and write_table's ".long MAGIC, count" and ".quad address / .long offset,
; length".
(define-fun sym_magic () (_ BitVec 32) #x4d595342)
(define-fun sym_header_size () (_ BitVec 64) #x0000000000000008)
(define-fun sym_entry_size () (_ BitVec 64) #x0000000000000010)
; symbols.h max_name_length; gen_symbols.py MAX_NAME_BYTES: truncate() cuts every name to at most
; 127 bytes, so a longer one is corrupt.
(define-fun sym_max_name_length () (_ BitVec 32) #x0000007f)

; Whether `count` entries fit after the header of a blob of `size` >= 8 bytes (the entries are
; count * 16 bytes, compared without overflow: count < 2^32, so count * 16 < 2^36).
(define-fun sym_entries_fit ((size (_ BitVec 64)) (count (_ BitVec 32))) Bool
  (bvule (bvmul ((_ zero_extend 32) count) sym_entry_size) (bvsub size sym_header_size)))
; The string area: everything after the entries, to the end of the blob (padding included).
(define-fun sym_strings_size ((size (_ BitVec 64)) (count (_ BitVec 32))) (_ BitVec 64)
  (bvsub (bvsub size sym_header_size) (bvmul ((_ zero_extend 32) count) sym_entry_size)))
; Where the string area starts, from the start of the blob.
(define-fun sym_strings_offset ((count (_ BitVec 32))) (_ BitVec 64)
  (bvadd sym_header_size (bvmul ((_ zero_extend 32) count) sym_entry_size)))

; The header of a blob of `size` bytes whose first 4 bytes (little endian) are `magic` and next 4
; `count` (both meaningless when size < 8): checks in this order, the first failing one wins:
;   shorter than the 8-byte header                  -> Truncated
;   magic is not "BSYM"                             -> BadMagic
;   the count entries do not fit after the header   -> Truncated
(define-fun sym_header_result ((size (_ BitVec 64)) (magic (_ BitVec 32)) (count (_ BitVec 32))) (_ BitVec 8)
  (ite (bvult size sym_header_size) sym_err_truncated
  (ite (not (= magic sym_magic)) sym_err_bad_magic
  (ite (not (sym_entries_fit size count)) sym_err_truncated
  sym_ok))))

; An entry's name [name_offset, name_offset + name_length) lies inside a string area of
; `strings_size` bytes, computed without wrapping (symbols.h: "each naming a range inside
; m_strings").
(define-fun sym_name_inside ((strings_size (_ BitVec 64)) (name_offset (_ BitVec 32)) (name_length (_ BitVec 32))) Bool
  (and (bvule ((_ zero_extend 32) name_offset) strings_size)
       (bvule ((_ zero_extend 32) name_length) (bvsub strings_size ((_ zero_extend 32) name_offset)))))

; Entry i of a table whose header passed, checks in this order, the first failing one wins:
;   the name is not inside the string area                  -> NameOutOfRange
;   the name is longer than 127 bytes                       -> NameTooLong
;   i > 0 (`first` false) and its address is below entry
;   i - 1's (`previous`): the addresses decrease             -> Unsorted
; Equal neighbouring addresses are allowed (aliases: gen_symbols.py keeps one name per address,
; but the layout allows several, and lookup answers the first).
(define-fun sym_entry_result ((strings_size (_ BitVec 64)) (name_offset (_ BitVec 32)) (name_length (_ BitVec 32))
                              (first Bool) (previous (_ BitVec 64)) (address (_ BitVec 64))) (_ BitVec 8)
  (ite (not (sym_name_inside strings_size name_offset name_length)) sym_err_name_out_of_range
  (ite (bvugt name_length sym_max_name_length) sym_err_name_too_long
  (ite (and (not first) (bvult address previous)) sym_err_unsorted
  sym_ok))))

; Checks in sequence: the result of the first (`earlier`) unless it passed, then the next one's.
; from_bytes's result is the header's, then entry 0's, entry 1's, ... entry count-1's, folded
; with sym_then: the first failing check of the first failing part wins; success (#xff) only when
; every part passes. On success the table holds `count` entries (size() = count).
(define-fun sym_then ((earlier (_ BitVec 8)) (next (_ BitVec 8))) (_ BitVec 8)
  (ite (= earlier sym_ok) next earlier))

; A table from_bytes accepted from a blob of `size` bytes holds exactly the `count` entries its
; header announces (size() = count), views them where the layout puts them (the entries: blob
; bytes [8, 8 + 16 * count); the string area: from 8 + 16 * count to the end of the blob; starts
; as offsets from the blob's start). This, with every entry passing sym_entry_result, is the
; state lookup's proof starts from.
(define-fun sym_table_views ((size (_ BitVec 64)) (count (_ BitVec 32)) (table_size (_ BitVec 64))
                             (entries_start (_ BitVec 64)) (entries_length (_ BitVec 64))
                             (strings_start (_ BitVec 64)) (strings_length (_ BitVec 64))) Bool
  (and (= table_size ((_ zero_extend 32) count))
       (= entries_start sym_header_size)
       (= entries_length (bvmul ((_ zero_extend 32) count) sym_entry_size))
       (= strings_start (sym_strings_offset count))
       (= strings_length (sym_strings_size size count))))

; ---- SymbolTable::lookup -----------------------------------------------------------------------

; symbols.h SymbolTable::max_offset: a symbol covers addresses at most 1 MiB above it (the table
; has no sizes; no kernel function is that long).
(define-fun sym_max_offset () (_ BitVec 64) #x0000000000100000)

; lookup(address) of a table from from_bytes (sorted addresses a_0 <= ... <= a_{n-1}):
;   - the candidates are the entries with a_i <= address; none (an empty table, or an address
;     below a_0) -> nullopt;
;   - else let g be the greatest candidate address ("the symbol with the greatest address <=
;     address"); address - g > max_offset -> nullopt;
;   - else the answer is the FIRST entry (lowest index) whose address is g (aliases: symbols.cpp
;     takes the first as the preferred name; gen_symbols.py writes one per address), with name = exactly that entry's name range in the string
;     area (its start: the string area's start + name_offset; its length: name_length), and
;     offset = address - g.
; The quantifiers over the entries are spelled out by the harness with the steps below.

; A candidate: entry address `a` is at or below `address`.
(define-fun sym_candidate ((a (_ BitVec 64)) (address (_ BitVec 64))) Bool (bvule a address))
; One step of "the greatest candidate so far": `found` says some earlier entry was a candidate and
; `best` is the greatest such address; entry address `a` replaces it when it is a candidate and
; not below `best` (or the first candidate).
(define-fun sym_greater_candidate ((found Bool) (best (_ BitVec 64)) (a (_ BitVec 64)) (address (_ BitVec 64))) Bool
  (and (sym_candidate a address) (or (not found) (bvuge a best))))
; The greatest candidate g covers `address`: address - g <= max_offset (g <= address, so no wrap).
(define-fun sym_covers ((g (_ BitVec 64)) (address (_ BitVec 64))) Bool
  (and (bvule g address) (bvule (bvsub address g) sym_max_offset)))
; A found symbol: its name view is exactly the entry's range of the string area (the view's start
; as an offset from the string area's start, and its length), its offset address - g.
(define-fun sym_symbolized_ok ((name_offset (_ BitVec 32)) (name_length (_ BitVec 32))
                               (g (_ BitVec 64)) (address (_ BitVec 64))
                               (view_start (_ BitVec 64)) (view_length (_ BitVec 64)) (offset (_ BitVec 64))) Bool
  (and (= view_start ((_ zero_extend 32) name_offset))
       (= view_length ((_ zero_extend 32) name_length))
       (= offset (bvsub address g))))
