import { describe, expect, it } from 'vitest';
import { byteOffsetToUtf16, byteToUtf16, utf16ToByte, utf8Length } from './offsets';

const encoder = new TextEncoder();
const bytes = (s: string) => encoder.encode(s).length;

/** Every character boundary of `text`, as [byte offset, UTF-16 position]. */
function boundaries(text: string): [number, number][] {
  const out: [number, number][] = [[0, 0]];
  let pos = 0;
  for (const ch of text) {
    pos += ch.length;
    out.push([bytes(text.slice(0, pos)), pos]);
  }
  return out;
}

describe('byte offsets ↔ UTF-16 positions', () => {
  const samples = [
    'plain ASCII text',
    'Die Wärmepumpe läuft leise. Größe: 12 m², Maß für Maß.',
    'Preis: 1.299 € (inkl. 19 % MwSt.) – „Angebot“',
    'Emoji 🔥 und 👩‍🔧 Monteurin, dann weiter 🚀.',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 und 中文 und ÄÖÜäöüß',
    '',
  ];

  it('maps every character boundary, in both directions', () => {
    for (const text of samples) {
      const b = boundaries(text);
      const map = byteToUtf16(
        text,
        b.map(([byte]) => byte),
      );
      for (const [byte, pos] of b) {
        expect(map.get(byte), `${text} @${byte}`).toBe(pos);
        expect(utf16ToByte(text, pos), `${text} @${pos}`).toBe(byte);
      }
      expect(utf8Length(text)).toBe(bytes(text));
    }
  });

  it('counts umlauts as 2 bytes, € as 3 and emoji as 4 (2 UTF-16 units)', () => {
    const text = 'ä€🔥x';
    // ä: bytes 0..2, €: 2..5, 🔥: 5..9, x: 9..10
    const map = byteToUtf16(text, [0, 2, 5, 9, 10]);
    expect([...map.entries()]).toEqual([
      [0, 0],
      [2, 1],
      [5, 2],
      [9, 4],
      [10, 5],
    ]);
  });

  it('finds the words of a German sentence the way the Rust side reports them', () => {
    const text = 'Über 5 € sparen – dank Wärmepumpe 🔥!';
    const word = 'Wärmepumpe';
    const start = bytes(text.slice(0, text.indexOf(word)));
    const end = start + bytes(word);
    const map = byteToUtf16(text, [end, start]); // any order
    expect(text.slice(map.get(start), map.get(end))).toBe(word);
  });

  it('maps offsets inside a character to its start, and past the end to the end', () => {
    const text = 'aä€🔥';
    expect(byteOffsetToUtf16(text, 2)).toBe(1); // inside ä (bytes 1..3)
    expect(byteOffsetToUtf16(text, 4)).toBe(2); // inside € (bytes 3..6)
    expect(byteOffsetToUtf16(text, 8)).toBe(3); // inside 🔥 (bytes 6..10)
    expect(byteOffsetToUtf16(text, 10)).toBe(5);
    expect(byteOffsetToUtf16(text, 99)).toBe(5);
    expect(byteOffsetToUtf16(text, -1)).toBe(0);
    // Mid-character offsets do not disturb the ones after them.
    const map = byteToUtf16(text, [2, 3, 4, 6, 8, 10]);
    expect([...map.values()]).toEqual([1, 2, 2, 3, 3, 5]);
  });

  it('converts many offsets of a large text in one pass', () => {
    const line = 'Heizkosten sparen mit der Wärmepumpe – 1 200 € im Jahr 🔥\n';
    const text = line.repeat(20_000); // ~1.2 MB
    const lineBytes = bytes(line);
    const offsets = Array.from({ length: 20_000 }, (_, i) => i * lineBytes);
    const started = performance.now();
    const map = byteToUtf16(text, offsets);
    const took = performance.now() - started;
    expect(map.get(lineBytes * 19_999)).toBe(line.length * 19_999);
    expect(took).toBeLessThan(500);
  });
});
