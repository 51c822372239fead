// One instruction of the harness module: arithmetic with its UB checks, comparisons, casts, memory
// instructions (memory.cpp does the accesses), control (control.cpp), calls, intrinsics and the
// harness API. Anything else is refused, naming the instruction.
#include "proofs/verifier/executor.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/IntrinsicInst.h>

namespace bulwark::proofs {

using llvm::dyn_cast;

Executor::Call::Call(Executor& executor, State& state, llvm::CallInst& inst)
    : ex(executor), s(state), ci(inst), name(inst.getCalledFunction()->getName().str()), where(describe(inst))
{
}

Val Executor::Call::arg(unsigned i) const { return ex.value(s, ci.getArgOperand(i)); }

void Executor::Call::set(Val v) const { s.frames.back().regs.insert_or_assign(&ci, std::move(v)); }

uint64_t Executor::Call::concrete(unsigned i) const
{
    z3::expr e = arg(i).e.simplify();
    if (!e.is_numeral())
        refuse("non-constant length", ci);
    return e.get_numeral_uint64();
}

Val Executor::boolean(const z3::expr& b)
{
    return bv(z3::ite(b, m_ctx.bv_val(1, 1), m_ctx.bv_val(0, 1)).simplify());
}

// Poison (Val::poison) in a use that is UB, or that the verifier does not track it through, is a
// no-ub failure: a branch, an address, a stored value, a call argument, a returned value, a divisor.
void Executor::check_defined(State& s, const Val& v, const std::string& where)
{
    for (const Val& e : v.elems)
        check_defined(s, e, where);
    if (v.poison)
        check(s, !*v.poison, "no-ub", "use of poison (a shift by the width or more, or a violated shift flag): " + where);
}

namespace {

// The instructions whose result is poison when an operand is (LangRef), rather than UB: they carry
// Val::poison along. Division is not among them (a poison divisor is UB).
bool propagates_poison(const llvm::Instruction& inst)
{
    switch (inst.getOpcode()) {
    case llvm::Instruction::UDiv:
    case llvm::Instruction::URem:
    case llvm::Instruction::SDiv:
    case llvm::Instruction::SRem:
        return false;
    case llvm::Instruction::ICmp:
    case llvm::Instruction::Select:
    case llvm::Instruction::ZExt:
    case llvm::Instruction::SExt:
    case llvm::Instruction::Trunc:
    case llvm::Instruction::BitCast:
    case llvm::Instruction::PtrToInt:
    case llvm::Instruction::IntToPtr:
    case llvm::Instruction::Freeze:
    case llvm::Instruction::ExtractValue:
    case llvm::Instruction::InsertValue:
        return true;
    default:
        return llvm::isa<llvm::BinaryOperator>(inst);
    }
}

std::optional<z3::expr> either(const std::optional<z3::expr>& a, const std::optional<z3::expr>& b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    return (*a || *b).simplify();
}

} // namespace

void Executor::step(State& s)
{
    Frame& f = s.frames.back();
    llvm::Instruction& inst = *f.next++;
    std::string where = describe(inst);
    auto set = [&](Val v) { s.frames.back().regs.insert_or_assign(&inst, std::move(v)); };

    if (!propagates_poison(inst)) {
        for (const llvm::Use& op : inst.operands())
            if (auto it = s.frames.back().regs.find(op.get()); it != s.frames.back().regs.end())
                check_defined(s, it->second, where);
    }
    if (auto* bo = dyn_cast<llvm::BinaryOperator>(&inst)) {
        set(binary(s, *bo));
        return;
    }
    switch (inst.getOpcode()) {
    case llvm::Instruction::ICmp: {
        auto& ic = llvm::cast<llvm::ICmpInst>(inst);
        Val a = value(s, ic.getOperand(0)), b = value(s, ic.getOperand(1));
        if (a.obj != b.obj) {
            // Distinct objects never compare equal, nor equal to null (null has offset 0).
            if (ic.isEquality() && (a.obj && b.obj ? true : (a.obj ? b.e : a.e).simplify().is_numeral())) {
                Val r = boolean(m_ctx.bool_val(ic.getPredicate() == llvm::CmpInst::ICMP_NE));
                r.poison = either(a.poison, b.poison);
                return set(r);
            }
            refuse("comparison of pointers into different objects", inst);
        }
        z3::expr x = a.e, y = b.e, r(m_ctx);
        switch (ic.getPredicate()) {
        case llvm::CmpInst::ICMP_EQ: r = x == y; break;
        case llvm::CmpInst::ICMP_NE: r = x != y; break;
        case llvm::CmpInst::ICMP_ULT: r = z3::ult(x, y); break;
        case llvm::CmpInst::ICMP_ULE: r = z3::ule(x, y); break;
        case llvm::CmpInst::ICMP_UGT: r = z3::ugt(x, y); break;
        case llvm::CmpInst::ICMP_UGE: r = z3::uge(x, y); break;
        case llvm::CmpInst::ICMP_SLT: r = z3::slt(x, y); break;
        case llvm::CmpInst::ICMP_SLE: r = z3::sle(x, y); break;
        case llvm::CmpInst::ICMP_SGT: r = z3::sgt(x, y); break;
        case llvm::CmpInst::ICMP_SGE: r = z3::sge(x, y); break;
        default: refuse("icmp predicate", inst);
        }
        Val out = boolean(r);
        out.poison = either(a.poison, b.poison);
        return set(out);
    }
    case llvm::Instruction::Select: {
        Val c = value(s, inst.getOperand(0)), a = value(s, inst.getOperand(1)), b = value(s, inst.getOperand(2));
        if (a.aggregate || b.aggregate)
            refuse("select of aggregates", inst);
        if (a.obj != b.obj)
            refuse("select between pointers into different objects", inst);
        Val out { z3::ite(truth(c), a.e, b.e).simplify(), a.obj, {}, false, std::nullopt };
        if (a.poison || b.poison) {
            z3::expr no = m_ctx.bool_val(false);
            out.poison = z3::ite(truth(c), a.poison.value_or(no), b.poison.value_or(no)).simplify();
        }
        out.poison = either(c.poison, out.poison);
        return set(out);
    }
    case llvm::Instruction::ZExt:
    case llvm::Instruction::SExt:
    case llvm::Instruction::Trunc: {
        Val a = value(s, inst.getOperand(0));
        if (a.obj)
            refuse("integer conversion of a pointer", inst);
        unsigned from = a.e.get_sort().bv_size(), to = width(inst.getType(), inst);
        Val out = bv(inst.getOpcode() == llvm::Instruction::Trunc  ? a.e.extract(to - 1, 0).simplify()
                     : inst.getOpcode() == llvm::Instruction::ZExt ? z3::zext(a.e, to - from).simplify()
                                                                   : z3::sext(a.e, to - from).simplify());
        out.poison = a.poison;
        return set(out);
    }
    case llvm::Instruction::BitCast:
    case llvm::Instruction::PtrToInt:
    case llvm::Instruction::IntToPtr:
    case llvm::Instruction::Freeze: {
        Val a = value(s, inst.getOperand(0));
        if (width(inst.getType(), inst) != 64 && inst.getOpcode() != llvm::Instruction::Freeze)
            refuse("cast to a type other than 64 bits", inst);
        if (inst.getOpcode() == llvm::Instruction::Freeze && a.poison) {
            // freeze of poison: some fixed value.
            if (a.obj || a.aggregate)
                refuse("freeze of a possibly poison pointer or aggregate", inst);
            a.e = z3::ite(*a.poison, fresh(a.e.get_sort().bv_size(), "frozen"), a.e).simplify();
            a.poison.reset();
        }
        return set(a);
    }
    case llvm::Instruction::GetElementPtr: {
        auto& g = llvm::cast<llvm::GetElementPtrInst>(inst);
        return set(gep(s, g, value(s, g.getPointerOperand()), llvm::gep_type_begin(g), llvm::gep_type_end(g)));
    }
    case llvm::Instruction::Alloca: {
        auto& a = llvm::cast<llvm::AllocaInst>(inst);
        auto size = a.getAllocationSizeInBits(m_layout);
        if (!size)
            refuse("alloca of a non-constant size", inst);
        Object o = make_object("local " + (a.hasName() ? a.getName().str() : std::string("alloca")) + " in "
                                   + f.function->getName().str(),
                               *size / 8);
        o.align = a.getAlign().value();
        // Uninitialized locals hold any value (the kernel zero-initializes them anyway).
        o.zero_base = false;
        o.data = m_ctx.constant(("uninit!" + std::to_string(m_fresh++)).c_str(),
                                m_ctx.array_sort(m_ctx.bv_sort(64), m_ctx.bv_sort(8)));
        s.objects.push_back(o);
        unsigned id = unsigned(s.objects.size() - 1);
        s.frames.back().allocas.push_back(id);
        return set(Val { m_ctx.bv_val(0, 64), id, {}, false, std::nullopt });
    }
    case llvm::Instruction::Load: {
        auto& l = llvm::cast<llvm::LoadInst>(inst);
        // A monotonic (relaxed) atomic load is a plain load here: the model is single-threaded,
        // and a harness stands for another agent's writes (a device's) by making the location
        // nondeterministic before the call. That is sound for code that loads each shared
        // location once (what relaxed atomics are used for: no tearing, no repeated fetch), and
        // the harness must say so. Other orderings and cmpxchg/atomicrmw stay refused.
        if (l.isVolatile())
            refuse("volatile load", inst);
        if (l.isAtomic() && l.getOrdering() != llvm::AtomicOrdering::Monotonic)
            refuse("atomic load other than monotonic", inst);
        return set(load_bytes(s, value(s, l.getPointerOperand()), l.getType(), inst));
    }
    case llvm::Instruction::Store: {
        auto& st = llvm::cast<llvm::StoreInst>(inst);
        // A monotonic atomic store is a plain store (single-threaded model; see Load).
        if (st.isVolatile())
            refuse("volatile store", inst);
        if (st.isAtomic() && st.getOrdering() != llvm::AtomicOrdering::Monotonic)
            refuse("atomic store other than monotonic", inst);
        store_bytes(s, value(s, st.getPointerOperand()), value(s, st.getValueOperand()),
                    st.getValueOperand()->getType(), inst);
        return;
    }
    case llvm::Instruction::ExtractValue: {
        auto& ev = llvm::cast<llvm::ExtractValueInst>(inst);
        Val v = value(s, ev.getAggregateOperand());
        for (unsigned i : ev.indices())
            v = Val(v.elems.at(i));
        return set(v);
    }
    case llvm::Instruction::InsertValue: {
        auto& iv = llvm::cast<llvm::InsertValueInst>(inst);
        Val agg = value(s, iv.getAggregateOperand());
        if (iv.getNumIndices() != 1)
            refuse("nested insertvalue", inst);
        agg.elems.at(iv.getIndices()[0]) = value(s, iv.getInsertedValueOperand());
        return set(agg);
    }
    case llvm::Instruction::Br: {
        auto& br = llvm::cast<llvm::BranchInst>(inst);
        if (br.isUnconditional())
            return jump(s, br.getSuccessor(0), inst);
        return branch(s, truth(value(s, br.getCondition())), br.getSuccessor(0), br.getSuccessor(1), inst);
    }
    case llvm::Instruction::Switch: {
        auto& sw = llvm::cast<llvm::SwitchInst>(inst);
        Val c = value(s, sw.getCondition());
        z3::expr none = m_ctx.bool_val(true);
        std::vector<std::pair<z3::expr, llvm::BasicBlock*>> arms;
        for (auto& cs : sw.cases()) {
            z3::expr eq = c.e == m_ctx.bv_val(cs.getCaseValue()->getZExtValue(), c.e.get_sort().bv_size());
            arms.push_back({ eq, cs.getCaseSuccessor() });
            none = none && !eq;
        }
        arms.push_back({ none, sw.getDefaultDest() });
        return fork(s, std::move(arms), inst);
    }
    case llvm::Instruction::Fence:
        // Orders memory accesses between threads; with one thread (the device's writes are made
        // by the harness between calls) it has no effect.
        return;
    case llvm::Instruction::Ret:
        return ret(s, llvm::cast<llvm::ReturnInst>(inst));
    case llvm::Instruction::Unreachable:
        fail_reached(s, "no-ub", "reached 'unreachable': " + where);
        throw PathEnd {};
    case llvm::Instruction::Call:
        return call(s, llvm::cast<llvm::CallInst>(inst));
    default:
        refuse("instruction", inst);
    }
}

Val Executor::binary(State& s, llvm::BinaryOperator& bo)
{
    Val va = value(s, bo.getOperand(0)), vb = value(s, bo.getOperand(1));
    std::string where = describe(bo);
    z3::expr a = va.e, b = vb.e;
    unsigned n = a.get_sort().bv_size();
    unsigned obj = 0;
    auto op = bo.getOpcode();
    if (va.obj || vb.obj) {
        // An alignment test, `ptrtoint p & m`: the object's address is a multiple of its IR
        // alignment A, so for a constant m < A (A a power of two) the low bits of the address
        // are the low bits of the offset and the result is a plain integer.
        if (op == llvm::Instruction::And && !(va.obj && vb.obj)) {
            const Val& p = va.obj ? va : vb;
            z3::expr m = (va.obj ? b : a).simplify();
            if (m.is_numeral() && m.get_numeral_uint64() < s.objects[p.obj].align)
                return bv((p.e & m).simplify());
            refuse("'and' of a pointer with other than a constant below its object's alignment", bo);
        }
        if (op == llvm::Instruction::Add && !(va.obj && vb.obj))
            obj = va.obj ? va.obj : vb.obj;
        else if (op == llvm::Instruction::Sub && vb.obj == va.obj)
            obj = 0;
        else if (op == llvm::Instruction::Sub && va.obj && !vb.obj)
            obj = va.obj;
        else
            refuse("arithmetic on pointers other than add/sub within one object", bo);
    }
    auto overflow_checks = [&](const z3::expr& wide_signed, const z3::expr& wide_unsigned) {
        if (bo.hasNoSignedWrap())
            check(s, wide_signed, "no-ub", "nsw overflow: " + where);
        if (bo.hasNoUnsignedWrap())
            check(s, wide_unsigned, "no-ub", "nuw overflow: " + where);
    };
    z3::expr zero = m_ctx.bv_val(0, n);
    // Add, sub, mul and bitwise results are poison when an operand is (their nuw/nsw flags are
    // checked as UB on the spot: stricter than LangRef's poison).
    auto poisoned = [&](Val v) {
        v.poison = either(va.poison, vb.poison);
        return v;
    };
    switch (op) {
    case llvm::Instruction::Add:
        overflow_checks(z3::bvadd_no_overflow(a, b, true) && z3::bvadd_no_underflow(a, b),
                        z3::bvadd_no_overflow(a, b, false));
        return poisoned(Val { (a + b).simplify(), obj, {}, false, std::nullopt });
    case llvm::Instruction::Sub:
        overflow_checks(z3::bvsub_no_overflow(a, b) && z3::bvsub_no_underflow(a, b, true),
                        z3::bvsub_no_underflow(a, b, false));
        return poisoned(Val { (a - b).simplify(), obj, {}, false, std::nullopt });
    case llvm::Instruction::Mul:
        overflow_checks(z3::bvmul_no_overflow(a, b, true) && z3::bvmul_no_underflow(a, b),
                        z3::bvmul_no_overflow(a, b, false));
        return poisoned(bv((a * b).simplify()));
    case llvm::Instruction::UDiv:
    case llvm::Instruction::URem:
        check(s, b != zero, "no-ub", "division by zero: " + where);
        if (bo.isExact())
            check(s, z3::urem(a, b) == zero, "no-ub", "inexact 'exact' division: " + where);
        return bv((op == llvm::Instruction::UDiv ? z3::udiv(a, b) : z3::urem(a, b)).simplify());
    case llvm::Instruction::SDiv:
    case llvm::Instruction::SRem: {
        check(s, b != zero, "no-ub", "division by zero: " + where);
        z3::expr min = m_ctx.bv_val(1, n);
        min = z3::shl(min, m_ctx.bv_val(n - 1, n));
        check(s, !(a == min && b == m_ctx.bv_val(-1, n)), "no-ub", "signed division overflow: " + where);
        if (bo.isExact())
            check(s, z3::srem(a, b) == zero, "no-ub", "inexact 'exact' division: " + where);
        return bv((op == llvm::Instruction::SDiv ? a / b : z3::srem(a, b)).simplify());
    }
    case llvm::Instruction::Shl:
    case llvm::Instruction::LShr:
    case llvm::Instruction::AShr: {
        // Poison, not UB (LangRef): a shift by the width or more, and a violated nuw/nsw/exact
        // flag. Checked where the result is used (step()); a select may discard it.
        z3::expr r = op == llvm::Instruction::Shl ? z3::shl(a, b) : op == llvm::Instruction::LShr ? z3::lshr(a, b) : z3::ashr(a, b);
        z3::expr bad = z3::uge(b, m_ctx.bv_val(n, n));
        if (op == llvm::Instruction::Shl) {
            if (bo.hasNoUnsignedWrap())
                bad = bad || z3::lshr(r, b) != a;
            if (bo.hasNoSignedWrap())
                bad = bad || z3::ashr(r, b) != a;
        } else if (bo.isExact()) {
            bad = bad || z3::shl(r, b) != a;
        }
        Val out = bv(r.simplify());
        out.poison = either(either(va.poison, vb.poison), bad.simplify());
        if (out.poison->is_false())
            out.poison.reset();
        return out;
    }
    case llvm::Instruction::And: return poisoned(bv((a & b).simplify()));
    case llvm::Instruction::Or: return poisoned(bv((a | b).simplify()));
    case llvm::Instruction::Xor: return poisoned(bv((a ^ b).simplify()));
    default: refuse("binary operator", bo);
    }
}

void Executor::call(State& s, llvm::CallInst& ci)
{
    llvm::Function* callee = ci.getCalledFunction();
    if (!callee)
        refuse("indirect call", ci);
    if (ci.isInlineAsm())
        refuse("inline assembly", ci);
    if (callee->isIntrinsic())
        return intrinsic(s, ci);
    if (harness_api(s, ci))
        return;
    if (callee->isDeclaration())
        refuse("call to a function with no body in the module (" + callee->getName().str() + ")", ci);
    std::vector<Val> args;
    for (unsigned i = 0; i < ci.arg_size(); ++i)
        args.push_back(value(s, ci.getArgOperand(i)));
    enter(s, *callee, args, &ci);
}

// The intrinsics that matter, modeled exactly; any other is refused.
void Executor::intrinsic(State& s, llvm::CallInst& ci)
{
    Call call { *this, s, ci };
    llvm::Intrinsic::ID id = ci.getCalledFunction()->getIntrinsicID();
    switch (id) {
    case llvm::Intrinsic::dbg_declare:
    case llvm::Intrinsic::dbg_value:
    case llvm::Intrinsic::dbg_label:
    case llvm::Intrinsic::lifetime_start:
    case llvm::Intrinsic::lifetime_end:
    case llvm::Intrinsic::experimental_noalias_scope_decl:
        return;
    case llvm::Intrinsic::expect:
        return call.set(call.arg(0));
    case llvm::Intrinsic::assume:
        check(s, truth(call.arg(0)), "no-ub", "llvm.assume may be false: " + call.where);
        return;
    case llvm::Intrinsic::memset: {
        uint64_t n = call.concrete(2);
        Val p = call.arg(0), byte = call.arg(1);
        for (uint64_t i = 0; i < n; ++i) {
            Val q = p;
            q.e = (p.e + m_ctx.bv_val(i, 64)).simplify();
            store_bytes(s, q, byte, llvm::Type::getInt8Ty(m_module.getContext()), ci);
        }
        return;
    }
    case llvm::Intrinsic::memcpy:
    case llvm::Intrinsic::memmove: {
        uint64_t n = call.concrete(2);
        Val dst = call.arg(0), src = call.arg(1);
        // Byte-wise, provenance included. Copy through a buffer, which is memmove's meaning and
        // also memcpy's when the ranges do not overlap.
        std::vector<std::pair<z3::expr, z3::expr>> bytes;
        for (uint64_t i = 0; i < n; ++i) {
            z3::expr off(m_ctx);
            Val q = src;
            q.e = (src.e + m_ctx.bv_val(i, 64)).simplify();
            Object& o = object_at(s, q, 1, ci, off);
            bytes.push_back({ read(o, o.data, off, 1)[0], read(o, o.prov, off, 1)[0] });
        }
        for (uint64_t i = 0; i < n; ++i) {
            z3::expr off(m_ctx);
            Val q = dst;
            q.e = (dst.e + m_ctx.bv_val(i, 64)).simplify();
            Object& o = object_at(s, q, 1, ci, off);
            o.data = write(o, o.data, off, { bytes[i].first });
            o.prov = write(o, o.prov, off, { bytes[i].second });
            touch(o, off, 1);
        }
        return;
    }
    case llvm::Intrinsic::bswap: {
        z3::expr a = call.arg(0).e;
        unsigned n = a.get_sort().bv_size();
        z3::expr r = a.extract(7, 0);
        for (unsigned i = 8; i < n; i += 8)
            r = z3::concat(r, a.extract(i + 7, i));
        return call.set(bv(r.simplify()));
    }
    case llvm::Intrinsic::ctpop: {
        // The sum of the bits, each zero-extended to the operand's width.
        z3::expr a = call.arg(0).e;
        unsigned n = a.get_sort().bv_size();
        z3::expr r = m_ctx.bv_val(0, n);
        for (unsigned i = 0; i < n; ++i)
            r = r + z3::zext(a.extract(i, i), n - 1);
        return call.set(bv(r.simplify()));
    }
    case llvm::Intrinsic::cttz:
    case llvm::Intrinsic::ctlz: {
        // The index of the lowest (cttz) or the count above the highest (ctlz) set bit; the
        // width for zero. With the second operand true, a zero operand is poison (LangRef), so
        // the verifier proves the operand nonzero instead of giving it a value.
        z3::expr a = call.arg(0).e;
        unsigned n = a.get_sort().bv_size();
        if (call.concrete(1) != 0)
            check(s, a != m_ctx.bv_val(0, n), "no-ub", "llvm." + std::string(id == llvm::Intrinsic::cttz ? "cttz" : "ctlz") + " of zero is poison: " + call.where);
        z3::expr r = m_ctx.bv_val(n, n);
        for (unsigned k = n; k-- > 0;) {
            unsigned bit = id == llvm::Intrinsic::cttz ? k : n - 1 - k;
            r = z3::ite(a.extract(bit, bit) == m_ctx.bv_val(1, 1), m_ctx.bv_val(k, n), r);
        }
        return call.set(bv(r.simplify()));
    }
    case llvm::Intrinsic::umin: return call.set(bv(z3::ite(z3::ule(call.arg(0).e, call.arg(1).e), call.arg(0).e, call.arg(1).e).simplify()));
    case llvm::Intrinsic::umax: return call.set(bv(z3::ite(z3::uge(call.arg(0).e, call.arg(1).e), call.arg(0).e, call.arg(1).e).simplify()));
    case llvm::Intrinsic::smin: return call.set(bv(z3::ite(z3::sle(call.arg(0).e, call.arg(1).e), call.arg(0).e, call.arg(1).e).simplify()));
    case llvm::Intrinsic::smax: return call.set(bv(z3::ite(z3::sge(call.arg(0).e, call.arg(1).e), call.arg(0).e, call.arg(1).e).simplify()));
    case llvm::Intrinsic::uadd_with_overflow:
    case llvm::Intrinsic::usub_with_overflow:
    case llvm::Intrinsic::umul_with_overflow:
    case llvm::Intrinsic::sadd_with_overflow:
    case llvm::Intrinsic::ssub_with_overflow: {
        z3::expr a = call.arg(0).e, b = call.arg(1).e, r(m_ctx), ok(m_ctx);
        if (id == llvm::Intrinsic::uadd_with_overflow) { r = a + b; ok = z3::bvadd_no_overflow(a, b, false); }
        else if (id == llvm::Intrinsic::usub_with_overflow) { r = a - b; ok = z3::bvsub_no_underflow(a, b, false); }
        else if (id == llvm::Intrinsic::umul_with_overflow) { r = a * b; ok = z3::bvmul_no_overflow(a, b, false); }
        else if (id == llvm::Intrinsic::sadd_with_overflow) { r = a + b; ok = z3::bvadd_no_overflow(a, b, true) && z3::bvadd_no_underflow(a, b); }
        else { r = a - b; ok = z3::bvsub_no_overflow(a, b) && z3::bvsub_no_underflow(a, b, true); }
        return call.set(Val { m_ctx.bv_val(0, 1), 0, { bv(r.simplify()), boolean(!ok) }, true, std::nullopt });
    }
    default:
        refuse("intrinsic " + call.name, ci);
    }
}

// The harness API (proofs/harness.h) and the two functions that must be unreachable. False when
// `ci` calls none of them.
bool Executor::harness_api(State& s, llvm::CallInst& ci)
{
    Call call { *this, s, ci };
    if (call.name == "bw_nondet_u8" || call.name == "bw_nondet_u16" || call.name == "bw_nondet_u32" || call.name == "bw_nondet_u64") {
        unsigned bits = width(ci.getType(), ci);
        Input in { call.name.substr(10) + "#" + std::to_string(s.inputs.size()), {} };
        z3::expr r(m_ctx);
        for (unsigned i = 0; i < bits / 8; ++i) {
            z3::expr b = fresh(8, "in");
            in.bytes.push_back(b); // most significant first, like the hex a person reads
            r = i == 0 ? b : z3::concat(r, b);
        }
        s.inputs.push_back(in);
        call.set(bv(r));
        return true;
    }
    if (call.name == "bw_nondet_bytes") {
        Val p = call.arg(0);
        uint64_t n = call.concrete(1);
        Input in { "bytes#" + std::to_string(s.inputs.size()), {} };
        if (n > 0) {
            // A whole object made nondeterministic is a fresh array: the same as a fresh byte per
            // offset, without a chain of n stores for every later access at a symbolic offset.
            z3::expr off(m_ctx);
            Object& o = object_at(s, p, n, ci, off);
            if (off.is_numeral() && off.get_numeral_uint64() == 0 && n == o.size) {
                z3::expr array = m_ctx.constant(("in!" + std::to_string(m_fresh++)).c_str(),
                                                m_ctx.array_sort(m_ctx.bv_sort(64), m_ctx.bv_sort(8)));
                o.data = array;
                o.prov = z3::const_array(m_ctx.bv_sort(64), m_ctx.bv_val(0, 16));
                o.zero_base = false;
                for (uint64_t i = 0; i < n; ++i)
                    in.bytes.push_back(z3::select(array, m_ctx.bv_val(i, 64)));
                s.inputs.push_back(in);
                return true;
            }
        }
        for (uint64_t i = 0; i < n; ++i) {
            z3::expr b = fresh(8, "in");
            in.bytes.push_back(b);
            Val q = p;
            q.e = (p.e + m_ctx.bv_val(i, 64)).simplify();
            store_bytes(s, q, bv(b), llvm::Type::getInt8Ty(m_module.getContext()), ci);
        }
        s.inputs.push_back(in);
        return true;
    }
    if (call.name == "bw_split") {
        // One path per value v < n that x can have, where the result is the constant v, and one
        // where x >= n and the result is x: a case split, every input on exactly one path. The
        // paths are never merged back (State::split).
        Val x = call.arg(0);
        uint64_t n = call.concrete(1);
        if (x.obj || x.aggregate || x.poison || n > 4096)
            refuse("bw_split of a pointer, an aggregate, poison, or into more than 4096 cases", ci);
        unsigned bits = x.e.get_sort().bv_size();
        std::vector<std::pair<z3::expr, Val>> arms;
        for (uint64_t v = 0; v < n; ++v)
            arms.push_back({ x.e == m_ctx.bv_val(v, bits), bv(m_ctx.bv_val(v, bits)) });
        arms.push_back({ z3::uge(x.e, m_ctx.bv_val(n, bits)), x });
        std::vector<State> live;
        for (uint64_t i = 0; i < arms.size(); ++i) {
            z3::expr c = arms[i].first.simplify();
            if (!feasible(s, c))
                continue;
            State other = s;
            if (!c.is_true())
                other.pc.push_back(c);
            other.split.push_back(i);
            other.frames.back().regs.insert_or_assign(&ci, arms[i].second);
            live.push_back(std::move(other));
        }
        if (live.empty())
            throw PathEnd {};
        for (size_t i = 1; i < live.size(); ++i) {
            m_out.paths++;
            schedule(std::move(live[i]));
        }
        s = std::move(live[0]);
        return true;
    }
    if (call.name == "bw_merge_paths") {
        s.merge = true;
        return true;
    }
    if (call.name == "bw_assume") {
        // The path goes on only if some input satisfies every assumption so far: the whole path
        // condition is asked (feasible(s, true) would answer from the constant alone), so a
        // harness whose assumptions contradict completes no path and assumptions-satisfiable
        // FAILS (proofs/selftest/cases.cpp, harness_vacuous).
        z3::expr c = truth(call.arg(0)).simplify();
        if (c.is_true())
            return true;
        s.pc.push_back(c);
        if (c.is_false() || solve(s, nullptr, nullptr) == z3::unsat)
            throw PathEnd {};
        return true;
    }
    if (call.name == "bw_assert") {
        std::string property_name = read_cstring(s, call.arg(1), ci);
        check(s, truth(call.arg(0)), property_name, call.where);
        return true;
    }
    if (call.name.rfind("spec_", 0) == 0) {
        std::vector<z3::expr> args;
        for (unsigned i = 0; i < ci.arg_size(); ++i) {
            Val a = call.arg(i);
            if (a.obj || a.aggregate)
                refuse("spec define-funs take bit-vectors only", ci);
            args.push_back(a.e);
        }
        unsigned bits = width(ci.getType(), ci);
        z3::expr r(m_ctx);
        try {
            r = bits == 1 ? m_spec.apply(call.name.substr(5), args, m_ctx.bool_sort())
                          : m_spec.apply(call.name.substr(5), args, m_ctx.bv_sort(bits));
        } catch (Unsupported& e) {
            throw Unsupported(std::string(e.what()) + " at " + call.where);
        }
        call.set(bits == 1 ? boolean(r) : bv(r.simplify()));
        return true;
    }
    if (call.name == "_ZN3lib13verify_failedEPKciS1_") {
        fail_reached(s, "no-panic", "VERIFY can fail: " + call.where);
        throw PathEnd {};
    }
    if (call.name == "__stack_chk_fail") {
        fail_reached(s, "memory-safety", "stack protector fires: " + call.where);
        throw PathEnd {};
    }
    return false;
}

} // namespace bulwark::proofs
