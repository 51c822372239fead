// bulwark-verify MODULE.bc --spec DIR [--harness NAME] [--unwind N] [--timeout-ms N] [--trace] [--stop-at-failure]
// Runs every `harness_*` function of MODULE.bc (or one) and prints one tab-separated row per
// property: ROW harness property PROVED|FAILED|UNKNOWN seconds detail. Exit status: 0 all proved,
// 1 some property failed or unknown, 2 an error (bad spec, unsupported IR, unreadable module).
// --stop-at-failure (for mutants) ends the run at the first FAILED property and prints only that
// row: the harness's other properties were not checked on every path.
#include "proofs/verifier/verifier.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IRReader/IRReader.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdio>
#include <cstring>
#include <iostream>

using namespace bulwark::proofs;

static const char* status_name(Status s)
{
    return s == Status::Proved ? "PROVED" : s == Status::Failed ? "FAILED" : "UNKNOWN";
}

int main(int argc, char** argv)
{
    std::string module_path, spec_dir, only;
    Options options;
    bool unwind_given = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "bulwark-verify: " << a << " needs a value\n";
                exit(2);
            }
            return argv[++i];
        };
        if (a == "--spec") spec_dir = next();
        else if (a == "--harness") only = next();
        else if (a == "--unwind") options.unwind = unsigned(std::stoul(next())), unwind_given = true;
        else if (a == "--timeout-ms") options.timeout_ms = unsigned(std::stoul(next()));
        else if (a == "--trace") options.trace = true;
        else if (a == "--stop-at-failure") options.stop_at_failure = true;
        else if (a == "-h" || a == "--help") {
            std::cout << "usage: bulwark-verify MODULE.bc --spec DIR [--harness NAME] [--unwind N] [--timeout-ms N] [--trace] [--stop-at-failure]\n";
            return 0;
        } else module_path = a;
    }
    if (module_path.empty() || spec_dir.empty()) {
        std::cerr << "usage: bulwark-verify MODULE.bc --spec DIR [--harness NAME] [--unwind N] [--timeout-ms N] [--trace] [--stop-at-failure]\n";
        return 2;
    }
    llvm::LLVMContext llvm_ctx;
    llvm::SMDiagnostic diag;
    std::unique_ptr<llvm::Module> module = llvm::parseIRFile(module_path, diag, llvm_ctx);
    if (!module) {
        std::string s;
        llvm::raw_string_ostream os(s);
        diag.print("bulwark-verify", os);
        std::cerr << os.str();
        return 2;
    }
    // A module may raise the bound for all its harnesses (BW_UNWIND, proofs/harness.h).
    if (auto* g = module->getGlobalVariable("bw_unwind"); g && g->hasInitializer() && !unwind_given) {
        if (auto* c = llvm::dyn_cast<llvm::ConstantInt>(g->getInitializer()))
            options.unwind = unsigned(c->getZExtValue());
    }
    if (module->getGlobalVariable("bw_incremental_solver"))
        options.incremental = true;
    // Never destroyed: tearing down a context that held millions of terms can take minutes, and
    // the process is about to exit anyway.
    z3::context& ctx = *new z3::context;
    int status = 0;
    try {
        Spec spec(ctx, spec_dir);
        unsigned harnesses = 0;
        for (llvm::Function& f : *module) {
            std::string name = f.getName().str();
            if (f.isDeclaration() || name.rfind("harness_", 0) != 0 || (!only.empty() && name != only))
                continue;
            harnesses++;
            HarnessResult r = verify_harness(*module, f, spec, ctx, options);
            for (auto& [property, p] : r.properties) {
                if (r.stopped && p.status != Status::Failed)
                    continue; // not run to the end: neither PROVED nor FAILED
                std::string detail = p.where;
                if (p.status == Status::Failed)
                    detail = "counterexample: " + p.counterexample + " | " + p.where;
                if (p.status != Status::Proved)
                    status = 1;
                printf("ROW\t%s\t%s\t%s\t%.2f\t%s\n", name.substr(8).c_str(), property.c_str(), status_name(p.status),
                       p.seconds, detail.c_str());
            }
            printf("PATHS\t%s\t%u\t%u\t%u\n", name.substr(8).c_str(), r.paths, r.merges, r.paths_completed);
            fflush(stdout);
            if (r.stopped)
                break; // --stop-at-failure: the first FAILED row ends the run
        }
        if (harnesses == 0) {
            std::cerr << "bulwark-verify: " << module_path << ": no harness_* function"
                      << (only.empty() ? "" : " named " + only) << "\n";
            return 2;
        }
    } catch (Unsupported& e) {
        std::cerr << "bulwark-verify: " << module_path << ": " << e.what() << "\n";
        return 2;
    } catch (z3::exception& e) {
        std::cerr << "bulwark-verify: " << module_path << ": z3: " << e.msg() << "\n";
        return 2;
    }
    return status;
}
