// The document's confidentiality lives in its front matter (`confidential: true`), so it
// travels with the text, is versioned with it, and the router reads the same flag.

const OPEN = /^\uFEFF?---\r?\n/;

/** The front matter's extent: [start of its first key line, start of the closing `---`]. */
function frontMatter(text: string): { body: number; close: number } | null {
  const open = OPEN.exec(text);
  if (!open) return null;
  const body = open[0].length;
  const re = /^---[ \t]*$/gm;
  re.lastIndex = body;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index >= body && (m.index === body || text[m.index - 1] === '\n')) return { body, close: m.index };
  }
  return null;
}

const LINE = /^confidential[ \t]*:[ \t]*(.*?)[ \t]*(?:#.*)?$/m;

/** Whether the front matter says `confidential: true` (or yes/on, as YAML 1.1 reads them). */
export function isConfidential(text: string): boolean {
  const fm = frontMatter(text);
  if (!fm) return false;
  const m = LINE.exec(text.slice(fm.body, fm.close));
  return !!m && /^(true|yes|on)$/i.test(m[1].replace(/^["']|["']$/g, ''));
}

/** One edit: replace [from, to) with `insert`. */
export interface TextEdit {
  from: number;
  to: number;
  insert: string;
}

/**
 * The edit that sets `confidential: VALUE` in the front matter: changes the existing
 * line, or adds one, or adds a front matter block at the top.
 */
export function confidentialEdit(text: string, value: boolean): TextEdit {
  const line = `confidential: ${value}`;
  const fm = frontMatter(text);
  if (!fm) {
    const bom = text.startsWith('\uFEFF') ? 1 : 0;
    return { from: bom, to: bom, insert: `---\n${line}\n---\n` };
  }
  const inner = text.slice(fm.body, fm.close);
  const m = LINE.exec(inner);
  if (m) return { from: fm.body + m.index, to: fm.body + m.index + m[0].length, insert: line };
  return { from: fm.close, to: fm.close, insert: `${line}\n` };
}

export function applyEdit(text: string, e: TextEdit): string {
  return text.slice(0, e.from) + e.insert + text.slice(e.to);
}
