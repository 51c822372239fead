// The Bulwark verifier: bounded symbolic execution of LLVM 14 IR against SMT-LIB2 specs (Z3).
// DESIGN.md, "Verification: spec/ and proofs/"; proofs/README.md says how to read the output.
#pragma once

#include <llvm/IR/Module.h>
#include <z3++.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace bulwark::proofs {

// Thrown for IR the executor does not model: the run stops, and the harness counts as failed.
struct Unsupported : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The spec/ define-funs, applied to the executor's own symbolic values.
class Spec {
public:
    Spec(z3::context& ctx, const std::string& directory);
    // Applies define-fun `name` to `args`. Throws Unsupported for an unknown name or a sort mismatch.
    z3::expr apply(const std::string& name, const std::vector<z3::expr>& args, const z3::sort& result);
    bool has(const std::string& name) const { return m_names.count(name) != 0; }

private:
    z3::context& m_ctx;
    std::string m_text;
    std::map<std::string, std::string> m_names; // define-fun -> file
    struct Body {
        z3::expr body;          // the define-fun applied to `formals`
        z3::expr_vector formals; // bw__arg0, bw__arg1, ...
    };
    std::map<std::string, Body> m_bodies; // by name and signature
};

enum class Status { Proved, Failed, Unknown };

struct PropertyResult {
    Status status { Status::Proved };
    std::string counterexample; // input bytes, hex, for Failed
    std::string where;          // the instruction or assertion that failed
    double seconds { 0 };
    unsigned checks { 0 };
};

struct HarnessResult {
    std::string harness;
    std::map<std::string, PropertyResult> properties;
    unsigned paths_completed { 0 }; // states that returned from the harness (a merged state counts once)
    unsigned paths { 0 };           // 1 + forks
    unsigned merges { 0 };          // states merged into another at a join
    bool stopped { false };         // ended at a FAILED property (stop_at_failure): rows so far only
};

struct Options {
    unsigned unwind { 80 };         // visits of one block in one frame before the unwinding check
    unsigned timeout_ms { 60000 };  // per solver query
    bool trace { false };           // one line per scheduled block on stderr (--trace)
    bool incremental { false };     // one solver with a scope per query (BW_INCREMENTAL_SOLVER)
    bool stop_at_failure { false }; // end the harness at its first FAILED property (--stop-at-failure)
};

HarnessResult verify_harness(llvm::Module& module, llvm::Function& harness, Spec& spec, z3::context& ctx,
                             const Options& options);

} // namespace bulwark::proofs
