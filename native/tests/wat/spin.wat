;; An endless loop with no calls at all: only its loop head's checkpoint can
;; stop it.
(module
  (func (export "_start") (loop $l (br $l))))
