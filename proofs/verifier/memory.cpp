// Values and memory: registers, constants, globals, pointers as (object, offset), and every load and
// store checked in bounds of a live object (proofs/README.md, "The executor").
#include "proofs/verifier/executor.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/Support/raw_ostream.h>

#include <set>

namespace bulwark::proofs {

using llvm::dyn_cast;
using llvm::isa;

namespace {
std::string type_name(llvm::Type* t)
{
    std::string s;
    llvm::raw_string_ostream os(s);
    t->print(os);
    return os.str();
}
} // namespace

std::string describe(const llvm::Value& v)
{
    // Printing an instruction numbers its whole function; it is asked for on every step, so
    // remember each answer (values live as long as the module, one per run).
    static std::map<const llvm::Value*, std::string> cache;
    if (auto it = cache.find(&v); it != cache.end())
        return it->second;
    std::string s;
    llvm::raw_string_ostream os(s);
    v.print(os);
    os.flush();
    if (s.size() > 160)
        s = s.substr(0, 160) + "...";
    if (auto* inst = dyn_cast<llvm::Instruction>(&v)) {
        std::string at = inst->getFunction()->getName().str();
        if (const llvm::DebugLoc& loc = inst->getDebugLoc())
            at = loc->getFilename().str() + ":" + std::to_string(loc.getLine()) + " in " + at;
        s = at + ": " + s;
    }
    return cache[&v] = s;
}

[[noreturn]] void refuse(const std::string& why, const llvm::Value& v)
{
    throw Unsupported("unsupported: " + why + " at " + describe(v));
}

Object Executor::make_object(const std::string& name, uint64_t size)
{
    return Object { name, size, z3::const_array(m_ctx.bv_sort(64), m_ctx.bv_val(0, 8)),
                    z3::const_array(m_ctx.bv_sort(64), m_ctx.bv_val(0, 16)), true };
}

z3::expr Executor::fresh(unsigned bits, const std::string& hint)
{
    return m_ctx.bv_const((hint + "!" + std::to_string(m_fresh++)).c_str(), bits);
}

unsigned Executor::width(llvm::Type* t, const llvm::Value& at)
{
    if (t->isIntegerTy())
        return t->getIntegerBitWidth();
    if (t->isPointerTy())
        return 64;
    refuse("type " + type_name(t), at);
}

Val Executor::value(State& s, const llvm::Value* v)
{
    if (auto it = s.frames.back().regs.find(v); it != s.frames.back().regs.end())
        return it->second;
    return constant(s, v);
}

Val Executor::constant(State& s, const llvm::Value* v)
{
    llvm::Type* t = v->getType();
    if (auto* ci = dyn_cast<llvm::ConstantInt>(v)) {
        const llvm::APInt& a = ci->getValue();
        if (a.getBitWidth() <= 64)
            return bv(m_ctx.bv_val(uint64_t(a.getZExtValue()), a.getBitWidth()));
        llvm::SmallString<48> digits;
        a.toString(digits, 10, false);
        return bv(m_ctx.bv_val(std::string(digits).c_str(), a.getBitWidth()));
    }
    if (isa<llvm::ConstantPointerNull>(v))
        return bv(m_ctx.bv_val(0, 64));
    if (isa<llvm::UndefValue>(v)) {
        // undef/poison: any value; a struct of them (the start of an insertvalue chain) is one of
        // fresh elements.
        if (t->isIntegerTy() || t->isPointerTy())
            return bv(fresh(width(t, *v), "undef"));
        if (auto* st = dyn_cast<llvm::StructType>(t)) {
            Val agg { m_ctx.bv_val(0, 1), 0, {}, true, std::nullopt };
            for (unsigned i = 0; i < st->getNumElements(); ++i)
                agg.elems.push_back(constant(s, llvm::UndefValue::get(st->getElementType(i))));
            return agg;
        }
        refuse("undef aggregate that is not a struct", *v);
    }
    if (auto* g = dyn_cast<llvm::GlobalVariable>(v))
        return Val { m_ctx.bv_val(0, 64), global(s, g), {}, false, std::nullopt };
    if (auto* ce = dyn_cast<llvm::ConstantExpr>(v)) {
        switch (ce->getOpcode()) {
        case llvm::Instruction::BitCast:
        case llvm::Instruction::PtrToInt:
        case llvm::Instruction::IntToPtr:
            if (width(ce->getType(), *v) != 64)
                refuse("cast to a type other than 64 bits", *v);
            return value(s, ce->getOperand(0));
        case llvm::Instruction::GetElementPtr:
            return gep(s, *ce, value(s, ce->getOperand(0)), llvm::gep_type_begin(ce), llvm::gep_type_end(ce));
        default:
            refuse("constant expression", *v);
        }
    }
    if (isa<llvm::ConstantAggregateZero>(v) || isa<llvm::ConstantStruct>(v)) {
        auto* st = dyn_cast<llvm::StructType>(t);
        if (!st)
            refuse("constant aggregate of this type", *v);
        Val agg { m_ctx.bv_val(0, 1), 0, {}, true, std::nullopt };
        for (unsigned i = 0; i < st->getNumElements(); ++i)
            agg.elems.push_back(constant(s, llvm::cast<llvm::Constant>(v)->getAggregateElement(i)));
        return agg;
    }
    if (isa<llvm::Function>(v))
        refuse("function pointer", *v);
    refuse("operand", *v);
}

unsigned Executor::global(State& s, const llvm::GlobalVariable* g)
{
    if (auto it = s.globals.find(g); it != s.globals.end())
        return it->second;
    uint64_t size = m_layout.getTypeAllocSize(g->getValueType());
    Object o = make_object(g->getName().str(), size);
    o.align = g->getAlign().valueOrOne().value();
    if (!g->hasInitializer() || !g->getInitializer()->isNullValue())
        o.zero_base = false;
    if (!g->hasInitializer()) {
        if (g->getName() != "__stack_chk_guard")
            refuse("external global without a definition", *g);
        for (uint64_t i = 0; i < size; ++i)
            o.data = z3::store(o.data, m_ctx.bv_val(i, 64), fresh(8, "guard"));
    } else if (auto* cds = dyn_cast<llvm::ConstantDataSequential>(g->getInitializer())) {
        llvm::StringRef raw = cds->getRawDataValues();
        for (uint64_t i = 0; i < raw.size(); ++i)
            o.data = z3::store(o.data, m_ctx.bv_val(i, 64), m_ctx.bv_val(unsigned(uint8_t(raw[i])), 8));
    } else if (!g->getInitializer()->isNullValue()) { // all zero bytes: the object as made
        refuse("global initializer", *g);
    }
    s.objects.push_back(o);
    return s.globals[g] = unsigned(s.objects.size() - 1);
}

Val Executor::gep(State& s, const llvm::User& at, Val base, llvm::gep_type_iterator begin,
                   llvm::gep_type_iterator end)
{
    z3::expr offset = base.e;
    unsigned op = 1;
    for (auto it = begin; it != end; ++it, ++op) {
        const llvm::Value* index = at.getOperand(op);
        if (llvm::StructType* st = it.getStructTypeOrNull()) {
            auto* ci = dyn_cast<llvm::ConstantInt>(index);
            offset = offset + m_ctx.bv_val(m_layout.getStructLayout(st)->getElementOffset(ci->getZExtValue()), 64);
        } else {
            if (index->getType()->isVectorTy())
                refuse("vector GEP index", at);
            Val i = value(s, index);
            if (i.obj)
                refuse("pointer used as GEP index", at);
            z3::expr i64 = i.e.get_sort().bv_size() < 64 ? z3::sext(i.e, 64 - i.e.get_sort().bv_size()) : i.e;
            uint64_t stride = m_layout.getTypeAllocSize(it.getIndexedType());
            offset = offset + i64 * m_ctx.bv_val(stride, 64);
        }
    }
    return Val { offset.simplify(), base.obj, {}, false, std::nullopt };
}

Object& Executor::object_at(State& s, const Val& p, uint64_t size, const llvm::Instruction& at, z3::expr& offset)
{
    std::string where = describe(at);
    if (p.obj == 0) {
        fail_reached(s, "memory-safety", "access through a pointer with no object (null or integer): " + where);
        throw PathEnd {};
    }
    Object& o = s.objects[p.obj];
    if (!o.alive) {
        fail_reached(s, "memory-safety", "access to a dead object " + o.name + ": " + where);
        throw PathEnd {};
    }
    offset = p.e;
    // offset + size <= object size, without wrapping.
    z3::expr in = size <= o.size ? z3::ule(p.e, m_ctx.bv_val(o.size - size, 64)) : m_ctx.bool_val(false);
    check(s, in, "memory-safety", "out of bounds " + std::to_string(size) + "-byte access to " + o.name + " ("
                                          + std::to_string(o.size) + " bytes): " + where);
    return o;
}

namespace {

// What the shape of `e` says about its low bits on every input: e = low (mod 2^bits), bits <= 64;
// bits 0 when nothing is known. From numerals, sums, products, shifts by constants,
// concatenations...: an index times 8 is 0 mod 8, and 16 * i + 9 (a field of an array element,
// read byte by byte) is 9 mod 16. Used only to rule out offsets, so fewer known bits are still
// right.
struct LowBits {
    unsigned bits;
    uint64_t low; // below 2^bits
};

uint64_t low_mask(unsigned bits) { return bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1; }

// Known trailing zero bits: the low bits that are known and zero.
unsigned zeros(LowBits k) { return k.low == 0 ? k.bits : unsigned(__builtin_ctzll(k.low)); }

LowBits known_low_bits(const z3::expr& e, unsigned depth = 0)
{
    unsigned w = e.get_sort().bv_size();
    if (e.is_numeral())
        return w <= 64 ? LowBits { w, e.get_numeral_uint64() } : LowBits { 0, 0 };
    if (!e.is_app() || depth > 16)
        return { 0, 0 };
    auto arg = [&](unsigned i) { return known_low_bits(e.arg(i), depth + 1); };
    auto cut = [](unsigned bits, uint64_t low) { return LowBits { bits, low & low_mask(bits) }; };
    // The better of two facts that both hold.
    auto better = [](LowBits a, LowBits b) { return a.bits >= b.bits ? a : b; };
    unsigned n = e.num_args();
    Z3_decl_kind kind = e.decl().decl_kind();
    switch (kind) {
    case Z3_OP_BADD:
    case Z3_OP_BMUL:
    case Z3_OP_BOR:
    case Z3_OP_BXOR:
    case Z3_OP_BAND: {
        // Modulo 2^k (k at most the width), the operation on the operands' low k bits gives the
        // result's; a product also has at least the sum of its factors' trailing zeros, and an
        // `and` at least the most trailing zeros of one operand.
        LowBits r = arg(0);
        unsigned sum = zeros(r), most = zeros(r);
        for (unsigned i = 1; i < n; ++i) {
            LowBits b = arg(i);
            sum += zeros(b);
            most = std::max(most, zeros(b));
            unsigned bits = std::min(r.bits, b.bits);
            uint64_t v = kind == Z3_OP_BADD ? r.low + b.low
                       : kind == Z3_OP_BMUL ? r.low * b.low
                       : kind == Z3_OP_BOR  ? (r.low | b.low)
                       : kind == Z3_OP_BXOR ? (r.low ^ b.low)
                                            : (r.low & b.low);
            r = cut(bits, v);
        }
        if (kind == Z3_OP_BMUL)
            return better(r, LowBits { std::min({ sum, w, 64u }), 0 });
        if (kind == Z3_OP_BAND)
            return better(r, LowBits { std::min({ most, w, 64u }), 0 });
        return r;
    }
    case Z3_OP_BSUB: {
        if (n != 2)
            return { 0, 0 };
        LowBits a = arg(0), b = arg(1);
        unsigned bits = std::min(a.bits, b.bits);
        return cut(bits, a.low - b.low);
    }
    case Z3_OP_BNEG: {
        LowBits a = arg(0);
        return cut(a.bits, 0 - a.low);
    }
    case Z3_OP_BSHL: {
        LowBits a = arg(0);
        z3::expr by = e.arg(1);
        if (!by.is_numeral() || w > 64)
            return LowBits { zeros(a), 0 };
        uint64_t c = by.get_numeral_uint64();
        if (c >= w)
            return { w, 0 };
        return cut(unsigned(std::min<uint64_t>(a.bits + c, w)), a.low << c);
    }
    case Z3_OP_CONCAT: { // the last argument holds the low bits
        LowBits r { 0, 0 };
        for (unsigned i = n; i-- > 0;) {
            unsigned part = e.arg(i).get_sort().bv_size();
            LowBits a = arg(i);
            if (r.bits < 64)
                r.low |= a.low << r.bits;
            r = cut(std::min(r.bits + a.bits, 64u), r.low);
            if (a.bits < part || r.bits == 64)
                break;
        }
        return r;
    }
    case Z3_OP_EXTRACT: {
        unsigned lo = unsigned(Z3_get_decl_int_parameter(e.ctx(), e.decl(), 1));
        LowBits a = arg(0);
        if (a.bits <= lo)
            return { 0, 0 };
        return cut(std::min(a.bits - lo, w), a.low >> lo);
    }
    case Z3_OP_ZERO_EXT: {
        LowBits a = arg(0);
        return a.bits >= e.arg(0).get_sort().bv_size() ? LowBits { std::min(w, 64u), a.low } : a;
    }
    case Z3_OP_SIGN_EXT: {
        LowBits a = arg(0);
        unsigned inner = e.arg(0).get_sort().bv_size();
        if (a.bits < inner || inner == 0 || inner > 64)
            return a;
        uint64_t sign = (a.low >> (inner - 1)) & 1;
        return cut(std::min(w, 64u), sign ? a.low | ~low_mask(inner) : a.low);
    }
    case Z3_OP_ITE: {
        // The low bits both branches agree on.
        LowBits a = arg(1), b = arg(2);
        unsigned bits = std::min(a.bits, b.bits);
        uint64_t differ = (a.low ^ b.low) & low_mask(bits);
        if (differ)
            bits = unsigned(__builtin_ctzll(differ));
        return cut(bits, a.low);
    }
    default: return { 0, 0 };
    }
}

// The element at constant index `k` of `array`, looking through stores at constant indices and
// if-then-else arrays (merged states), so that reads of small objects stay plain bit-vector terms.
z3::expr select_at(const z3::expr& array, uint64_t k, std::map<unsigned, z3::expr>& memo)
{
    z3::expr a = array;
    while (a.is_app()) {
        Z3_decl_kind kind = a.decl().decl_kind();
        if (kind == Z3_OP_STORE && a.arg(1).is_numeral()) {
            if (a.arg(1).get_numeral_uint64() == k)
                return a.arg(2);
            a = a.arg(0);
            continue;
        }
        if (kind == Z3_OP_CONST_ARRAY)
            return a.arg(0);
        if (kind == Z3_OP_ITE) {
            if (auto it = memo.find(a.id()); it != memo.end())
                return it->second;
            z3::expr r = z3::ite(a.arg(0), select_at(a.arg(1), k, memo), select_at(a.arg(2), k, memo)).simplify();
            memo.insert_or_assign(a.id(), r);
            return r;
        }
        break;
    }
    return z3::select(a, a.ctx().bv_val(k, 64)).simplify();
}

z3::expr select_at(const z3::expr& array, uint64_t k)
{
    std::map<unsigned, z3::expr> memo;
    return select_at(array, k, memo);
}

} // namespace

// The offsets that an access of `size` bytes at the symbolic `offset` can have in `o` (every
// in-bounds one that the known low bits of `offset` allow), in increasing order; empty when there
// are more than `max_offsets`. Reads and writes of a small object are then if-then-else
// over these offsets, with constant array indices only: exact for every in-bounds access, and
// object_at() has already checked (or, when that failed, assumed) that the access is in bounds.
// Queries then stay in bit-vector logic instead of the theory of arrays.
std::vector<uint64_t> Executor::offsets(const Object& o, const z3::expr& offset, uint64_t size)
{
    constexpr uint64_t max_offsets = 16;
    if (size > o.size)
        return {};
    LowBits known = known_low_bits(offset);
    unsigned bits = std::min(known.bits, 32u);
    uint64_t step = uint64_t(1) << bits, first = known.low & (step - 1);
    if (first > o.size - size || (o.size - size - first) / step + 1 > max_offsets)
        return {};
    std::vector<uint64_t> out;
    for (uint64_t k = first; k + size <= o.size; k += step)
        out.push_back(k);
    return out;
}

// The `size` elements of `array` (o's data or provenance) from `offset`.
std::vector<z3::expr> Executor::read(const Object& o, const z3::expr& array, const z3::expr& offset, uint64_t size)
{
    std::vector<z3::expr> out;
    if (offset.is_numeral()) {
        uint64_t k = offset.get_numeral_uint64();
        for (uint64_t i = 0; i < size; ++i)
            out.push_back(select_at(array, k + i));
        return out;
    }
    std::vector<uint64_t> ks = offsets(o, offset, size);
    for (uint64_t i = 0; i < size; ++i) {
        if (ks.empty()) {
            out.push_back(z3::select(array, (offset + m_ctx.bv_val(i, 64)).simplify()).simplify());
            continue;
        }
        // In bounds, the offset is one of ks: the last one when it is none of the others.
        z3::expr v = select_at(array, ks.back() + i);
        for (size_t j = ks.size() - 1; j-- > 0;)
            v = z3::ite(offset == m_ctx.bv_val(ks[j], 64), select_at(array, ks[j] + i), v);
        out.push_back(v.simplify());
    }
    return out;
}

// `array` (o's data or provenance) with `bytes` stored from `offset`.
z3::expr Executor::write(const Object& o, z3::expr array, const z3::expr& offset, const std::vector<z3::expr>& bytes)
{
    uint64_t size = bytes.size();
    if (offset.is_numeral()) {
        uint64_t k = offset.get_numeral_uint64();
        for (uint64_t i = 0; i < size; ++i)
            array = z3::store(array, m_ctx.bv_val(k + i, 64), bytes[i]);
        return array;
    }
    std::vector<uint64_t> ks = offsets(o, offset, size);
    if (ks.empty()) {
        for (uint64_t i = 0; i < size; ++i)
            array = z3::store(array, (offset + m_ctx.bv_val(i, 64)).simplify(), bytes[i]);
        return array;
    }
    // In bounds, the offset is one of ks: each element that one of them covers becomes
    // ite(offset == k, new, what it was), earlier candidates included when they overlap.
    for (uint64_t k : ks) {
        z3::expr hit = ks.size() == 1 ? m_ctx.bool_val(true) : (offset == m_ctx.bv_val(k, 64));
        for (uint64_t i = 0; i < size; ++i)
            array = z3::store(array, m_ctx.bv_val(k + i, 64),
                              z3::ite(hit, bytes[i], select_at(array, k + i)).simplify());
    }
    return array;
}

Val Executor::load_bytes(State& s, const Val& p, llvm::Type* t, const llvm::Instruction& at)
{
    if (t->isStructTy()) {
        auto* st = llvm::cast<llvm::StructType>(t);
        Val agg { m_ctx.bv_val(0, 1), 0, {}, true, std::nullopt };
        for (unsigned i = 0; i < st->getNumElements(); ++i) {
            Val q = p;
            q.e = (p.e + m_ctx.bv_val(m_layout.getStructLayout(st)->getElementOffset(i), 64)).simplify();
            agg.elems.push_back(load_bytes(s, q, st->getElementType(i), at));
        }
        return agg;
    }
    unsigned bits = width(t, at);
    uint64_t size = m_layout.getTypeStoreSize(t);
    z3::expr offset(m_ctx);
    Object& o = object_at(s, p, size, at, offset);
    z3::expr result(m_ctx);
    std::vector<z3::expr> bytes = read(o, o.data, offset, size);
    for (uint64_t i = 0; i < size; ++i)
        result = i == 0 ? bytes[i] : z3::concat(bytes[i], result); // little-endian
    if (bits < size * 8)
        result = result.extract(bits - 1, 0);
    result = result.simplify();
    // Provenance travels with 8-byte values (pointers stored as integers and back); narrower loads
    // must not read pointer bytes.
    unsigned obj = provenance(s, o, offset, size, at);
    if (size != 8 && obj != 0)
        refuse("narrow load of (possibly) pointer bytes", at);
    return Val { result, obj, {}, false, std::nullopt };
}

namespace {

// Every object id that can appear in a provenance expression: the numerals in it (ids are stored
// only as numerals; merges and symbolic offsets add ite and store around them).
void provenance_candidates(const z3::expr& e, std::set<unsigned>& seen, std::set<uint64_t>& out)
{
    if (!seen.insert(e.id()).second)
        return;
    if (e.is_numeral()) {
        if (e.is_bv() && e.get_sort().bv_size() == 16)
            out.insert(e.get_numeral_uint64());
        return;
    }
    if (e.is_app())
        for (unsigned i = 0; i < e.num_args(); ++i)
            provenance_candidates(e.arg(i), seen, out);
}

} // namespace

// The object that the `size` bytes at `offset` of `o` point into (0: plain integer bytes), the same
// on every input reaching here. Decided by simplification when it can be; otherwise (merged
// states, pointers stored at symbolic offsets) by asking which candidate the path condition
// allows. Refused when more than one is possible or the bytes mix provenances.
unsigned Executor::provenance(State& s, const Object& o, const z3::expr& offset, uint64_t size,
                              const llvm::Instruction& at)
{
    std::vector<z3::expr> bytes = read(o, o.prov, offset, size);
    bool numerals = true;
    for (auto& b : bytes)
        numerals = numerals && b.is_numeral();
    if (numerals) {
        for (auto& b : bytes)
            if (b.get_numeral_uint64() != bytes[0].get_numeral_uint64())
                refuse("load of a partially overwritten pointer", at);
        return unsigned(bytes[0].get_numeral_uint64());
    }
    std::set<unsigned> seen;
    std::set<uint64_t> candidates { 0 };
    for (auto& b : bytes)
        provenance_candidates(b, seen, candidates);
    z3::expr any = m_ctx.bool_val(false);
    std::vector<uint64_t> possible;
    for (uint64_t id : candidates) {
        z3::expr all = m_ctx.bool_val(true);
        for (auto& b : bytes)
            all = all && b == m_ctx.bv_val(id, 16);
        any = any || all;
        if (feasible(s, all))
            possible.push_back(id);
    }
    if (feasible(s, !any))
        refuse("load of a partially overwritten pointer", at);
    if (possible.size() != 1)
        refuse("load whose pointer provenance differs between paths (pointers into different objects)", at);
    return unsigned(possible[0]);
}

void Executor::store_bytes(State& s, const Val& p, const Val& v, llvm::Type* t, const llvm::Instruction& at)
{
    if (t->isStructTy()) {
        auto* st = llvm::cast<llvm::StructType>(t);
        for (unsigned i = 0; i < st->getNumElements(); ++i) {
            Val q = p;
            q.e = (p.e + m_ctx.bv_val(m_layout.getStructLayout(st)->getElementOffset(i), 64)).simplify();
            store_bytes(s, q, v.elems.at(i), st->getElementType(i), at);
        }
        return;
    }
    unsigned bits = width(t, at);
    uint64_t size = m_layout.getTypeStoreSize(t);
    z3::expr offset(m_ctx);
    Object& o = object_at(s, p, size, at, offset);
    z3::expr value = bits < size * 8 ? z3::zext(v.e, unsigned(size * 8 - bits)) : v.e;
    if (v.obj && size != 8)
        refuse("narrow store of a pointer", at);
    // An object that has never held a pointer keeps its all-zero provenance array: storing more
    // zeros there changes nothing, and keeps the array short for later loads.
    bool no_pointers = v.obj == 0 && z3::eq(o.prov, z3::const_array(m_ctx.bv_sort(64), m_ctx.bv_val(0, 16)));
    if (offset.is_numeral()) {
        uint64_t k = offset.get_numeral_uint64();
        for (uint64_t i = 0; i < size; ++i) {
            z3::expr where = m_ctx.bv_val(k + i, 64);
            z3::expr byte = value.extract(unsigned(8 * i + 7), unsigned(8 * i)).simplify();
            if (o.zero_base && !o.touched_anywhere && v.obj == 0 && byte.is_numeral() && byte.get_numeral_uint64() == 0
                && !o.touched.count(k + i))
                continue; // a zero over a byte that is still zero: keeps the arrays short
            o.touch(where);
            o.data = z3::store(o.data, where, byte);
            if (!no_pointers)
                o.prov = z3::store(o.prov, where, m_ctx.bv_val(v.obj, 16));
        }
        return;
    }
    std::vector<z3::expr> bytes, prov;
    for (uint64_t i = 0; i < size; ++i) {
        bytes.push_back(value.extract(unsigned(8 * i + 7), unsigned(8 * i)).simplify());
        prov.push_back(m_ctx.bv_val(v.obj, 16));
    }
    o.data = write(o, o.data, offset, bytes);
    if (!no_pointers)
        o.prov = write(o, o.prov, offset, prov);
    touch(o, offset, size);
}

// Records the bytes a write of `size` at `offset` may change, for store_bytes()'s skipping of
// zeros over zeros: each candidate offset's bytes (offsets()), or anywhere when they are unknown.
void Executor::touch(Object& o, const z3::expr& offset, uint64_t size)
{
    if (offset.is_numeral()) {
        for (uint64_t i = 0; i < size; ++i)
            o.touched.insert(offset.get_numeral_uint64() + i);
        return;
    }
    std::vector<uint64_t> ks = offsets(o, offset, size);
    if (ks.empty()) {
        o.touched_anywhere = true;
        return;
    }
    for (uint64_t k : ks)
        for (uint64_t i = 0; i < size; ++i)
            o.touched.insert(k + i);
}

std::string Executor::read_cstring(State& s, const Val& p, const llvm::Instruction& at)
{
    if (!p.obj)
        refuse("string argument is not a constant string", at);
    std::string out;
    for (uint64_t i = 0;; ++i) {
        z3::expr c = z3::select(s.objects[p.obj].data, (p.e + m_ctx.bv_val(i, 64)).simplify()).simplify();
        if (!c.is_numeral() || i > 200)
            refuse("string argument is not a constant string", at);
        if (c.get_numeral_uint64() == 0)
            return out;
        out += char(c.get_numeral_uint64());
    }
}

} // namespace bulwark::proofs
