//! Calling one export of a module with typed arguments instead of its
//! `_start` ([`Runtime::invoke_wasi`](super::Runtime::invoke_wasi)): the
//! values, the export's signature, and why a call could not be made.

use super::exec::Exit;

/// The type of a value an export takes or returns. Only the four numeric
/// types can be given on a command line or printed; an export that takes or
/// returns anything else is refused ([`InvokeError::UnsupportedType`]).
///
/// ```
/// use afmpeg::engine::ValueType;
/// assert_eq!(ValueType::F64.to_string(), "f64");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit IEEE 754 float.
    F32,
    /// 64-bit IEEE 754 float.
    F64,
}

impl std::fmt::Display for ValueType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ValueType::I32 => "i32",
            ValueType::I64 => "i64",
            ValueType::F32 => "f32",
            ValueType::F64 => "f64",
        })
    }
}

/// A value passed to or returned by an invoked export.
///
/// Displayed as `wasmtime run --invoke` prints results: integers in signed
/// decimal, floats as Rust prints them (`1.5`, `NaN`, `inf`).
///
/// ```
/// use afmpeg::engine::WasmValue;
/// assert_eq!(WasmValue::I32(-7).to_string(), "-7");
/// assert_eq!(WasmValue::F64(2.5).to_string(), "2.5");
/// assert_eq!(WasmValue::parse(afmpeg::engine::ValueType::I64, "0x10")?, WasmValue::I64(16));
/// # Ok::<(), afmpeg::engine::BadLiteral>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WasmValue {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`.
    F32(f32),
    /// An `f64`.
    F64(f64),
}

/// A literal that is not a value of the type asked for.
///
/// ```
/// use afmpeg::engine::{ValueType, WasmValue};
/// let err = WasmValue::parse(ValueType::I32, "2.5").unwrap_err();
/// assert_eq!(err.to_string(), "`2.5` is not an i32");
/// assert_eq!(err.ty, ValueType::I32);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{literal}` is not an {ty}")]
pub struct BadLiteral {
    /// The text given.
    pub literal: String,
    /// The type it had to be.
    pub ty: ValueType,
}

impl WasmValue {
    /// Parses `literal` as a value of type `ty`, as `wasmtime run --invoke`
    /// does: integers in decimal (a leading `-` allowed) or hexadecimal with
    /// `0x`, floats as Rust reads them (`1.5`, `-2e3`, `inf`, `NaN`).
    ///
    /// ```
    /// use afmpeg::engine::{ValueType, WasmValue};
    /// assert_eq!(WasmValue::parse(ValueType::F32, "-2e3")?, WasmValue::F32(-2000.0));
    /// assert_eq!(WasmValue::parse(ValueType::I32, "0x7fffffff")?, WasmValue::I32(i32::MAX));
    /// assert!(WasmValue::parse(ValueType::I32, "0x80000000").is_err());
    /// # Ok::<(), afmpeg::engine::BadLiteral>(())
    /// ```
    pub fn parse(ty: ValueType, literal: &str) -> Result<WasmValue, BadLiteral> {
        let bad = || BadLiteral {
            literal: literal.to_owned(),
            ty,
        };
        let hex = literal
            .strip_prefix("0x")
            .or_else(|| literal.strip_prefix("0X"));
        let v = match (ty, hex) {
            (ValueType::I32, Some(h)) => i32::from_str_radix(h, 16).map(WasmValue::I32).ok(),
            (ValueType::I32, None) => literal.parse().map(WasmValue::I32).ok(),
            (ValueType::I64, Some(h)) => i64::from_str_radix(h, 16).map(WasmValue::I64).ok(),
            (ValueType::I64, None) => literal.parse().map(WasmValue::I64).ok(),
            (ValueType::F32, _) => literal.parse().map(WasmValue::F32).ok(),
            (ValueType::F64, _) => literal.parse().map(WasmValue::F64).ok(),
        };
        v.ok_or_else(bad)
    }

    /// The value's type.
    ///
    /// ```
    /// use afmpeg::engine::{ValueType, WasmValue};
    /// assert_eq!(WasmValue::I64(1).ty(), ValueType::I64);
    /// ```
    pub fn ty(&self) -> ValueType {
        match self {
            WasmValue::I32(_) => ValueType::I32,
            WasmValue::I64(_) => ValueType::I64,
            WasmValue::F32(_) => ValueType::F32,
            WasmValue::F64(_) => ValueType::F64,
        }
    }
}

impl std::fmt::Display for WasmValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WasmValue::I32(v) => write!(f, "{v}"),
            WasmValue::I64(v) => write!(f, "{v}"),
            WasmValue::F32(v) => write!(f, "{v}"),
            WasmValue::F64(v) => write!(f, "{v}"),
        }
    }
}

/// What an exported function takes and returns.
/// ([`Runtime::export_signature`](super::Runtime::export_signature)).
///
/// ```
/// use afmpeg::engine::{Signature, ValueType};
/// let sig = Signature { params: vec![ValueType::I32, ValueType::I32], results: vec![ValueType::I32] };
/// assert_eq!(
///     sig.parse_args("add", &["1"]).unwrap_err().to_string(),
///     "`add` takes 2 argument(s) (i32, i32), 1 given"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The parameter types, in order.
    pub params: Vec<ValueType>,
    /// The result types, in order.
    pub results: Vec<ValueType>,
}

/// How an invoked export ended.
/// ([`Runtime::invoke_wasi`](super::Runtime::invoke_wasi)).
///
/// ```no_run
/// use afmpeg::engine::{ExecLimits, Invoked, Runtime, WasmValue};
/// use afmpeg::wasi_shim::WasiCtx;
/// let rt = Runtime::from_file("add.wasm")?;
/// let (r, _ctx) = rt.invoke_wasi(WasiCtx::builder().build()?, "add", &[WasmValue::I32(2), WasmValue::I32(3)], &ExecLimits::default());
/// let Invoked { exit, results } = r?;
/// match results {
///     Some(values) => println!("returned {values:?}"),
///     None => println!("exited through proc_exit: {exit:?}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Invoked {
    /// The run's exit: code 0 when the function returned, else what the
    /// guest gave `proc_exit`.
    pub exit: Exit,
    /// The function's results; `None` when the guest exited through
    /// `proc_exit` instead of returning.
    pub results: Option<Vec<WasmValue>>,
}

/// Why an export could not be called ([`Error::Invoke`](crate::Error::Invoke)).
///
/// ```
/// use afmpeg::engine::{InvokeError, Signature, ValueType};
/// let sig = Signature { params: vec![ValueType::I64], results: vec![] };
/// let err = sig.parse_args("f", &["x"]).unwrap_err();
/// assert!(matches!(err, InvokeError::BadArgument { position: 1, .. }));
/// assert_eq!(err.to_string(), "argument 1 of `f`: `x` is not an i64");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvokeError {
    /// The module exports no function of that name.
    #[error("the module exports no function `{name}`")]
    NoSuchFunction {
        /// The name asked for.
        name: String,
    },
    /// The export takes or returns a type that has no literal (a reference
    /// or a vector).
    #[error("`{name}` takes or returns {ty}: only i32, i64, f32 and f64 can be given or printed")]
    UnsupportedType {
        /// The export.
        name: String,
        /// The type, as wasm text writes it.
        ty: String,
    },
    /// The number of arguments is not the number of parameters.
    #[error("`{name}` takes {expected} argument(s) ({signature}), {given} given")]
    Arity {
        /// The export.
        name: String,
        /// Its parameter count.
        expected: usize,
        /// The arguments given.
        given: usize,
        /// Its parameter types, e.g. `i32, f64`.
        signature: String,
    },
    /// An argument is not a value of its parameter's type.
    #[error("argument {position} of `{name}`: {problem}")]
    BadArgument {
        /// The export.
        name: String,
        /// 1-based.
        position: usize,
        /// The literal and the type it had to be.
        problem: BadLiteral,
    },
    /// The argument values do not have the parameters' types.
    #[error("`{name}` takes ({expected}), the values given are ({given})")]
    ArgumentTypes {
        /// The export.
        name: String,
        /// Its parameter types.
        expected: String,
        /// The types of the values given.
        given: String,
    },
    /// The native tier runs only the `_start` of the module it was compiled
    /// from; calling another export needs the interpreter.
    #[error("the native tier runs only `_start` of its compiled-in module; run with the interpreter to call `{name}`")]
    NativeTier {
        /// The export asked for.
        name: String,
    },
}

/// `i32, f64`: types as a signature lists them.
pub(super) fn type_list(types: &[ValueType]) -> String {
    types
        .iter()
        .map(ValueType::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Signature {
    /// Parses one literal per parameter ([`WasmValue::parse`]).
    ///
    /// ```
    /// use afmpeg::engine::{Signature, ValueType, WasmValue};
    /// let sig = Signature { params: vec![ValueType::I32, ValueType::F64], results: vec![] };
    /// assert_eq!(sig.parse_args("add", &["3", "0.5"])?, [WasmValue::I32(3), WasmValue::F64(0.5)]);
    /// # Ok::<(), afmpeg::engine::InvokeError>(())
    /// ```
    pub fn parse_args(
        &self,
        name: &str,
        literals: &[impl AsRef<str>],
    ) -> Result<Vec<WasmValue>, InvokeError> {
        if literals.len() != self.params.len() {
            return Err(InvokeError::Arity {
                name: name.to_owned(),
                expected: self.params.len(),
                given: literals.len(),
                signature: type_list(&self.params),
            });
        }
        self.params
            .iter()
            .zip(literals)
            .enumerate()
            .map(|(i, (ty, lit))| {
                WasmValue::parse(*ty, lit.as_ref()).map_err(|problem| InvokeError::BadArgument {
                    name: name.to_owned(),
                    position: i + 1,
                    problem,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_parse_as_wasmtime_reads_them() {
        use ValueType::*;
        assert_eq!(WasmValue::parse(I32, "-5"), Ok(WasmValue::I32(-5)));
        assert_eq!(WasmValue::parse(I32, "0x7f"), Ok(WasmValue::I32(127)));
        assert_eq!(WasmValue::parse(I64, "0X10"), Ok(WasmValue::I64(16)));
        assert_eq!(WasmValue::parse(F32, "1.5"), Ok(WasmValue::F32(1.5)));
        assert_eq!(WasmValue::parse(F64, "-2e3"), Ok(WasmValue::F64(-2000.0)));
        let err = WasmValue::parse(I32, "4294967296").unwrap_err();
        assert_eq!(err.to_string(), "`4294967296` is not an i32");
        assert!(WasmValue::parse(I32, "1.0").is_err());
        assert!(WasmValue::parse(F64, "one").is_err());
    }

    #[test]
    fn arity_and_bad_argument_are_typed() {
        let sig = Signature {
            params: vec![ValueType::I32, ValueType::F64],
            results: vec![],
        };
        assert_eq!(
            sig.parse_args("f", &["1"]).unwrap_err().to_string(),
            "`f` takes 2 argument(s) (i32, f64), 1 given"
        );
        assert_eq!(
            sig.parse_args("f", &["1", "x"]).unwrap_err(),
            InvokeError::BadArgument {
                name: "f".into(),
                position: 2,
                problem: BadLiteral {
                    literal: "x".into(),
                    ty: ValueType::F64
                }
            }
        );
    }
}
