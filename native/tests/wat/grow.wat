;; Grows its memory by 15 pages to 16; traps `unreachable` if memory.grow
;; returned -1, else writes the last byte of the new memory and checks the
;; old one is still there.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store8 (i32.const 100) (i32.const 7))
    (if (i32.eq (memory.grow (i32.const 15)) (i32.const -1)) (then unreachable))
    (if (i32.ne (memory.size) (i32.const 16)) (then unreachable))
    (i32.store8 (i32.const 1048575) (i32.const 9))
    (if (i32.ne (i32.load8_u (i32.const 100)) (i32.const 7)) (then unreachable))))
