; A spec with a syntax error (an unclosed define-fun): the verifier must refuse it, naming this
; file, and run nothing (tools/verifier_selftest.py).
(define-fun selftest_is_even ((x (_ BitVec 32))) Bool (= ((_ extract 0 0) x) #b0)
