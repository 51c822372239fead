; ELF64 executables for x86-64, spec for kernel/loader/elf.{h,cpp}. Proved by
; proofs/kernel/loader/elf.cpp. Sources: the System V gABI, "Object Files" (ELF Header, e_ident)
; and "Program Loading" (Program Header), and the AMD64 psABI (EM_X86_64 = 62, ELFCLASS64, little
; endian). Every field is little-endian; the harness assembles each from the file's bytes.
; Bulwark's policy beyond the gABI (static programs only, W^X, the user half, no shared pages) is
; marked "Bulwark" where it appears; SECURITY.md lists it.

; [start, start + len) lies inside [0, limit), computed without wrapping.
(define-fun elf_inside ((start (_ BitVec 64)) (len (_ BitVec 64)) (limit (_ BitVec 64))) Bool
  (and (bvule start limit) (bvule len (bvsub limit start))))

; --- The file header (ElfView::checked) -------------------------------------------------------
; `ident` is e_ident[0..7] as a little-endian 64-bit value (byte 0 least significant).
; gABI e_ident: ELFMAG "\x7fELF" (bytes 0..3), EI_CLASS (4) = ELFCLASS64 (2), EI_DATA (5) =
; ELFDATA2LSB (1), EI_VERSION (6) = EV_CURRENT (1), EI_OSABI (7): System V (0) or GNU/Linux (3),
; what static Linux toolchains write. EI_ABIVERSION and the padding are not interpreted.
(define-fun elf_ident_ok ((ident (_ BitVec 64))) Bool
  (and (= ((_ extract 31 0) ident) #x464c457f)
       (= ((_ extract 39 32) ident) #x02) (= ((_ extract 47 40) ident) #x01) (= ((_ extract 55 48) ident) #x01)
       (or (= ((_ extract 63 56) ident) #x00) (= ((_ extract 63 56) ident) #x03))))
; Bulwark: at most 64 program headers (ElfView::max_program_headers); PN_XNUM (0xffff, the count
; kept in a section header) is therefore refused.
(define-fun elf_max_program_headers () (_ BitVec 16) #x0040)
; The header is accepted exactly when the file holds the 64-byte header and: the ident above;
; e_type ET_EXEC (2) or ET_DYN (3); e_machine EM_X86_64 (62); e_version EV_CURRENT (1); e_ehsize
; 64 and e_phentsize 56 (the ELF64 sizes); 1 <= e_phnum <= 64; and the table [e_phoff, e_phoff +
; 56 * e_phnum) inside the file, without wrapping. Section headers are not read.
(define-fun elf_header_valid ((size (_ BitVec 64)) (ident (_ BitVec 64)) (type (_ BitVec 16))
                              (machine (_ BitVec 16)) (version (_ BitVec 32)) (ehsize (_ BitVec 16))
                              (phentsize (_ BitVec 16)) (phnum (_ BitVec 16)) (phoff (_ BitVec 64))) Bool
  (and (bvuge size #x0000000000000040)
       (elf_ident_ok ident)
       (or (= type #x0002) (= type #x0003))
       (= machine #x003e) (= version #x00000001)
       (= ehsize #x0040) (= phentsize #x0038)
       (not (= phnum #x0000)) (bvule phnum elf_max_program_headers)
       (elf_inside phoff (bvmul ((_ zero_extend 48) phnum) #x0000000000000038) size)))

; --- Program headers (ElfImage::parse) ----------------------------------------------------------
; p_type values (gABI; PT_GNU_STACK from the GNU extensions) and p_flags bits PF_X 1, PF_W 2, PF_R 4.
(define-fun elf_is_load ((type (_ BitVec 32))) Bool (= type #x00000001))
(define-fun elf_is_tls ((type (_ BitVec 32))) Bool (= type #x00000007))
(define-fun elf_flag_x ((flags (_ BitVec 32))) Bool (= ((_ extract 0 0) flags) #b1))
(define-fun elf_flag_w ((flags (_ BitVec 32))) Bool (= ((_ extract 1 1) flags) #b1))
(define-fun elf_flag_r ((flags (_ BitVec 32))) Bool (= ((_ extract 2 2) flags) #b1))
; Bulwark: a program header that makes the whole file refused whatever else it says: PT_INTERP (3),
; a dynamic linker (static programs only), or PT_GNU_STACK (0x6474e551) with PF_X, an executable
; stack (W^X).
(define-fun elf_header_forbidden ((type (_ BitVec 32)) (flags (_ BitVec 32))) Bool
  (or (= type #x00000003) (and (= type #x6474e551) (elf_flag_x flags))))

; gABI p_align: "Values 0 and 1 mean no alignment is required. Otherwise, p_align should be a
; positive, integral power of 2".
(define-fun elf_align_ok ((align (_ BitVec 64))) Bool
  (= (bvand align (bvsub align #x0000000000000001)) #x0000000000000000))
; The user half: canonical lower-half addresses below 2^47. Bulwark: a fixed-address (ET_EXEC)
; program maps nothing below 0x10000 (Linux's default vm.mmap_min_addr), so the null page and its
; neighbours stay unmapped; a position-independent one is placed by the loader.
(define-fun elf_user_limit () (_ BitVec 64) #x0000800000000000)
(define-fun elf_min_user_address () (_ BitVec 64) #x0000000000010000)
; One PT_LOAD of a file of `size` bytes is accepted exactly when:
;  - p_memsz > 0 and p_filesz <= p_memsz (gABI: "The file size may not be larger than the memory
;    size"); Bulwark refuses empty segments;
;  - p_align is 0, 1 or a power of two;
;  - p_vaddr = p_offset modulo the 4096-byte page (gABI: "p_vaddr should equal p_offset, modulo the
;    page size"; Bulwark maps file pages in place, so it requires it at 4096);
;  - the file bytes [p_offset, p_offset + p_filesz) lie inside the file, without wrapping;
;  - the memory [p_vaddr, p_vaddr + p_memsz) lies below 2^47, without wrapping, and for a fixed
;    program starts at or above 0x10000;
;  - not both PF_W and PF_X (Bulwark: W^X).
(define-fun elf_load_valid ((size (_ BitVec 64)) (fixed Bool) (flags (_ BitVec 32)) (offset (_ BitVec 64))
                            (vaddr (_ BitVec 64)) (filesz (_ BitVec 64)) (memsz (_ BitVec 64))
                            (align (_ BitVec 64))) Bool
  (and (not (= memsz #x0000000000000000)) (bvule filesz memsz)
       (elf_align_ok align)
       (= ((_ extract 11 0) vaddr) ((_ extract 11 0) offset))
       (elf_inside offset filesz size)
       (elf_inside vaddr memsz elf_user_limit)
       (=> fixed (bvuge vaddr elf_min_user_address))
       (not (and (elf_flag_w flags) (elf_flag_x flags)))))

; Page rounding of addresses below 2^47 (no wrapping there).
(define-fun elf_page_down ((v (_ BitVec 64))) (_ BitVec 64) (bvand v #xfffffffffffff000))
(define-fun elf_page_up ((v (_ BitVec 64))) (_ BitVec 64)
  (bvand (bvadd v #x0000000000000fff) #xfffffffffffff000))
; Two accepted PT_LOADs, a before b in the table: b starts on a page after every page a occupies.
; gABI: "Loadable segment entries in the program header table appear in ascending order, sorted
; on the p_vaddr member"; Bulwark also refuses a shared page (one page has one protection). Every
; pair must satisfy it, not only neighbours: the parser checks neighbours, which is the same by the
; induction stated at elf_header_step_accepted below.
(define-fun elf_loads_disjoint ((vaddr_a (_ BitVec 64)) (memsz_a (_ BitVec 64)) (vaddr_b (_ BitVec 64))) Bool
  (bvule (elf_page_up (bvadd vaddr_a memsz_a)) (elf_page_down vaddr_b)))
; Bulwark's count limit: at most 16 PT_LOADs (ElfImage::max_load_segments), at least one.
(define-fun elf_max_load_segments () (_ BitVec 64) #x0000000000000010)

; The entry point (gABI e_entry) lies in an executable PT_LOAD's memory.
(define-fun elf_entry_in ((entry (_ BitVec 64)) (flags (_ BitVec 32)) (vaddr (_ BitVec 64))
                          (memsz (_ BitVec 64))) Bool
  (and (elf_flag_x flags) (bvuge entry vaddr) (bvult (bvsub entry vaddr) memsz)))
; The program header table lies in a PT_LOAD's file bytes, so libc can read it through AT_PHDR
; (the psABI's auxiliary vector); its address there is p_vaddr + (e_phoff - p_offset).
(define-fun elf_table_in ((phoff (_ BitVec 64)) (phnum (_ BitVec 16)) (offset (_ BitVec 64))
                          (filesz (_ BitVec 64))) Bool
  (let ((len (bvmul ((_ zero_extend 48) phnum) #x0000000000000038)))
    (and (bvuge phoff offset) (bvule len filesz) (bvule (bvsub phoff offset) (bvsub filesz len)))))
(define-fun elf_table_vaddr ((phoff (_ BitVec 64)) (offset (_ BitVec 64)) (vaddr (_ BitVec 64))) (_ BitVec 64)
  (bvadd vaddr (bvsub phoff offset)))

; PT_TLS (gABI "Thread-Local Storage"): at most one; its initialization image is p_filesz bytes at
; p_vaddr, of a block of p_memsz bytes aligned to p_align.
(define-fun elf_tls_valid ((filesz (_ BitVec 64)) (memsz (_ BitVec 64)) (align (_ BitVec 64))) Bool
  (and (bvule filesz memsz) (elf_align_ok align)))
; Bulwark: a non-empty image lies inside one PT_LOAD's memory (libc copies it from there). An
; empty one is read from nowhere: musl's static programs put theirs between two segments.
(define-fun elf_tls_in ((tls_vaddr (_ BitVec 64)) (tls_filesz (_ BitVec 64)) (vaddr (_ BitVec 64))
                        (memsz (_ BitVec 64))) Bool
  (and (bvuge tls_vaddr vaddr) (bvule (bvsub tls_vaddr vaddr) memsz)
       (bvule tls_filesz (bvsub memsz (bvsub tls_vaddr vaddr)))))

; The table as a whole is accepted exactly when: no header is elf_header_forbidden (`none_forbidden`);
; every PT_LOAD is elf_load_valid (`loads_valid`); every pair of PT_LOADs is elf_loads_disjoint in
; table order (`pairs_disjoint`); there are 1..16 PT_LOADs (`loads`); there is at most one PT_TLS
; (`tls_count`), elf_tls_valid (`tls_valid`), whose image is empty or elf_tls_in some PT_LOAD
; (`tls_placed`); the entry is elf_entry_in some PT_LOAD (`entry_in`); the table is elf_table_in
; some PT_LOAD (`table_in`). The quantifiers over the headers ("every", "some") are instantiated by
; the harness for its tables; other program header types are not consulted.
(define-fun elf_table_accepted ((none_forbidden Bool) (loads_valid Bool) (pairs_disjoint Bool) (loads (_ BitVec 64))
                                (tls_count (_ BitVec 64)) (tls_valid Bool) (tls_placed Bool) (entry_in Bool)
                                (table_in Bool)) Bool
  (and none_forbidden loads_valid pairs_disjoint
       (bvuge loads #x0000000000000001) (bvule loads elf_max_load_segments)
       (bvule tls_count #x0000000000000001) (=> (= tls_count #x0000000000000001) (and tls_valid tls_placed))
       entry_in table_in))

; The same acceptance as a walk, one header at a time (parse's first pass, elf::detail::scan_header):
; a header is accepted after the headers before it, which left `loads` PT_LOADs (the last at
; prev_vaddr, prev_memsz) and `has_tls`, exactly when it is not elf_header_forbidden; a PT_TLS is the
; first one and elf_tls_valid; a PT_LOAD is elf_load_valid, follows the previous PT_LOAD
; (elf_loads_disjoint) and is not the 17th. By induction over the table, every header accepted this
; way is the conjunction of elf_table_accepted's none_forbidden, loads_valid, pairs_disjoint (each
; neighbour pair disjoint implies every pair: page_up(end_a) <= page_down(start_b) <= start_b <=
; end_b <= page_up(end_b), so disjointness chains), loads <= 16, tls_count <= 1 and tls_valid. The
; existential conditions (tls_placed, entry_in, table_in) are the second pass, which ORs
; elf_tls_in, elf_entry_in and elf_table_in over the kept PT_LOADs (elf::detail::place_load).
(define-fun elf_header_step_accepted ((size (_ BitVec 64)) (fixed Bool) (type (_ BitVec 32)) (flags (_ BitVec 32))
                                      (offset (_ BitVec 64)) (vaddr (_ BitVec 64)) (filesz (_ BitVec 64))
                                      (memsz (_ BitVec 64)) (align (_ BitVec 64)) (loads (_ BitVec 64))
                                      (prev_vaddr (_ BitVec 64)) (prev_memsz (_ BitVec 64)) (has_tls Bool)) Bool
  (and (not (elf_header_forbidden type flags))
       (=> (elf_is_tls type) (and (not has_tls) (elf_tls_valid filesz memsz align)))
       (=> (elf_is_load type)
           (and (elf_load_valid size fixed flags offset vaddr filesz memsz align)
                (or (= loads #x0000000000000000) (elf_loads_disjoint prev_vaddr prev_memsz vaddr))
                (bvult loads elf_max_load_segments)))))

; What the load plan holds for the k-th PT_LOAD: its p_vaddr and p_memsz; its file bytes as
; [data_offset, data_offset + data_len) = [p_offset, p_offset + p_filesz); and PF_R, PF_W, PF_X.
(define-fun elf_segment_ok ((flags (_ BitVec 32)) (offset (_ BitVec 64)) (vaddr (_ BitVec 64))
                            (filesz (_ BitVec 64)) (memsz (_ BitVec 64))
                            (seg_vaddr (_ BitVec 64)) (seg_memsz (_ BitVec 64)) (data_offset (_ BitVec 64))
                            (data_len (_ BitVec 64)) (readable Bool) (writable Bool) (executable Bool)) Bool
  (and (= seg_vaddr vaddr) (= seg_memsz memsz) (= data_offset offset) (= data_len filesz)
       (= readable (elf_flag_r flags)) (= writable (elf_flag_w flags)) (= executable (elf_flag_x flags))))
