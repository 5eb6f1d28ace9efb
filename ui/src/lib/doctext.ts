import type { Text } from '@codemirror/state';

/**
 * The document as one string. `Text.toString()` concatenates line by line, which WebKit
 * turns into a deep rope that costs seconds to build for a 10 MB text after an edit
 * (measured in the e2e test); joining the lines takes milliseconds.
 */
export function docText(doc: Text): string {
  return doc.lines > 64 ? doc.toJSON().join('\n') : doc.toString();
}
