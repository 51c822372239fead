// Path-by-path symbolic execution of one harness function over LLVM 14 IR. Memory is a set of
// bounded objects (Z3 byte arrays plus a provenance array); every load and store is checked in
// bounds, every UB-bearing instruction checked, loops unrolled to a bound with an unwinding check.
// Anything not modeled throws Unsupported naming the instruction: never approximated.
#include "proofs/verifier/verifier.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/DataLayout.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/GetElementPtrTypeIterator.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/Support/raw_ostream.h>

#include <chrono>
#include <optional>
#include <sstream>

namespace bulwark::proofs {
namespace {

using llvm::dyn_cast;
using llvm::isa;

std::string describe(const llvm::Value& v)
{
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
    return s;
}

[[noreturn]] void refuse(const std::string& why, const llvm::Value& v)
{
    throw Unsupported("unsupported: " + why + " at " + describe(v));
}

// A register value: a bit-vector, with `obj` != 0 when it is a pointer into object `obj` (then `e`
// is the byte offset), or an aggregate.
struct Val {
    z3::expr e;
    unsigned obj { 0 };
    std::vector<Val> elems;
    bool aggregate { false };
};

struct Object {
    std::string name;
    uint64_t size;
    z3::expr data; // (Array (_ BitVec 64) (_ BitVec 8))
    z3::expr prov; // (Array (_ BitVec 64) (_ BitVec 16)): object id of a stored pointer byte, 0 if none
    bool alive { true };
};

struct Frame {
    llvm::Function* function;
    llvm::BasicBlock* block;
    llvm::BasicBlock* previous { nullptr };
    llvm::BasicBlock::iterator next;
    std::map<const llvm::Value*, Val> regs;
    std::map<const llvm::BasicBlock*, unsigned> visits;
    std::vector<unsigned> allocas;
    llvm::CallInst* caller { nullptr };
};

struct Input {
    std::string label;
    std::vector<z3::expr> bytes;
};

struct State {
    std::vector<Frame> frames;
    std::vector<Object> objects;
    std::vector<z3::expr> pc;
    std::vector<Input> inputs;
    std::map<const llvm::GlobalVariable*, unsigned> globals;
};

class Executor {
public:
    Executor(llvm::Module& m, Spec& spec, z3::context& ctx, const Options& options, HarnessResult& out)
        : m_module(m), m_layout(&m), m_spec(spec), m_ctx(ctx), m_options(options), m_out(out)
    {
    }

    void run(llvm::Function& harness)
    {
        State s0 { {}, {}, {}, {}, {} };
        s0.objects.push_back(make_object("null", 0));
        enter(s0, harness, {}, nullptr);
        m_work.push_back(std::move(s0));
        for (const char* name : { "assumptions-satisfiable", "memory-safety", "no-ub", "no-panic", "unwinding" })
            property(name); // always reported; PROVED when never violated
        while (!m_work.empty()) {
            State s = std::move(m_work.back());
            m_work.pop_back();
            m_out.paths++;
            step_until_done(s);
        }
        PropertyResult& sat = m_out.properties["assumptions-satisfiable"];
        if (m_out.paths_completed == 0) {
            sat.status = Status::Failed;
            sat.where = "no path reaches the end of the harness: its assumptions are unsatisfiable";
        }
    }

private:
    llvm::Module& m_module;
    llvm::DataLayout m_layout;
    Spec& m_spec;
    z3::context& m_ctx;
    const Options& m_options;
    HarnessResult& m_out;
    std::vector<State> m_work;
    unsigned m_fresh { 0 };

    Object make_object(const std::string& name, uint64_t size)
    {
        return Object { name, size, z3::const_array(m_ctx.bv_sort(64), m_ctx.bv_val(0, 8)),
                        z3::const_array(m_ctx.bv_sort(64), m_ctx.bv_val(0, 16)), true };
    }
    Val bv(const z3::expr& e) { return Val { e, 0, {}, false }; }
    z3::expr fresh(unsigned bits, const std::string& hint)
    {
        return m_ctx.bv_const((hint + "!" + std::to_string(m_fresh++)).c_str(), bits);
    }
    PropertyResult& property(const std::string& name) { return m_out.properties[name]; }

    // ---- solver ----
    z3::check_result solve(const State& s, const z3::expr* extra, z3::model* model)
    {
        z3::solver solver(m_ctx);
        z3::params p(m_ctx);
        p.set("timeout", m_options.timeout_ms);
        solver.set(p);
        for (auto& c : s.pc)
            solver.add(c);
        if (extra)
            solver.add(*extra);
        z3::check_result r = solver.check();
        if (r == z3::sat && model)
            *model = solver.get_model();
        return r;
    }
    bool feasible(const State& s, const z3::expr& cond)
    {
        z3::expr c = cond.simplify();
        if (c.is_true())
            return true;
        if (c.is_false())
            return false;
        return solve(s, &c, nullptr) != z3::unsat; // unknown: explore it (over-approximation)
    }
    std::string counterexample(const State& s, z3::model& model)
    {
        std::string out;
        for (auto& in : s.inputs) {
            out += (out.empty() ? "" : " ") + in.label + "=";
            for (auto& b : in.bytes) {
                z3::expr v = model.eval(b, true);
                char buf[8];
                snprintf(buf, sizeof buf, "%02x", unsigned(v.get_numeral_uint64()));
                out += buf;
            }
        }
        return out.empty() ? "(no inputs)" : out;
    }
    // Checks that `cond` holds on every input reaching here; then assumes it on this path.
    void check(State& s, const z3::expr& cond, const std::string& name, const std::string& where)
    {
        auto start = std::chrono::steady_clock::now();
        PropertyResult& r = property(name);
        r.checks++;
        z3::expr negated = (!cond).simplify();
        if (!negated.is_false()) {
            z3::model model(m_ctx);
            z3::check_result res = solve(s, &negated, &model);
            if (res == z3::sat && r.status != Status::Failed) {
                r.status = Status::Failed;
                r.counterexample = counterexample(s, model);
                r.where = where;
            } else if (res == z3::unknown && r.status == Status::Proved) {
                r.status = Status::Unknown;
                r.where = where;
            }
        }
        r.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        s.pc.push_back(cond);
    }
    // A point that must be unreachable: reaching it on a feasible path is a failure. Ends the path.
    void fail_reached(State& s, const std::string& name, const std::string& where)
    {
        check(s, m_ctx.bool_val(false), name, where);
    }

    // ---- values ----
    unsigned width(llvm::Type* t, const llvm::Value& at)
    {
        if (t->isIntegerTy())
            return t->getIntegerBitWidth();
        if (t->isPointerTy())
            return 64;
        refuse("type " + type_name(t), at);
    }
    static std::string type_name(llvm::Type* t)
    {
        std::string s;
        llvm::raw_string_ostream os(s);
        t->print(os);
        return os.str();
    }

    Val value(State& s, const llvm::Value* v)
    {
        if (auto it = s.frames.back().regs.find(v); it != s.frames.back().regs.end())
            return it->second;
        return constant(s, v);
    }

    Val constant(State& s, const llvm::Value* v)
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
            // undef/poison: any value. Only scalars; an unconstrained aggregate is refused.
            if (t->isIntegerTy() || t->isPointerTy())
                return bv(fresh(width(t, *v), "undef"));
            refuse("undef aggregate", *v);
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

    unsigned global(State& s, const llvm::GlobalVariable* g)
    {
        if (auto it = s.globals.find(g); it != s.globals.end())
            return it->second;
        uint64_t size = m_layout.getTypeAllocSize(g->getValueType());
        Object o = make_object(g->getName().str(), size);
        if (!g->hasInitializer()) {
            if (g->getName() != "__stack_chk_guard")
                refuse("external global without a definition", *g);
            for (uint64_t i = 0; i < size; ++i)
                o.data = z3::store(o.data, m_ctx.bv_val(i, 64), fresh(8, "guard"));
        } else if (auto* cds = dyn_cast<llvm::ConstantDataSequential>(g->getInitializer())) {
            llvm::StringRef raw = cds->getRawDataValues();
            for (uint64_t i = 0; i < raw.size(); ++i)
                o.data = z3::store(o.data, m_ctx.bv_val(i, 64), m_ctx.bv_val(unsigned(uint8_t(raw[i])), 8));
        } else if (!isa<llvm::ConstantAggregateZero>(g->getInitializer())) {
            refuse("global initializer", *g);
        }
        s.objects.push_back(o);
        return s.globals[g] = unsigned(s.objects.size() - 1);
    }

    template<typename It> Val gep(State& s, const llvm::User& at, Val base, It begin, It end)
    {
        z3::expr offset = base.e;
        unsigned op = 1;
        for (It it = begin; it != end; ++it, ++op) {
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

    // ---- memory ----
    Object& object_at(State& s, const Val& p, uint64_t size, const llvm::Instruction& at, z3::expr& offset)
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

    Val load_bytes(State& s, const Val& p, llvm::Type* t, const llvm::Instruction& at)
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
        unsigned obj = 0;
        if (size == 8) {
            // Provenance travels with 8-byte values (pointers stored as integers and back).
            z3::expr first = z3::select(o.prov, offset).simplify();
            bool plain = true;
            for (uint64_t i = 0; i < size; ++i) {
                z3::expr pv = z3::select(o.prov, (offset + m_ctx.bv_val(i, 64)).simplify()).simplify();
                if (!pv.is_numeral())
                    refuse("load whose pointer provenance is symbolic (pointer stored at a symbolic offset)", at);
                if (i == 0)
                    obj = unsigned(pv.get_numeral_uint64());
                else if (pv.get_numeral_uint64() != obj)
                    plain = false;
            }
            if (!plain)
                refuse("load of a partially overwritten pointer", at);
        } else {
            for (uint64_t i = 0; i < size; ++i) {
                z3::expr pv = z3::select(o.prov, (offset + m_ctx.bv_val(i, 64)).simplify()).simplify();
                if (!pv.is_numeral() || pv.get_numeral_uint64() != 0)
                    refuse("narrow load of (possibly) pointer bytes", at);
            }
        }
        return Val { result, obj, {}, false };
    }

    void store_bytes(State& s, const Val& p, const Val& v, llvm::Type* t, const llvm::Instruction& at)
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
        for (uint64_t i = 0; i < size; ++i) {
            z3::expr where = (offset + m_ctx.bv_val(i, 64)).simplify();
            o.data = z3::store(o.data, where, value.extract(unsigned(8 * i + 7), unsigned(8 * i)).simplify());
            o.prov = z3::store(o.prov, where, m_ctx.bv_val(v.obj, 16));
        }
    }

    // ---- control ----
    struct PathEnd { };

    void enter(State& s, llvm::Function& f, std::vector<Val> args, llvm::CallInst* caller)
    {
        if (s.frames.size() > 64)
            refuse("call depth over 64 (recursion)", *caller);
        Frame fr { &f, &f.getEntryBlock(), nullptr, f.getEntryBlock().begin(), {}, {}, {}, caller };
        for (unsigned i = 0; i < f.arg_size(); ++i) {
            if (f.getArg(i)->hasByValAttr())
                refuse("byval argument", *f.getArg(i));
            fr.regs.insert_or_assign(f.getArg(i), args.at(i));
        }
        fr.visits[fr.block] = 1;
        s.frames.push_back(std::move(fr));
    }

    void step_until_done(State& s)
    {
        try {
            while (true)
                step(s);
        } catch (PathEnd&) {
        }
    }

    // Moves the top frame to `to`, evaluating its phis against the block we came from.
    void jump(State& s, llvm::BasicBlock* to, const llvm::Instruction& at)
    {
        Frame& f = s.frames.back();
        unsigned& visits = f.visits[to];
        if (++visits > m_options.unwind) {
            fail_reached(s, "unwinding", "loop not fully unwound after " + std::to_string(m_options.unwind)
                                                 + " iterations (raise --unwind): " + describe(at));
            throw PathEnd {};
        }
        std::vector<std::pair<const llvm::PHINode*, Val>> phis;
        for (auto& phi : to->phis())
            phis.push_back({ &phi, value(s, phi.getIncomingValueForBlock(f.block)) });
        for (auto& [phi, v] : phis)
            f.regs.insert_or_assign(phi, v);
        f.previous = f.block;
        f.block = to;
        f.next = to->getFirstNonPHI()->getIterator();
    }

    // Forks on `cond`: this state continues into `yes` when feasible, a copy into `no`.
    void branch(State& s, const z3::expr& cond, llvm::BasicBlock* yes, llvm::BasicBlock* no, const llvm::Instruction& at)
    {
        z3::expr c = cond.simplify();
        bool can_yes = feasible(s, c), can_no = feasible(s, !c);
        if (can_yes && can_no) {
            State other = s;
            other.pc.push_back(!c);
            jump(other, no, at);
            m_work.push_back(std::move(other));
        }
        if (can_yes) {
            s.pc.push_back(c);
            jump(s, yes, at);
        } else if (can_no) {
            s.pc.push_back(!c);
            jump(s, no, at);
        } else {
            throw PathEnd {};
        }
    }

    z3::expr truth(const Val& v) { return v.e == m_ctx.bv_val(1, 1); }
    Val boolean(const z3::expr& b) { return bv(z3::ite(b, m_ctx.bv_val(1, 1), m_ctx.bv_val(0, 1)).simplify()); }

    std::string read_cstring(State& s, const Val& p, const llvm::Instruction& at)
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

    void step(State& s)
    {
        Frame& f = s.frames.back();
        llvm::Instruction& inst = *f.next++;
        std::string where = describe(inst);
        auto set = [&](Val v) { s.frames.back().regs.insert_or_assign(&inst, std::move(v)); };

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
                if (ic.isEquality() && (a.obj && b.obj ? true : (a.obj ? b.e : a.e).simplify().is_numeral()))
                    return set(boolean(m_ctx.bool_val(ic.getPredicate() == llvm::CmpInst::ICMP_NE)));
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
            return set(boolean(r));
        }
        case llvm::Instruction::Select: {
            Val c = value(s, inst.getOperand(0)), a = value(s, inst.getOperand(1)), b = value(s, inst.getOperand(2));
            if (a.aggregate || b.aggregate)
                refuse("select of aggregates", inst);
            if (a.obj != b.obj)
                refuse("select between pointers into different objects", inst);
            return set(Val { z3::ite(truth(c), a.e, b.e).simplify(), a.obj, {}, false });
        }
        case llvm::Instruction::ZExt:
        case llvm::Instruction::SExt:
        case llvm::Instruction::Trunc: {
            Val a = value(s, inst.getOperand(0));
            if (a.obj)
                refuse("integer conversion of a pointer", inst);
            unsigned from = a.e.get_sort().bv_size(), to = width(inst.getType(), inst);
            if (inst.getOpcode() == llvm::Instruction::Trunc)
                return set(bv(a.e.extract(to - 1, 0).simplify()));
            if (inst.getOpcode() == llvm::Instruction::ZExt)
                return set(bv(z3::zext(a.e, to - from).simplify()));
            return set(bv(z3::sext(a.e, to - from).simplify()));
        }
        case llvm::Instruction::BitCast:
        case llvm::Instruction::PtrToInt:
        case llvm::Instruction::IntToPtr:
        case llvm::Instruction::Freeze: {
            Val a = value(s, inst.getOperand(0));
            if (width(inst.getType(), inst) != 64 && inst.getOpcode() != llvm::Instruction::Freeze)
                refuse("cast to a type other than 64 bits", inst);
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
            // Uninitialized locals hold any value (the kernel zero-initializes them anyway).
            o.data = m_ctx.constant(("uninit!" + std::to_string(m_fresh++)).c_str(),
                                    m_ctx.array_sort(m_ctx.bv_sort(64), m_ctx.bv_sort(8)));
            s.objects.push_back(o);
            unsigned id = unsigned(s.objects.size() - 1);
            s.frames.back().allocas.push_back(id);
            return set(Val { m_ctx.bv_val(0, 64), id, {}, false });
        }
        case llvm::Instruction::Load: {
            auto& l = llvm::cast<llvm::LoadInst>(inst);
            if (l.isVolatile() || l.isAtomic())
                refuse("volatile or atomic load", inst);
            return set(load_bytes(s, value(s, l.getPointerOperand()), l.getType(), inst));
        }
        case llvm::Instruction::Store: {
            auto& st = llvm::cast<llvm::StoreInst>(inst);
            if (st.isVolatile() || st.isAtomic())
                refuse("volatile or atomic store", inst);
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
            std::vector<std::pair<z3::expr, llvm::BasicBlock*>> live;
            for (auto& arm : arms)
                if (feasible(s, arm.first))
                    live.push_back(arm);
            if (live.empty())
                throw PathEnd {};
            for (size_t i = 1; i < live.size(); ++i) {
                State other = s;
                other.pc.push_back(live[i].first);
                jump(other, live[i].second, inst);
                m_work.push_back(std::move(other));
            }
            s.pc.push_back(live[0].first);
            return jump(s, live[0].second, inst);
        }
        case llvm::Instruction::Ret: {
            auto& r = llvm::cast<llvm::ReturnInst>(inst);
            std::optional<Val> result;
            if (r.getReturnValue())
                result = value(s, r.getReturnValue());
            for (unsigned id : s.frames.back().allocas)
                s.objects[id].alive = false;
            llvm::CallInst* caller = s.frames.back().caller;
            s.frames.pop_back();
            if (s.frames.empty()) {
                m_out.paths_completed++;
                throw PathEnd {};
            }
            if (result)
                s.frames.back().regs.insert_or_assign(caller, *result);
            return;
        }
        case llvm::Instruction::Unreachable:
            fail_reached(s, "no-ub", "reached 'unreachable': " + where);
            throw PathEnd {};
        case llvm::Instruction::Call:
            return call(s, llvm::cast<llvm::CallInst>(inst));
        default:
            refuse("instruction", inst);
        }
    }

    Val binary(State& s, llvm::BinaryOperator& bo)
    {
        Val va = value(s, bo.getOperand(0)), vb = value(s, bo.getOperand(1));
        std::string where = describe(bo);
        z3::expr a = va.e, b = vb.e;
        unsigned n = a.get_sort().bv_size();
        unsigned obj = 0;
        auto op = bo.getOpcode();
        if (va.obj || vb.obj) {
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
        switch (op) {
        case llvm::Instruction::Add:
            overflow_checks(z3::bvadd_no_overflow(a, b, true) && z3::bvadd_no_underflow(a, b),
                            z3::bvadd_no_overflow(a, b, false));
            return Val { (a + b).simplify(), obj, {}, false };
        case llvm::Instruction::Sub:
            overflow_checks(z3::bvsub_no_overflow(a, b) && z3::bvsub_no_underflow(a, b, true),
                            z3::bvsub_no_underflow(a, b, false));
            return Val { (a - b).simplify(), obj, {}, false };
        case llvm::Instruction::Mul:
            overflow_checks(z3::bvmul_no_overflow(a, b, true) && z3::bvmul_no_underflow(a, b),
                            z3::bvmul_no_overflow(a, b, false));
            return bv((a * b).simplify());
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
            check(s, z3::ult(b, m_ctx.bv_val(n, n)), "no-ub", "shift by the width or more: " + where);
            z3::expr r = op == llvm::Instruction::Shl ? z3::shl(a, b) : op == llvm::Instruction::LShr ? z3::lshr(a, b) : z3::ashr(a, b);
            if (op == llvm::Instruction::Shl) {
                if (bo.hasNoUnsignedWrap())
                    check(s, z3::lshr(r, b) == a, "no-ub", "nuw shl overflow: " + where);
                if (bo.hasNoSignedWrap())
                    check(s, z3::ashr(r, b) == a, "no-ub", "nsw shl overflow: " + where);
            } else if (bo.isExact()) {
                check(s, z3::shl(r, b) == a, "no-ub", "'exact' shift dropped bits: " + where);
            }
            return bv(r.simplify());
        }
        case llvm::Instruction::And: return bv((a & b).simplify());
        case llvm::Instruction::Or: return bv((a | b).simplify());
        case llvm::Instruction::Xor: return bv((a ^ b).simplify());
        default: refuse("binary operator", bo);
        }
    }

    void call(State& s, llvm::CallInst& ci)
    {
        std::string where = describe(ci);
        llvm::Function* callee = ci.getCalledFunction();
        if (!callee)
            refuse("indirect call", ci);
        if (ci.isInlineAsm())
            refuse("inline assembly", ci);
        std::string name = callee->getName().str();
        auto arg = [&](unsigned i) { return value(s, ci.getArgOperand(i)); };
        auto set = [&](Val v) { s.frames.back().regs.insert_or_assign(&ci, std::move(v)); };
        auto concrete = [&](unsigned i) {
            z3::expr e = arg(i).e.simplify();
            if (!e.is_numeral())
                refuse("non-constant length", ci);
            return e.get_numeral_uint64();
        };

        if (callee->isIntrinsic()) {
            llvm::Intrinsic::ID id = callee->getIntrinsicID();
            switch (id) {
            case llvm::Intrinsic::dbg_declare:
            case llvm::Intrinsic::dbg_value:
            case llvm::Intrinsic::dbg_label:
            case llvm::Intrinsic::lifetime_start:
            case llvm::Intrinsic::lifetime_end:
            case llvm::Intrinsic::experimental_noalias_scope_decl:
                return;
            case llvm::Intrinsic::expect:
                return set(arg(0));
            case llvm::Intrinsic::assume:
                check(s, truth(arg(0)), "no-ub", "llvm.assume may be false: " + where);
                return;
            case llvm::Intrinsic::memset: {
                uint64_t n = concrete(2);
                Val p = arg(0), byte = arg(1);
                for (uint64_t i = 0; i < n; ++i) {
                    Val q = p;
                    q.e = (p.e + m_ctx.bv_val(i, 64)).simplify();
                    store_bytes(s, q, byte, llvm::Type::getInt8Ty(m_module.getContext()), ci);
                }
                return;
            }
            case llvm::Intrinsic::memcpy:
            case llvm::Intrinsic::memmove: {
                uint64_t n = concrete(2);
                Val dst = arg(0), src = arg(1);
                // Byte-wise, provenance included. Copy through a buffer, which is memmove's meaning and
                // also memcpy's when the ranges do not overlap.
                std::vector<std::pair<z3::expr, z3::expr>> bytes;
                for (uint64_t i = 0; i < n; ++i) {
                    z3::expr off(m_ctx);
                    Val q = src;
                    q.e = (src.e + m_ctx.bv_val(i, 64)).simplify();
                    Object& o = object_at(s, q, 1, ci, off);
                    bytes.push_back({ z3::select(o.data, off).simplify(), z3::select(o.prov, off).simplify() });
                }
                for (uint64_t i = 0; i < n; ++i) {
                    z3::expr off(m_ctx);
                    Val q = dst;
                    q.e = (dst.e + m_ctx.bv_val(i, 64)).simplify();
                    Object& o = object_at(s, q, 1, ci, off);
                    o.data = z3::store(o.data, off, bytes[i].first);
                    o.prov = z3::store(o.prov, off, bytes[i].second);
                }
                return;
            }
            case llvm::Intrinsic::bswap: {
                z3::expr a = arg(0).e;
                unsigned n = a.get_sort().bv_size();
                z3::expr r = a.extract(7, 0);
                for (unsigned i = 8; i < n; i += 8)
                    r = z3::concat(r, a.extract(i + 7, i));
                return set(bv(r.simplify()));
            }
            case llvm::Intrinsic::umin: return set(bv(z3::ite(z3::ule(arg(0).e, arg(1).e), arg(0).e, arg(1).e).simplify()));
            case llvm::Intrinsic::umax: return set(bv(z3::ite(z3::uge(arg(0).e, arg(1).e), arg(0).e, arg(1).e).simplify()));
            case llvm::Intrinsic::smin: return set(bv(z3::ite(z3::sle(arg(0).e, arg(1).e), arg(0).e, arg(1).e).simplify()));
            case llvm::Intrinsic::smax: return set(bv(z3::ite(z3::sge(arg(0).e, arg(1).e), arg(0).e, arg(1).e).simplify()));
            case llvm::Intrinsic::uadd_with_overflow:
            case llvm::Intrinsic::usub_with_overflow:
            case llvm::Intrinsic::umul_with_overflow:
            case llvm::Intrinsic::sadd_with_overflow:
            case llvm::Intrinsic::ssub_with_overflow: {
                z3::expr a = arg(0).e, b = arg(1).e, r(m_ctx), ok(m_ctx);
                if (id == llvm::Intrinsic::uadd_with_overflow) { r = a + b; ok = z3::bvadd_no_overflow(a, b, false); }
                else if (id == llvm::Intrinsic::usub_with_overflow) { r = a - b; ok = z3::bvsub_no_underflow(a, b, false); }
                else if (id == llvm::Intrinsic::umul_with_overflow) { r = a * b; ok = z3::bvmul_no_overflow(a, b, false); }
                else if (id == llvm::Intrinsic::sadd_with_overflow) { r = a + b; ok = z3::bvadd_no_overflow(a, b, true) && z3::bvadd_no_underflow(a, b); }
                else { r = a - b; ok = z3::bvsub_no_overflow(a, b) && z3::bvsub_no_underflow(a, b, true); }
                return set(Val { m_ctx.bv_val(0, 1), 0, { bv(r.simplify()), boolean(!ok) }, true });
            }
            default:
                refuse("intrinsic " + name, ci);
            }
        }

        if (name == "bw_nondet_u8" || name == "bw_nondet_u16" || name == "bw_nondet_u32" || name == "bw_nondet_u64") {
            unsigned bits = width(ci.getType(), ci);
            Input in { name.substr(10) + "#" + std::to_string(s.inputs.size()), {} };
            z3::expr r(m_ctx);
            for (unsigned i = 0; i < bits / 8; ++i) {
                z3::expr b = fresh(8, "in");
                in.bytes.push_back(b); // most significant first, like the hex a person reads
                r = i == 0 ? b : z3::concat(r, b);
            }
            s.inputs.push_back(in);
            return set(bv(r));
        }
        if (name == "bw_nondet_bytes") {
            Val p = arg(0);
            uint64_t n = concrete(1);
            Input in { "bytes#" + std::to_string(s.inputs.size()), {} };
            for (uint64_t i = 0; i < n; ++i) {
                z3::expr b = fresh(8, "in");
                in.bytes.push_back(b);
                Val q = p;
                q.e = (p.e + m_ctx.bv_val(i, 64)).simplify();
                store_bytes(s, q, bv(b), llvm::Type::getInt8Ty(m_module.getContext()), ci);
            }
            s.inputs.push_back(in);
            return;
        }
        if (name == "bw_assume") {
            z3::expr c = truth(arg(0));
            s.pc.push_back(c);
            if (!feasible(s, m_ctx.bool_val(true)))
                throw PathEnd {};
            return;
        }
        if (name == "bw_assert") {
            std::string property_name = read_cstring(s, arg(1), ci);
            check(s, truth(arg(0)), property_name, where);
            return;
        }
        if (name.rfind("spec_", 0) == 0) {
            std::vector<z3::expr> args;
            for (unsigned i = 0; i < ci.arg_size(); ++i) {
                Val a = arg(i);
                if (a.obj || a.aggregate)
                    refuse("spec define-funs take bit-vectors only", ci);
                args.push_back(a.e);
            }
            unsigned bits = width(ci.getType(), ci);
            z3::expr r(m_ctx);
            try {
                r = bits == 1 ? m_spec.apply(name.substr(5), args, m_ctx.bool_sort())
                              : m_spec.apply(name.substr(5), args, m_ctx.bv_sort(bits));
            } catch (Unsupported& e) {
                throw Unsupported(std::string(e.what()) + " at " + where);
            }
            return set(bits == 1 ? boolean(r) : bv(r.simplify()));
        }
        if (name == "_ZN3lib13verify_failedEPKciS1_") {
            fail_reached(s, "no-panic", "VERIFY can fail: " + where);
            throw PathEnd {};
        }
        if (name == "__stack_chk_fail") {
            fail_reached(s, "memory-safety", "stack protector fires: " + where);
            throw PathEnd {};
        }
        if (callee->isDeclaration())
            refuse("call to a function with no body in the module (" + name + ")", ci);
        std::vector<Val> args;
        for (unsigned i = 0; i < ci.arg_size(); ++i)
            args.push_back(arg(i));
        enter(s, *callee, args, &ci);
    }
};

} // namespace

HarnessResult verify_harness(llvm::Module& module, llvm::Function& harness, Spec& spec, z3::context& ctx,
                             const Options& options)
{
    HarnessResult out;
    out.harness = harness.getName().str();
    Executor(module, spec, ctx, options, out).run(harness);
    return out;
}

} // namespace bulwark::proofs
