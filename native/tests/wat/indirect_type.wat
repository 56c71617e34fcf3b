;; call_indirect of a (func (result i32)) as a (func).
(module
  (type $v (func))
  (table 1 funcref)
  (elem (i32.const 0) $f)
  (func $f (result i32) (i32.const 1))
  (func (export "_start") (call_indirect (type $v) (i32.const 0))))
