// Loads spec/**/*.smt2 and applies their define-funs to symbolic values through
// z3::context::parse_string with custom declarations (DESIGN.md, Verification).
#include "proofs/verifier/verifier.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace bulwark::proofs {

Spec::Spec(z3::context& ctx, const std::string& directory) : m_ctx(ctx)
{
    std::vector<std::filesystem::path> files;
    for (auto& entry : std::filesystem::recursive_directory_iterator(directory))
        if (entry.is_regular_file() && entry.path().extension() == ".smt2")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    std::regex define_fun(R"(\(define-fun\s+([A-Za-z0-9_.\-]+))");
    for (auto& file : files) {
        std::ifstream in(file);
        std::stringstream text;
        text << in.rdbuf();
        // Each file must parse on its own, so a syntax error names its file.
        try {
            z3::expr_vector parsed = m_ctx.parse_string((m_text + text.str()).c_str());
            (void)parsed;
        } catch (z3::exception& e) {
            throw Unsupported("spec " + file.string() + ": " + e.msg());
        }
        std::string s = text.str();
        for (std::sregex_iterator it(s.begin(), s.end(), define_fun), end; it != end; ++it) {
            std::string name = (*it)[1];
            if (m_names.count(name))
                throw Unsupported("spec " + file.string() + ": define-fun " + name + " already defined in "
                                  + m_names[name]);
            m_names[name] = file.string();
        }
        m_text += s + "\n";
    }
}

z3::expr Spec::apply(const std::string& name, const std::vector<z3::expr>& args, const z3::sort& result)
{
    if (!has(name))
        throw Unsupported("unknown spec define-fun '" + name + "' (no (define-fun " + name + " ...) in spec/)");
    // A C++ bool arrives as a 1-bit vector; the spec takes it as a Bool.
    auto is_boolean = [](const z3::expr& a) { return a.is_bv() && a.get_sort().bv_size() == 1; };
    // The define-fun's body over formal constants is parsed once per signature (parsing the whole
    // spec text on every call dominated harnesses that apply many define-funs), then each call
    // substitutes its arguments: the same term the per-call parse gave.
    std::string key = name + ":" + result.to_string();
    for (const z3::expr& a : args)
        key += " " + (is_boolean(a) ? std::string("Bool") : a.get_sort().to_string());
    auto cached = m_bodies.find(key);
    if (cached == m_bodies.end()) {
        z3::sort_vector sorts(m_ctx);
        z3::func_decl_vector decls(m_ctx);
        z3::expr_vector formals(m_ctx);
        std::string call = "(" + name;
        for (size_t i = 0; i < args.size(); ++i) {
            std::string formal = "bw__arg" + std::to_string(i);
            z3::func_decl d = m_ctx.function(formal.c_str(), 0, nullptr, is_boolean(args[i]) ? m_ctx.bool_sort() : args[i].get_sort());
            decls.push_back(d);
            formals.push_back(d());
            call += " " + formal;
        }
        call += ")";
        z3::func_decl out = m_ctx.function("bw__result", 0, nullptr, result);
        decls.push_back(out);
        std::string text = m_text + "(assert (= bw__result " + call + "))";
        z3::expr_vector parsed(m_ctx);
        try {
            parsed = m_ctx.parse_string(text.c_str(), sorts, decls);
        } catch (z3::exception& e) {
            throw Unsupported("applying spec define-fun " + name + ": " + e.msg());
        }
        cached = m_bodies.emplace(key, Body { parsed[parsed.size() - 1].arg(1), formals }).first;
    }
    z3::expr_vector actuals(m_ctx);
    for (const z3::expr& a : args)
        actuals.push_back(is_boolean(a) ? a == m_ctx.bv_val(1, 1) : a);
    z3::expr_vector formals = cached->second.formals;
    return cached->second.body.substitute(formals, actuals);
}

} // namespace bulwark::proofs
