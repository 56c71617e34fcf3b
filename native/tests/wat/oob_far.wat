;; The farthest address a wasm32 load can form: 0xffffffff + offset 0xffffffff.
(module
  (memory (export "memory") 1)
  (func (export "_start") (drop (i64.load offset=0xffffffff (i32.const -1)))))
