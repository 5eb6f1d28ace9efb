import type { Text } from '@codemirror/state';

/**
 * The document as one string. `Text.toString()` concatenates line by line; for texts
 * with many lines, joining the lines array is a single pass.
 */
export function docText(doc: Text): string {
  return doc.lines > 64 ? doc.toJSON().join('\n') : doc.toString();
}
