(module
  (global $nan (mut f32) (f32.const nan))
  (func (export "_start") (drop (i32.trunc_f32_s (global.get $nan)))))
