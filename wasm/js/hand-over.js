// The JSON hand-over of saps-rules' calls (wasm/src/hand_over.rs): an input's JSON text is
// written straight into the module's memory, and an answer's text parsed straight out of it, so
// that no call allocates through the generated glue or copies a string character by character.

const encoder = new TextEncoder();
// Never fatal: core writes UTF-8 only.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
let bytes = new Uint8Array(0);

// A view of all of `memory`, made again once the memory has grown (its old buffer is detached).
function memoryBytes(memory) {
  if (bytes.buffer !== memory.buffer) bytes = new Uint8Array(memory.buffer);
  return bytes;
}

// What writeJson answers instead of a byte count (wasm/src/hand_over.rs reads the same).
const NO_JSON = -1; // `value` has no JSON text (undefined, a function, a symbol)
const JSON_THREW = -2; // JSON.stringify threw (a BigInt, a cycle)

// Writes `JSON.stringify(value)` as UTF-8 into the `room` bytes at `at` and returns how many it
// wrote; NO_JSON or JSON_THREW; or, when the text might not fit, minus the room it needs (at
// most 3 bytes for each UTF-16 unit, so never -1 or -2), for the caller to grow its buffer and
// call again. Never throws.
export function writeJson(memory, at, room, value) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    return JSON_THREW;
  }
  if (text === undefined) return NO_JSON;
  const most = 3 * text.length;
  if (most > room) return -most;
  return encoder.encodeInto(text, memoryBytes(memory).subarray(at, at + room)).written;
}

// Parses the `len` bytes of JSON text at `at`.
export function parseJson(memory, at, len) {
  return JSON.parse(decoder.decode(memoryBytes(memory).subarray(at, at + len)));
}
