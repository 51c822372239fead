; Spec for the verifier's own tests (proofs/selftest/cases.cpp, tools/verifier_selftest.py).
(define-fun selftest_is_even ((x (_ BitVec 32))) Bool (= ((_ extract 0 0) x) #b0))
