;; call_indirect through an index past the end of the table.
(module
  (type $v (func))
  (table 2 funcref)
  (func $nop)
  (elem (i32.const 0) $nop)
  (func (export "_start") (call_indirect (type $v) (i32.const 2))))
