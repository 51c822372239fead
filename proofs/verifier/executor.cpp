// Symbolic execution of one harness function over LLVM 14 IR, with states merged where paths join.
// Memory is a set of bounded objects (Z3 byte arrays plus a provenance array); every load and store
// is checked in bounds, every UB-bearing instruction checked, loops unrolled to a bound with an
// unwinding check. Anything not modeled throws Unsupported naming the instruction: never
// approximated.
//
// Scheduling. Every state waits in a queue ordered by its Position, and the executor always runs the
// least advanced one until it enters its next block. A frame's position is the loop nest of its
// block, outermost first, as (reverse-post-order rank of the loop header, back edges taken in that
// loop), then the block's own rank, then the index of its next instruction; a state's position is
// its frames' positions in call order. In reducible control flow every jump makes it strictly
// larger: a forward edge raises a rank, a back edge raises an iteration count, and leaving a loop
// reaches a block ranked after the loop's header. So when a state is taken from the queue, no
// other state can still reach its position, and every state that will ever be there has already
// arrived and been merged into it: paths join once per block and loop iteration, like the
// unrolled program CBMC executes, and the loop exits of different iterations join too.
//
// Merging two states at one position (same frames, objects, inputs) keeps the common prefix of their
// path conditions and adds the disjunction of the rest; a register or object that differs becomes
// ite(first's conditions, first's, second's). The two are distinct paths from one fork, so their
// conditions exclude each other and the result stands for exactly the two paths. States that cannot
// be merged (a pointer into different objects, different allocations or inputs) wait side by side.
#include "proofs/verifier/executor.h"

#include <llvm/ADT/PostOrderIterator.h>

#include <chrono>

namespace bulwark::proofs {
namespace {

bool compatible(const Val& a, const Val& b)
{
    if (a.aggregate != b.aggregate || a.obj != b.obj || a.elems.size() != b.elems.size())
        return false;
    for (size_t i = 0; i < a.elems.size(); ++i)
        if (!compatible(a.elems[i], b.elems[i]))
            return false;
    return a.aggregate || a.e.get_sort().bv_size() == b.e.get_sort().bv_size();
}

Val choose(const z3::expr& first, const Val& a, const Val& b)
{
    Val out = a;
    for (size_t i = 0; i < a.elems.size(); ++i)
        out.elems[i] = choose(first, a.elems[i], b.elems[i]);
    if (!a.aggregate && !z3::eq(a.e, b.e))
        out.e = z3::ite(first, a.e, b.e);
    if (a.poison || b.poison) {
        z3::expr no = first.ctx().bool_val(false);
        out.poison = z3::ite(first, a.poison.value_or(no), b.poison.value_or(no)).simplify();
    }
    return out;
}

// Why two states at one position cannot be merged; nullptr when they can.
const char* difference(const State& a, const State& b)
{
    if (a.frames.size() != b.frames.size() || a.objects.size() != b.objects.size() || a.globals != b.globals)
        return "different frames or objects";
    if (a.inputs.size() != b.inputs.size())
        return "different inputs";
    if (a.split != b.split)
        return "different cases of a bw_split()";
    for (size_t i = 0; i < a.frames.size(); ++i) {
        const Frame &x = a.frames[i], &y = b.frames[i];
        if (x.function != y.function || x.block != y.block || x.next != y.next || x.caller != y.caller
            || x.allocas != y.allocas || x.iterations != y.iterations)
            return "different frames";
        for (auto& [reg, v] : x.regs)
            if (auto other = y.regs.find(reg); other != y.regs.end() && !compatible(v, other->second))
                return "a register points into different objects";
    }
    for (size_t i = 0; i < a.objects.size(); ++i) {
        const Object &x = a.objects[i], &y = b.objects[i];
        if (x.size != y.size || x.alive != y.alive || x.name != y.name)
            return "different objects";
    }
    for (size_t i = 0; i < a.inputs.size(); ++i) {
        if (a.inputs[i].label != b.inputs[i].label || a.inputs[i].bytes.size() != b.inputs[i].bytes.size())
            return "different inputs";
        for (size_t k = 0; k < a.inputs[i].bytes.size(); ++k)
            if (!z3::eq(a.inputs[i].bytes[k], b.inputs[i].bytes[k]))
                return "different inputs";
    }
    return nullptr;
}

} // namespace

void Executor::run(llvm::Function& harness)
{
    State s0 {};
    s0.objects.push_back(make_object("null", 0));
    enter(s0, harness, {}, nullptr);
    for (const char* name : { "assumptions-satisfiable", "memory-safety", "no-ub", "no-panic", "unwinding" })
        property(name); // always reported; PROVED when never violated
    m_out.paths = 1;
    schedule(std::move(s0));
    while (!m_queue.empty()) {
        auto first = m_queue.begin();
        Position first_position = first->first;
        State s = std::move(first->second.back());
        first->second.pop_back();
        if (first->second.empty())
            m_queue.erase(first);
        if (m_options.trace) {
            const Frame& f = s.frames.back();
            std::string at;
            for (uint64_t n : first_position)
                at += std::to_string(n) + ".";
            fprintf(stderr, "trace: %s at %s %zu waiting, %u paths, %u merges, pc %zu\n",
                    f.function->getName().str().c_str(), at.c_str(), m_queue.size(), m_out.paths, m_out.merges,
                    s.pc.size());
        }
        run_to_next_block(s);
    }
    PropertyResult& sat = m_out.properties["assumptions-satisfiable"];
    if (m_out.paths_completed == 0) {
        sat.status = Status::Failed;
        sat.where = "no path reaches the end of the harness: its assumptions are unsatisfiable, or every path stopped at a failure";
    }
}

// ---- scheduling ----

const Executor::Shape& Executor::shape(llvm::Function& f)
{
    auto [it, inserted] = m_shapes.try_emplace(&f);
    Shape& sh = it->second;
    if (inserted) {
        sh.dominators = std::make_unique<llvm::DominatorTree>(f);
        sh.loops = std::make_unique<llvm::LoopInfo>(*sh.dominators);
        uint64_t rank = 0;
        for (llvm::BasicBlock* block : llvm::ReversePostOrderTraversal<llvm::Function*>(&f))
            sh.rank[block] = rank++;
    }
    return sh;
}

Position Executor::position(const State& s)
{
    // Cases of a bw_split() never merge, so they run one after the other: the cases taken come
    // first (1 + case, then 0), which keeps positions increasing along every path.
    Position p;
    for (uint64_t c : s.split)
        p.push_back(1 + c);
    p.push_back(0);
    for (const Frame& f : s.frames) {
        const Shape& sh = shape(*f.function);
        std::vector<const llvm::Loop*> nest;
        for (const llvm::Loop* loop = sh.loops->getLoopFor(f.block); loop; loop = loop->getParentLoop())
            nest.push_back(loop);
        for (auto loop = nest.rbegin(); loop != nest.rend(); ++loop) {
            p.push_back(sh.rank.at((*loop)->getHeader()));
            auto taken = f.iterations.find(*loop);
            p.push_back(taken == f.iterations.end() ? 0 : taken->second);
        }
        p.push_back(sh.rank.at(f.block));
        uint64_t index = 0;
        for (auto i = f.block->begin(); i != f.next; ++i)
            index++;
        p.push_back(index);
    }
    return p;
}

void Executor::schedule(State s)
{
    std::vector<State>& waiting = m_queue[position(s)];
    for (State& other : waiting) {
        if (s.merge && other.merge && merge(other, s)) {
            m_out.merges++;
            return;
        }
    }
    if (m_options.trace && !waiting.empty())
        fprintf(stderr, "trace: %zu states at one position could not be merged\n", waiting.size() + 1);
    waiting.push_back(std::move(s));
}

// Merges `from` into `into` when both have the same shape; false (both unchanged) otherwise.
bool Executor::merge(State& into, State& from)
{
    if (const char* why = difference(into, from)) {
        if (m_options.trace)
            fprintf(stderr, "trace: not merged: %s\n", why);
        return false;
    }
    size_t common = 0;
    while (common < into.pc.size() && common < from.pc.size() && z3::eq(into.pc[common], from.pc[common]))
        common++;
    if (common == into.pc.size() || common == from.pc.size()) {
        if (m_options.trace)
            fprintf(stderr, "trace: not merged: one path condition extends the other\n");
        return false; // not two paths of one fork: leave them apart
    }
    z3::expr_vector mine(m_ctx), theirs(m_ctx);
    for (size_t i = common; i < into.pc.size(); ++i)
        mine.push_back(into.pc[i]);
    for (size_t i = common; i < from.pc.size(); ++i)
        theirs.push_back(from.pc[i]);
    z3::expr first = z3::mk_and(mine).simplify();
    into.pc.resize(common, m_ctx.bool_val(true));
    into.pc.push_back((first || z3::mk_and(theirs)).simplify());

    for (size_t i = 0; i < into.frames.size(); ++i) {
        Frame &x = into.frames[i], &y = from.frames[i];
        std::map<const llvm::Value*, Val> regs;
        for (auto& [reg, v] : x.regs)
            if (auto other = y.regs.find(reg); other != y.regs.end())
                regs.insert_or_assign(reg, choose(first, v, other->second));
        // A register set on only one path is not used past the join (SSA dominance).
        x.regs = std::move(regs);
        for (auto& [block, count] : y.visits)
            x.visits[block] = std::max(x.visits[block], count);
    }
    for (size_t i = 0; i < into.objects.size(); ++i) {
        Object &x = into.objects[i], &y = from.objects[i];
        if (!z3::eq(x.data, y.data))
            x.data = z3::ite(first, x.data, y.data);
        x.touched.insert(y.touched.begin(), y.touched.end());
        x.touched_anywhere = x.touched_anywhere || y.touched_anywhere;
        x.zero_base = x.zero_base && y.zero_base;
        if (!z3::eq(x.prov, y.prov))
            x.prov = z3::ite(first, x.prov, y.prov); // memory.cpp, provenance(), resolves it per load
    }
    return true;
}

// ---- solver ----

// A query is answered sat without the solver when a recent model (m_models) satisfies it: a model
// is a witness, so that answer is exact. Otherwise a fresh solver per query, or, in a module that
// asks for it (BW_INCREMENTAL_SOLVER), one incremental solver first (it made checksum::accumulate
// several times slower, so it is not the default).
z3::check_result Executor::solve(const State& s, const z3::expr* extra, z3::model* model)
{
    for (CachedModel& cached : m_models) {
        size_t same = 0;
        while (same < cached.pc.size() && same < s.pc.size() && z3::eq(cached.pc[same], s.pc[same]))
            same++;
        bool all = true;
        for (size_t i = same; all && i < s.pc.size(); ++i)
            all = cached.model.eval(s.pc[i], true).is_true();
        if (all && extra)
            all = cached.model.eval(*extra, true).is_true();
        if (all) {
            if (model)
                *model = cached.model;
            return z3::sat;
        }
    }
    if (m_options.incremental) {
        // One solver for the whole harness, each query in its own scope: the same question, without
        // building a solver per query (which costs more than the small queries themselves). Its
        // incremental core is slow on some queries (symbolic indices into long arrays): past
        // 0.3 seconds, the query is asked again of a fresh solver below.
        if (!m_solver) {
            m_solver = std::make_unique<z3::solver>(m_ctx);
            z3::params p(m_ctx);
            p.set("timeout", std::min(m_options.timeout_ms, 300u));
            m_solver->set(p);
        }
        m_solver->push();
        for (auto& c : s.pc)
            m_solver->add(c);
        if (extra)
            m_solver->add(*extra);
        z3::check_result r = m_solver->check();
        if (r == z3::sat)
            remember(s, extra, m_solver->get_model(), model);
        m_solver->pop();
        if (r != z3::unknown)
            return r;
    }
    z3::solver solver(m_ctx);
    z3::params p(m_ctx);
    p.set("timeout", m_options.timeout_ms);
    solver.set(p);
    for (auto& c : s.pc)
        solver.add(c);
    if (extra)
        solver.add(*extra);
    z3::check_result r = solver.check();
    if (r == z3::sat)
        remember(s, extra, solver.get_model(), model);
    return r;
}

// Keeps a satisfying model of a query for solve() to try first, and hands it to the caller.
void Executor::remember(const State& s, const z3::expr* extra, const z3::model& found, z3::model* model)
{
    CachedModel cached { s.pc, found };
    if (extra)
        cached.pc.push_back(*extra);
    if (model)
        *model = cached.model;
    m_models.insert(m_models.begin(), std::move(cached));
    if (m_models.size() > 4)
        m_models.pop_back();
}

bool Executor::feasible(const State& s, const z3::expr& cond)
{
    z3::expr c = cond.simplify();
    if (c.is_true())
        return true;
    if (c.is_false())
        return false;
    return solve(s, &c, nullptr) != z3::unsat; // unknown: explore it (over-approximation)
}

std::string Executor::counterexample(const State& s, z3::model& model)
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

// Checks that `cond` holds on every input reaching here. When that is not shown (FAILED or UNKNOWN,
// now or earlier), the path goes on assuming it, so that later properties are still checked; a
// proved `cond` follows from the path condition already and is not added to it.
void Executor::check(State& s, const z3::expr& cond, const std::string& name, const std::string& where)
{
    auto start = std::chrono::steady_clock::now();
    PropertyResult& r = property(name);
    r.checks++;
    z3::expr negated = (!cond).simplify();
    bool shown = negated.is_false();
    if (!shown && r.status != Status::Failed) {
        z3::model model(m_ctx);
        z3::check_result res = solve(s, &negated, &model);
        shown = res == z3::unsat;
        if (res == z3::sat) {
            r.status = Status::Failed;
            r.counterexample = counterexample(s, model);
            r.where = where;
            if (m_options.stop_at_failure) {
                r.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                throw StopAtFailure {};
            }
        } else if (res == z3::unknown && r.status == Status::Proved) {
            r.status = Status::Unknown;
            r.where = where;
        }
    }
    r.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!shown)
        s.pc.push_back(cond);
}

// A point that must be unreachable: reaching it on a feasible path is a failure. Ends the path.
void Executor::fail_reached(State& s, const std::string& name, const std::string& where)
{
    check(s, m_ctx.bool_val(false), name, where);
}

HarnessResult verify_harness(llvm::Module& module, llvm::Function& harness, Spec& spec, z3::context& ctx,
                             const Options& options)
{
    HarnessResult out;
    out.harness = harness.getName().str();
    try {
        Executor(module, spec, ctx, options, out).run(harness);
    } catch (StopAtFailure&) {
        out.stopped = true; // a counterexample is all a mutant run needs; the other paths are not run
    }
    return out;
}

} // namespace bulwark::proofs
