# kernel/mm: frame allocator, memory map, page tables, heap (pure units; glue lives elsewhere).
list(APPEND BULWARK_KERNEL_SOURCES
  kernel/mm/frame_allocator.cpp kernel/mm/memory_map.cpp kernel/mm/page_table.cpp kernel/mm/heap.cpp
  kernel/mm/user_range.cpp)
bulwark_unit_test(mm_test SOURCES
  kernel/mm/frame_allocator.cpp kernel/mm/memory_map.cpp kernel/mm/page_table.cpp kernel/mm/heap.cpp kernel/mm/user_range.cpp
  kernel/mm/frame_allocator_test.cpp kernel/mm/memory_map_test.cpp kernel/mm/page_table_test.cpp kernel/mm/page_table_model_test.cpp
  kernel/mm/heap_test.cpp kernel/mm/user_range_test.cpp)
