// The legacy 8259A pair: remapped to vectors 32-47 and fully masked, so only the APICs deliver.
#pragma once

namespace kernel::arch::pic {
void remap_and_mask();
}
