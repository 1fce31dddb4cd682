//! How a call's JSON text crosses the boundary: the input's, written by JavaScript
//! (`wasm/js/hand-over.js`) straight into a buffer of the module's memory, and the answer's,
//! parsed by JavaScript straight out of it.
//!
//! Why not wasm-bindgen's `String` conversions: the input's came back from `JSON.stringify`
//! through the glue, which called into the module to allocate, copied the text a UTF-16 unit at
//! a time in JavaScript, and freed it after the call. Here `TextEncoder.encodeInto` writes it
//! natively, into a buffer kept between calls. Timed from Node in interleaved batches, the four
//! form checks tried (reservation, qualifications, profile, completion report) were faster in
//! each of 16 runs, by 2 to 13% (a valid qualifications check: 18.3 µs to 16.4 µs).

use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/hand-over.js")]
extern "C" {
    /// Writes `JSON.stringify(value)` into `room` bytes at `at`: the bytes written,
    /// [`NO_JSON`], [`JSON_THREW`], or minus the room needed. Never throws.
    #[wasm_bindgen(js_name = writeJson)]
    fn write_json(memory: &JsValue, at: usize, room: usize, value: &JsValue) -> i32;

    /// `JSON.parse` of the `len` bytes at `at`.
    #[wasm_bindgen(js_name = parseJson)]
    fn parse_json(memory: &JsValue, at: usize, len: usize) -> JsValue;
}

thread_local! {
    /// The module's memory, as JavaScript sees it.
    static MEMORY: JsValue = wasm_bindgen::memory();
    /// Where JavaScript writes the input: kept between calls, grown when an input needs more.
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// `writeJson`'s answer for a value with no JSON text (`undefined`, a function, a symbol).
const NO_JSON: i32 = -1;
/// `writeJson`'s answer when `JSON.stringify` throws (a BigInt, a cycle).
const JSON_THREW: i32 = -2;

/// Room for nearly any form's input at once.
const FIRST_ROOM: usize = 16 * 1024;

/// Runs `read` on `value`'s JSON text, or on why it has none.
pub(crate) fn with_json_text<R>(
    value: &JsValue,
    read: impl FnOnce(Result<&str, String>) -> R,
) -> R {
    INPUT.with(|buffer| match buffer.try_borrow_mut() {
        Ok(mut buffer) => read(json_text(&mut buffer, value)),
        // Only a call made while another runs could find it in use; it gets a buffer of its own.
        Err(_) => read(json_text(&mut Vec::new(), value)),
    })
}

fn json_text<'b>(buffer: &'b mut Vec<u8>, value: &JsValue) -> Result<&'b str, String> {
    if buffer.is_empty() {
        buffer.resize(FIRST_ROOM, 0);
    }
    // A second try has the room the first asked for; a third, only if a getter's text grew.
    for _ in 0..3 {
        let room = buffer.len();
        let written =
            MEMORY.with(|memory| write_json(memory, buffer.as_mut_ptr() as usize, room, value));
        match usize::try_from(written) {
            Ok(written) => {
                let text = buffer.get(..written).unwrap_or_default();
                // TextEncoder writes UTF-8 only, so this never refuses.
                return std::str::from_utf8(text)
                    .map_err(|_| String::from("the input must be a JSON value"));
            }
            Err(_) if written == NO_JSON => {
                return Err(String::from("the input must be a JSON value"));
            }
            Err(_) if written == JSON_THREW => break,
            // Too little room: minus what is enough.
            Err(_) => buffer.resize(written.unsigned_abs() as usize, 0),
        }
    }
    Err(String::from("the input cannot be written as JSON"))
}

/// Hands JSON text (core's writer's, always JSON) to JavaScript as the value it parses to.
pub(crate) fn parsed(text: &str) -> JsValue {
    MEMORY.with(|memory| parse_json(memory, text.as_ptr() as usize, text.len()))
}
