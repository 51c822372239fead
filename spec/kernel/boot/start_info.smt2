; The PVH boot ABI's hvm_start_info, spec for kernel/boot/start_info.{h,cpp}. Proved by
; proofs/kernel/boot/start_info.cpp. Layout: Xen public/arch-x86/hvm/start_info.h (version 0: the
; 40 bytes magic, version, flags, nr_modules, modlist_paddr, cmdline_paddr, rsdp_paddr; version 1
; adds memmap_paddr at 40 and memmap_entries at 48, 56 bytes in all; a memory-map entry is 24 bytes
; addr, size, type, reserved; a module-list entry is 32 bytes paddr, size, cmdline_paddr, reserved).
; Every value is little-endian. Everything in it comes from the VMM and is untrusted.
;
; The parser reads only through `window`, physical memory [0, size) as the boot page tables map
; it. Results are StartInfoError codes in declaration order (kernel/boot/start_info.h), #xff for
; success: 0 OutsideWindow, 1 BadMagic, 2 MemmapOutsideWindow, 3 TooManyMemmapEntries,
; 4 NoMemmap, 5 CmdlineOutsideWindow, 6 CmdlineTooLong, 7 ModulesOutsideWindow, 8 TooManyModules.

; [start, start + len) lies inside [0, size), computed without wrapping.
(define-fun si_inside ((start (_ BitVec 64)) (len (_ BitVec 64)) (size (_ BitVec 64))) Bool
  (and (bvule start size) (bvule len (bvsub size start))))

; Bulwark's limits (kernel/boot/start_info.h): at most 128 memory-map entries, 4 boot modules, and
; a command line whose NUL comes within its first 4096 bytes.
(define-fun si_max_memmap_entries () (_ BitVec 32) #x00000080)
(define-fun si_max_modules () (_ BitVec 32) #x00000004)
(define-fun si_max_cmdline () (_ BitVec 64) #x0000000000001000)

; The header and the memory map, checked in this order: the version-0 header inside the window,
; the magic XEN_HVM_START_MAGIC_VALUE 0x336ec578, version >= 1 (Bulwark requires the memory map),
; the version-1 header inside the window, 1..128 entries, the entries inside the window.
; `magic`, `version`, `memmap_paddr` and `entries` are the header's fields (read only where the
; header lies inside the window; their value does not matter otherwise).
(define-fun si_header_result ((size (_ BitVec 64)) (phys (_ BitVec 64)) (magic (_ BitVec 32))
                              (version (_ BitVec 32)) (memmap_paddr (_ BitVec 64)) (entries (_ BitVec 32)))
                             (_ BitVec 8)
  (ite (not (si_inside phys #x0000000000000028 size)) #x00
  (ite (not (= magic #x336ec578)) #x01
  (ite (= version #x00000000) #x04
  (ite (not (si_inside phys #x0000000000000038 size)) #x00
  (ite (= entries #x00000000) #x04
  (ite (bvugt entries si_max_memmap_entries) #x03
  (ite (not (si_inside memmap_paddr (bvmul ((_ zero_extend 32) entries) #x0000000000000018) size)) #x02
  #xff))))))))

; The boot-module list, checked after the command line: at most 4 entries, and a nonempty list
; inside the window.
(define-fun si_modules_result ((size (_ BitVec 64)) (nr (_ BitVec 32)) (modlist_paddr (_ BitVec 64))) (_ BitVec 8)
  (ite (bvugt nr si_max_modules) #x08
  (ite (and (not (= nr #x00000000))
            (not (si_inside modlist_paddr (bvmul ((_ zero_extend 32) nr) #x0000000000000020) size))) #x07
  #xff)))

; The command line (cmdline_paddr; 0 means none) is the bytes before the first NUL. Accepted with
; length `len` exactly when that NUL lies inside the window and within the first 4096 bytes:
; `len` < 4096, the NUL at cmdline_paddr + len inside the window (the bytes before it are nonzero,
; a separate property). Refused as outside the window when the window ends first (no NUL before
; its end, within 4096 bytes), and as too long when 4096 nonzero bytes lie inside it.
(define-fun si_cmdline_accepted ((size (_ BitVec 64)) (paddr (_ BitVec 64)) (len (_ BitVec 64))) Bool
  (and (bvult len si_max_cmdline) (bvult paddr size) (bvult len (bvsub size paddr))))
(define-fun si_cmdline_outside ((size (_ BitVec 64)) (paddr (_ BitVec 64))) Bool
  (or (bvuge paddr size) (bvule (bvsub size paddr) si_max_cmdline)))
(define-fun si_cmdline_too_long ((size (_ BitVec 64)) (paddr (_ BitVec 64))) Bool
  (and (bvult paddr size) (bvugt (bvsub size paddr) si_max_cmdline)))

; On success the parsed fields are the header's (the counts as the header gives them).
(define-fun si_fields_ok ((out_version (_ BitVec 32)) (out_flags (_ BitVec 32)) (out_rsdp (_ BitVec 64))
                          (out_cmdline (_ BitVec 64)) (out_memmap_phys (_ BitVec 64)) (out_memmap_count (_ BitVec 64))
                          (version (_ BitVec 32)) (flags (_ BitVec 32)) (rsdp (_ BitVec 64)) (cmdline (_ BitVec 64))
                          (memmap_paddr (_ BitVec 64)) (entries (_ BitVec 32))) Bool
  (and (= out_version version) (= out_flags flags) (= out_rsdp rsdp) (= out_cmdline cmdline)
       (= out_memmap_phys memmap_paddr) (= out_memmap_count ((_ zero_extend 32) entries))))
; A memory-map entry as copied out: hvm_memmap_table_entry's addr, size and type (reserved dropped).
(define-fun si_memmap_entry_ok ((addr (_ BitVec 64)) (size (_ BitVec 64)) (type (_ BitVec 32))
                                (raw_addr (_ BitVec 64)) (raw_size (_ BitVec 64)) (raw_type (_ BitVec 32))) Bool
  (and (= addr raw_addr) (= size raw_size) (= type raw_type)))
; A module as copied out: hvm_modlist_entry's paddr and size (its cmdline_paddr and reserved dropped).
(define-fun si_module_ok ((phys (_ BitVec 64)) (size (_ BitVec 64)) (raw_paddr (_ BitVec 64)) (raw_size (_ BitVec 64))) Bool
  (and (= phys raw_paddr) (= size raw_size)))
