// The symbolic executor's internals (proofs/README.md, "The executor"), shared by its four files:
//   executor.cpp      the scheduler: states in program order, merged where they meet; the solver
//   control.cpp       frames, jumps, branches and loop iteration counts
//   memory.cpp        values, constants, globals, objects, loads and stores
//   instructions.cpp  one instruction: arithmetic, comparisons, calls, intrinsics, the harness API
#pragma once

#include "proofs/verifier/verifier.h"

#include <llvm/Analysis/LoopInfo.h>
#include <llvm/IR/DataLayout.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/GetElementPtrTypeIterator.h>
#include <llvm/IR/Instructions.h>

#include <map>
#include <set>
#include <memory>
#include <optional>
#include <vector>

namespace bulwark::proofs {

// Describes an instruction or value with its source line, for refusals and failed checks.
std::string describe(const llvm::Value& v);
[[noreturn]] void refuse(const std::string& why, const llvm::Value& v);

// A register value: a bit-vector, with `obj` != 0 when it is a pointer into object `obj` (then `e`
// is the byte offset), or an aggregate.
struct Val {
    z3::expr e;
    unsigned obj { 0 };
    std::vector<Val> elems;
    bool aggregate { false };
    // When this value is poison (LLVM LangRef): set by shifts (a shift by the width or more, or a
    // violated nuw/nsw/exact flag), carried by the instructions that propagate poison
    // (instructions.cpp, step()), and checked as no-ub where any other instruction uses it.
    std::optional<z3::expr> poison;
};

struct Object {
    std::string name;
    uint64_t size;
    z3::expr data; // (Array (_ BitVec 64) (_ BitVec 8))
    z3::expr prov; // (Array (_ BitVec 64) (_ BitVec 16)): object id of a stored pointer byte, 0 if none
    bool alive { true };
    uint64_t align { 1 }; // the alignment its address is known to have (IR `align`), a power of two
    // Skipping stores that change nothing (memory.cpp, store_bytes): `data` and `prov` began all
    // zero (`zero_base`), and every byte that may have changed since is in `touched`, unless a
    // store went to a symbolic offset (`touched_anywhere`). A zero stored elsewhere is a no-op.
    bool zero_base { true };
    bool touched_anywhere { false };
    std::set<uint64_t> touched {};
    void touch(const z3::expr& offset)
    {
        if (offset.is_numeral())
            touched.insert(offset.get_numeral_uint64());
        else
            touched_anywhere = true;
    }
};

struct Frame {
    llvm::Function* function;
    llvm::BasicBlock* block;
    llvm::BasicBlock::iterator next;
    std::map<const llvm::Value*, Val> regs;
    std::map<const llvm::BasicBlock*, unsigned> visits;          // for the unwinding check
    std::map<const llvm::Loop*, unsigned> iterations;            // back edges taken, per loop entered
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
    bool merge { false }; // bw_merge_paths() was called: join with other paths where they meet
    std::vector<uint64_t> split; // the case taken at each bw_split(); states of different cases never merge
};

// Thrown when a path ends (returned from the harness, infeasible, or stopped by a failure).
struct PathEnd { };

// A state's place in program order (executor.cpp, "Scheduling"): lexicographic, strictly increasing
// along every path through reducible control flow.
using Position = std::vector<uint64_t>;

// Thrown by check() at the first FAILED property when Options::stop_at_failure is set.
struct StopAtFailure {};

class Executor {
public:
    Executor(llvm::Module& m, Spec& spec, z3::context& ctx, const Options& options, HarnessResult& out)
        : m_module(m), m_layout(&m), m_spec(spec), m_ctx(ctx), m_options(options), m_out(out)
    {
    }
    void run(llvm::Function& harness);

private:
    // Per-function analysis for scheduling: reverse post-order ranks and the loop nest.
    struct Shape {
        std::unique_ptr<llvm::DominatorTree> dominators;
        std::unique_ptr<llvm::LoopInfo> loops;
        std::map<const llvm::BasicBlock*, uint64_t> rank;
    };

    llvm::Module& m_module;
    llvm::DataLayout m_layout;
    Spec& m_spec;
    z3::context& m_ctx;
    const Options& m_options;
    HarnessResult& m_out;
    std::map<Position, std::vector<State>> m_queue;
    std::map<const llvm::Function*, Shape> m_shapes;
    unsigned m_fresh { 0 };
    struct CachedModel {
        std::vector<z3::expr> pc; // what it satisfies: a path condition and the query's extra
        z3::model model;
    };
    std::vector<CachedModel> m_models;
    bool m_jumped { false };
    std::unique_ptr<z3::solver> m_solver; // Options::incremental: one solver, a scope per query

    // executor.cpp
    const Shape& shape(llvm::Function& f);
    Position position(const State& s);
    void schedule(State s);
    bool merge(State& into, State& from);
    z3::check_result solve(const State& s, const z3::expr* extra, z3::model* model);
    void remember(const State& s, const z3::expr* extra, const z3::model& found, z3::model* model);
    bool feasible(const State& s, const z3::expr& cond);
    std::string counterexample(const State& s, z3::model& model);
    void check(State& s, const z3::expr& cond, const std::string& name, const std::string& where);
    void fail_reached(State& s, const std::string& name, const std::string& where);
    PropertyResult& property(const std::string& name) { return m_out.properties[name]; }

    // control.cpp
    void enter(State& s, llvm::Function& f, std::vector<Val> args, llvm::CallInst* caller);
    void run_to_next_block(State& s);
    void jump(State& s, llvm::BasicBlock* to, const llvm::Instruction& at);
    void branch(State& s, const z3::expr& cond, llvm::BasicBlock* yes, llvm::BasicBlock* no, const llvm::Instruction& at);
    void fork(State& s, std::vector<std::pair<z3::expr, llvm::BasicBlock*>> arms, const llvm::Instruction& at);
    void ret(State& s, llvm::ReturnInst& r);

    // memory.cpp
    Object make_object(const std::string& name, uint64_t size);
    Val bv(const z3::expr& e) { return Val { e, 0, {}, false, std::nullopt }; }
    z3::expr fresh(unsigned bits, const std::string& hint);
    unsigned width(llvm::Type* t, const llvm::Value& at);
    Val value(State& s, const llvm::Value* v);
    Val constant(State& s, const llvm::Value* v);
    unsigned global(State& s, const llvm::GlobalVariable* g);
    Val gep(State& s, const llvm::User& at, Val base, llvm::gep_type_iterator begin, llvm::gep_type_iterator end);
    Object& object_at(State& s, const Val& p, uint64_t size, const llvm::Instruction& at, z3::expr& offset);
    std::vector<uint64_t> offsets(const Object& o, const z3::expr& offset, uint64_t size);
    void touch(Object& o, const z3::expr& offset, uint64_t size);
    std::vector<z3::expr> read(const Object& o, const z3::expr& array, const z3::expr& offset, uint64_t size);
    z3::expr write(const Object& o, z3::expr array, const z3::expr& offset, const std::vector<z3::expr>& bytes);
    Val load_bytes(State& s, const Val& p, llvm::Type* t, const llvm::Instruction& at);
    unsigned provenance(State& s, const Object& o, const z3::expr& offset, uint64_t size, const llvm::Instruction& at);
    void store_bytes(State& s, const Val& p, const Val& v, llvm::Type* t, const llvm::Instruction& at);
    std::string read_cstring(State& s, const Val& p, const llvm::Instruction& at);

    // instructions.cpp
    // One call instruction's operands and result, for the intrinsics and the harness API.
    struct Call {
        Call(Executor& executor, State& state, llvm::CallInst& inst);
        Val arg(unsigned i) const;
        void set(Val v) const;
        uint64_t concrete(unsigned i) const; // refuses an operand that is not a constant
        Executor& ex;
        State& s;
        llvm::CallInst& ci;
        std::string name;  // the callee
        std::string where; // describe(ci)
    };
    void step(State& s);
    Val binary(State& s, llvm::BinaryOperator& bo);
    void check_defined(State& s, const Val& v, const std::string& where);
    void call(State& s, llvm::CallInst& ci);
    void intrinsic(State& s, llvm::CallInst& ci);
    bool harness_api(State& s, llvm::CallInst& ci);
    z3::expr truth(const Val& v) { return v.e == m_ctx.bv_val(1, 1); }
    Val boolean(const z3::expr& b);
};

} // namespace bulwark::proofs
