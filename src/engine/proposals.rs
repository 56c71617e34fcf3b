//! WebAssembly proposals a module may use that the interpreter does not
//! implement, found so that a refused module gets an error naming what it
//! needs instead of the validator's first complaint.
//!
//! Only consulted once wasmi has refused a module: the scan parses every
//! function body, which a module that loads never pays for.

use wasmparser::{Operator, Parser, Payload, TypeRef};

/// A proposal the interpreter lacks, with what in the module uses it.
///
/// ```
/// use afmpeg::engine::proposals::unsupported;
/// let tag_section = [&b"\0asm\x01\0\0\0"[..], &[1, 5, 1, 0x60, 1, 0x7f, 0], &[13, 3, 1, 0, 0]].concat();
/// let u = unsupported(&tag_section).expect("a tag needs exception handling");
/// assert_eq!(u.feature, "exception-handling");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// The proposal's name, as the WebAssembly proposals list spells it.
    pub feature: &'static str,
    /// The first use found (a section or an instruction).
    pub used_by: String,
    /// Which engine can run such a module.
    pub runs_on: &'static str,
}

/// The exception-handling proposal (`try_table`/`throw`/`throw_ref`, and the
/// legacy `try`/`catch`/`rethrow`/`delegate`), emitted by LLVM for
/// `-fwasm-exceptions` (C++ exceptions, CPython's `setjmp`/`longjmp`).
const EXCEPTION_HANDLING: &str = "exception-handling";

/// The first unsupported proposal `bytes` uses, if any. Malformed bytes give
/// `None`: the validator's own error then says what is wrong.
///
/// ```
/// use afmpeg::engine::proposals::unsupported;
///
/// let empty = b"\0asm\x01\0\0\0";
/// assert_eq!(unsupported(empty), None);
/// // One function type (i32) -> (), and a tag of that type.
/// let with_tag = [&empty[..], &[1, 5, 1, 0x60, 1, 0x7f, 0], &[13, 3, 1, 0, 0]].concat();
/// let u = unsupported(&with_tag).unwrap();
/// assert_eq!((u.feature, u.used_by.as_str()), ("exception-handling", "a tag section"));
/// ```
pub fn unsupported(bytes: &[u8]) -> Option<Unsupported> {
    let eh = |used_by: String| Unsupported {
        feature: EXCEPTION_HANDLING,
        used_by,
        runs_on: "a JIT tier runs it (wasmtime with Cranelift, the `cranelift` tier of \
                  bench/engines); wasmi, the interpreter afmpeg runs everything on, does not",
    };
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.ok()? {
            Payload::TagSection(_) => return Some(eh("a tag section".into())),
            Payload::ImportSection(imports) => {
                for import in imports {
                    let import = import.ok()?;
                    if matches!(import.ty, TypeRef::Tag(_)) {
                        return Some(eh(format!(
                            "an imported tag `{}::{}`",
                            import.module, import.name
                        )));
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut ops = body.get_operators_reader().ok()?;
                while !ops.eof() {
                    if let Some(name) = exception_instruction(&ops.read().ok()?) {
                        return Some(eh(format!("the `{name}` instruction")));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

fn exception_instruction(op: &Operator<'_>) -> Option<&'static str> {
    Some(match op {
        Operator::TryTable { .. } => "try_table",
        Operator::Throw { .. } => "throw",
        Operator::ThrowRef => "throw_ref",
        Operator::Try { .. } => "try",
        Operator::Catch { .. } => "catch",
        Operator::CatchAll => "catch_all",
        Operator::Rethrow { .. } => "rethrow",
        Operator::Delegate { .. } => "delegate",
        _ => return None,
    })
}
