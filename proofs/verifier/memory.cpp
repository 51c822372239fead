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
        refuse("integer wider than 64 bits", *v);
    }
    if (isa<llvm::ConstantPointerNull>(v))
        return bv(m_ctx.bv_val(0, 64));
    if (isa<llvm::UndefValue>(v)) {
        // undef/poison: any value; a struct of them (the start of an insertvalue chain) is one of
        // fresh elements.
        if (t->isIntegerTy() || t->isPointerTy())
            return bv(fresh(width(t, *v), "undef"));
        if (auto* st = dyn_cast<llvm::StructType>(t)) {
            Val agg { m_ctx.bv_val(0, 1), 0, {}, true };
            for (unsigned i = 0; i < st->getNumElements(); ++i)
                agg.elems.push_back(constant(s, llvm::UndefValue::get(st->getElementType(i))));
            return agg;
        }
        refuse("undef aggregate that is not a struct", *v);
    }
    if (auto* g = dyn_cast<llvm::GlobalVariable>(v))
        return Val { m_ctx.bv_val(0, 64), global(s, g), {}, false };
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
        Val agg { m_ctx.bv_val(0, 1), 0, {}, true };
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
    return Val { offset.simplify(), base.obj, {}, false };
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

Val Executor::load_bytes(State& s, const Val& p, llvm::Type* t, const llvm::Instruction& at)
{
    if (t->isStructTy()) {
        auto* st = llvm::cast<llvm::StructType>(t);
        Val agg { m_ctx.bv_val(0, 1), 0, {}, true };
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
    for (uint64_t i = 0; i < size; ++i) {
        z3::expr byte = z3::select(o.data, (offset + m_ctx.bv_val(i, 64)).simplify());
        result = i == 0 ? byte : z3::concat(byte, result); // little-endian
    }
    if (bits < size * 8)
        result = result.extract(bits - 1, 0);
    result = result.simplify();
    // Provenance travels with 8-byte values (pointers stored as integers and back); narrower loads
    // must not read pointer bytes.
    unsigned obj = provenance(s, o, offset, size, at);
    if (size != 8 && obj != 0)
        refuse("narrow load of (possibly) pointer bytes", at);
    return Val { result, obj, {}, false };
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
    std::vector<z3::expr> bytes;
    bool numerals = true;
    for (uint64_t i = 0; i < size; ++i) {
        bytes.push_back(z3::select(o.prov, (offset + m_ctx.bv_val(i, 64)).simplify()).simplify());
        numerals = numerals && bytes.back().is_numeral();
    }
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
    for (uint64_t i = 0; i < size; ++i) {
        z3::expr where = (offset + m_ctx.bv_val(i, 64)).simplify();
        z3::expr byte = value.extract(unsigned(8 * i + 7), unsigned(8 * i)).simplify();
        if (o.zero_base && !o.touched_anywhere && v.obj == 0 && where.is_numeral() && byte.is_numeral()
            && byte.get_numeral_uint64() == 0 && !o.touched.count(where.get_numeral_uint64()))
            continue; // a zero over a byte that is still zero: keeps the arrays short
        o.touch(where);
        o.data = z3::store(o.data, where, byte);
        if (!no_pointers)
            o.prov = z3::store(o.prov, where, m_ctx.bv_val(v.obj, 16));
    }
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
