// The checks report positions as UTF-8 byte offsets into the source text (Rust strings);
// CodeMirror and JavaScript strings count UTF-16 code units. These helpers convert between
// the two in one pass over the text, however many offsets there are.

/** Bytes the UTF-16 unit(s) at `i` take in UTF-8, and how many units they span. */
function step(text: string, i: number): [bytes: number, units: number] {
  const c = text.charCodeAt(i);
  if (c < 0x80) return [1, 1];
  if (c < 0x800) return [2, 1];
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return [4, 2];
  }
  // The rest of the BMP (and lone surrogates, which become U+FFFD: also 3 bytes).
  return [3, 1];
}

/** The length of `text` in UTF-8 bytes. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; ) {
    const [b, u] = step(text, i);
    bytes += b;
    i += u;
  }
  return bytes;
}

/**
 * Maps UTF-8 byte offsets of `text` to UTF-16 positions. An offset inside a character
 * maps to that character's start; offsets past the end map to `text.length`.
 * One walk over the text up to the largest offset.
 */
export function byteToUtf16(text: string, offsets: Iterable<number>): Map<number, number> {
  const wanted = [...new Set(offsets)].sort((a, b) => a - b);
  const result = new Map<number, number>();
  let i = 0;
  let bytes = 0;
  for (const target of wanted) {
    if (target <= 0) {
      result.set(target, 0);
      continue;
    }
    let units = 0;
    while (bytes < target && i < text.length) {
      const [b, u] = step(text, i);
      bytes += b;
      i += u;
      units = u;
    }
    if (bytes > target) {
      // Inside a multi-byte character: step back to its start, and walk it again next time.
      i -= units;
      bytes -= step(text, i)[0];
      result.set(target, i);
    } else {
      result.set(target, i);
    }
  }
  return result;
}

/** One offset; for many, `byteToUtf16` walks the text only once. */
export function byteOffsetToUtf16(text: string, offset: number): number {
  return byteToUtf16(text, [offset]).get(offset) ?? text.length;
}

/** The UTF-8 byte offset of UTF-16 position `pos` (clamped to the text). */
export function utf16ToByte(text: string, pos: number): number {
  let bytes = 0;
  const end = Math.min(pos, text.length);
  for (let i = 0; i < end; ) {
    const [b, u] = step(text, i);
    bytes += b;
    i += u;
  }
  return bytes;
}
