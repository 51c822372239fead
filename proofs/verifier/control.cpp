// Control flow: call frames, jumps (phis, the unwinding bound, loop iteration counts), forks on
// branches and switches, returns.
#include "proofs/verifier/executor.h"

#include <optional>

namespace bulwark::proofs {

void Executor::enter(State& s, llvm::Function& f, std::vector<Val> args, llvm::CallInst* caller)
{
    if (s.frames.size() > 64)
        refuse("call depth over 64 (recursion)", *caller);
    Frame fr { &f, &f.getEntryBlock(), f.getEntryBlock().begin(), {}, {}, {}, {}, caller };
    for (unsigned i = 0; i < f.arg_size(); ++i) {
        llvm::Argument* a = f.getArg(i);
        if (a->hasByValAttr()) {
            // byval: the callee gets a pointer to its own copy of the pointee, which lives until
            // it returns (a local of the callee, copied byte by byte with provenance).
            uint64_t size = m_layout.getTypeAllocSize(a->getParamByValType());
            Object copy = make_object("byval " + (a->hasName() ? a->getName().str() : std::to_string(i)) + " of "
                                          + f.getName().str(),
                                      size);
            copy.align = a->getParamAlign().valueOrOne().value();
            copy.zero_base = false;
            for (uint64_t k = 0; k < size; ++k) {
                z3::expr off(m_ctx);
                Val q = args.at(i);
                q.e = (q.e + m_ctx.bv_val(k, 64)).simplify();
                Object& from = object_at(s, q, 1, *caller, off);
                copy.data = z3::store(copy.data, m_ctx.bv_val(k, 64), z3::select(from.data, off).simplify());
                copy.prov = z3::store(copy.prov, m_ctx.bv_val(k, 64), z3::select(from.prov, off).simplify());
            }
            s.objects.push_back(copy);
            fr.allocas.push_back(unsigned(s.objects.size() - 1));
            fr.regs.insert_or_assign(a, Val { m_ctx.bv_val(0, 64), unsigned(s.objects.size() - 1), {}, false, std::nullopt });
            continue;
        }
        fr.regs.insert_or_assign(a, args.at(i));
    }
    fr.visits[fr.block] = 1;
    s.frames.push_back(std::move(fr));
}

// Runs `s` until it enters a new block (then it goes back to the scheduler, which may merge it) or
// its path ends.
void Executor::run_to_next_block(State& s)
{
    try {
        m_jumped = false;
        while (!m_jumped)
            step(s);
    } catch (PathEnd&) {
        return;
    }
    schedule(std::move(s));
}

// Moves the top frame to `to`, evaluating its phis against the block we came from, and counts the
// back edge when `to` is the header of a loop we are already in.
void Executor::jump(State& s, llvm::BasicBlock* to, const llvm::Instruction& at)
{
    Frame& f = s.frames.back();
    unsigned& visits = f.visits[to];
    if (++visits > m_options.unwind) {
        fail_reached(s, "unwinding", "loop not fully unwound after " + std::to_string(m_options.unwind)
                                             + " iterations (raise BW_UNWIND or --unwind): " + describe(at));
        throw PathEnd {};
    }
    std::vector<std::pair<const llvm::PHINode*, Val>> phis;
    for (auto& phi : to->phis())
        phis.push_back({ &phi, value(s, phi.getIncomingValueForBlock(f.block)) });
    for (auto& [phi, v] : phis)
        f.regs.insert_or_assign(phi, v);

    const llvm::LoopInfo& loops = *shape(*f.function).loops;
    std::erase_if(f.iterations, [&](const auto& entry) { return !entry.first->contains(to); });
    for (const llvm::Loop* loop = loops.getLoopFor(to); loop; loop = loop->getParentLoop()) {
        if (loop->getHeader() != to)
            continue;
        if (loop->contains(f.block))
            f.iterations[loop]++;
        else
            f.iterations[loop] = 0;
    }
    f.block = to;
    f.next = to->getFirstNonPHI()->getIterator();
    m_jumped = true;
}

void Executor::branch(State& s, const z3::expr& cond, llvm::BasicBlock* yes, llvm::BasicBlock* no,
                      const llvm::Instruction& at)
{
    fork(s, { { cond, yes }, { !cond, no } }, at);
}

// Continues `s` into each feasible arm (conditions pairwise exclusive), copies for all but the
// first; the copies go to the scheduler.
void Executor::fork(State& s, std::vector<std::pair<z3::expr, llvm::BasicBlock*>> arms, const llvm::Instruction& at)
{
    std::vector<std::pair<z3::expr, llvm::BasicBlock*>> live;
    for (auto& [cond, to] : arms) {
        z3::expr c = cond.simplify();
        if (feasible(s, c))
            live.push_back({ c, to });
    }
    if (live.empty())
        throw PathEnd {};
    for (size_t i = 1; i < live.size(); ++i) {
        State other = s;
        other.pc.push_back(live[i].first);
        m_out.paths++;
        try {
            jump(other, live[i].second, at);
            schedule(std::move(other));
        } catch (PathEnd&) {
        }
    }
    if (!live[0].first.is_true())
        s.pc.push_back(live[0].first);
    jump(s, live[0].second, at);
}

void Executor::ret(State& s, llvm::ReturnInst& r)
{
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
}

} // namespace bulwark::proofs
