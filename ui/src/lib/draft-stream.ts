// Streaming a draft into the editor: the generation's events become text changes at
// the end of the section being written. A whole draft starts in an empty document
// (title, then `## heading` and body per section); regenerating one section first
// empties that section's body in the text the editor holds. The saved revision replaces
// the streamed text at the end (renumbered citations, reference definitions), so this
// only has to show progress faithfully, and a discarded attempt is taken back.
import type { DraftEvent } from './bindings';

/** One text change in editor (UTF-16) positions. */
export interface TextChange {
  from: number;
  to: number;
  insert: string;
}

/** Where the body of section `## heading` is in `text`: after its heading line up to the next `#`/`##` heading or reference definition. */
export function sectionRange(text: string, heading: string): { from: number; to: number } | null {
  const lines = text.split('\n');
  let pos = 0;
  let from: number | null = null;
  for (const line of lines) {
    const at = pos;
    pos += line.length + 1;
    const t = line.trimEnd();
    if (from === null) {
      if (t.startsWith('## ') && t.slice(3).trim() === heading.trim()) from = Math.min(pos, text.length);
    } else if (t.startsWith('# ') || t.startsWith('## ') || /^\[\d+\]: knowledge\//.test(t)) {
      return { from, to: at };
    }
  }
  return from === null ? null : { from, to: text.length };
}

/** Turns draft events into editor changes; `length` is the document length it starts from. */
export class DraftStream {
  /** Where the next token goes. */
  private end: number;
  /** Where the body of each section began. */
  private bodyStart = new Map<number, number>();
  /** Section being written, and how many of all. */
  section: number | null = null;
  heading = '';

  constructor(
    length: number,
    /** For one section again: its body range in the editor's text (emptied when it starts). */
    private readonly replace: { from: number; to: number } | null = null,
  ) {
    this.end = length;
  }

  /** The draft's title as the first line of an empty document. */
  title(title: string): TextChange {
    const insert = `# ${title}\n`;
    const change = { from: this.end, to: this.end, insert };
    this.end += insert.length;
    return change;
  }

  /** The change an event makes, if any. */
  apply(event: DraftEvent): TextChange | null {
    switch (event.kind) {
      case 'section_started': {
        this.section = event.index;
        this.heading = event.heading;
        if (this.replace) {
          const change = { from: this.replace.from, to: this.replace.to, insert: '\n' };
          this.end = this.replace.from + 1;
          this.bodyStart.set(event.index, this.end);
          return change;
        }
        const insert = `\n## ${event.heading}\n\n`;
        const change = { from: this.end, to: this.end, insert };
        this.end += insert.length;
        this.bodyStart.set(event.index, this.end);
        return change;
      }
      case 'token': {
        if (event.text === '') return null;
        // The first words of a section come without the model's leading blank lines.
        const start = this.bodyStart.get(event.index);
        const text = start === this.end ? event.text.replace(/^\s+/, '') : event.text;
        if (text === '') return null;
        const change = { from: this.end, to: this.end, insert: text };
        this.end += text.length;
        return change;
      }
      case 'discard': {
        const start = this.bodyStart.get(event.index);
        if (start === undefined || start === this.end) return null;
        const change = { from: start, to: this.end, insert: '' };
        this.end = start;
        return change;
      }
      case 'section_done': {
        // In place, the blank line before the next heading was part of the old body.
        const insert = this.replace ? '\n\n' : '\n';
        const change = { from: this.end, to: this.end, insert };
        this.end += insert.length;
        return change;
      }
      default:
        return null;
    }
  }
}

/** Applies `changes` to `text` in order (each in the positions after the previous one). */
export function applyChanges(text: string, changes: readonly TextChange[]): string {
  let out = text;
  for (const c of changes) out = out.slice(0, c.from) + c.insert + out.slice(c.to);
  return out;
}

/** An outline read back from a draft's text (`# title`, `## heading` per section), to regenerate a section of a draft written earlier. */
export function outlineFromText(text: string, words = 120): { title: string; sections: { heading: string; points: string[]; words: number }[]; from_model: number } {
  let title = '';
  const sections: { heading: string; points: string[]; words: number }[] = [];
  for (const line of text.split('\n')) {
    const t = line.trimEnd();
    if (!title && t.startsWith('# ')) title = t.slice(2).trim();
    else if (t.startsWith('## ')) sections.push({ heading: t.slice(3).trim(), points: [], words });
  }
  return { title, sections, from_model: sections.length };
}

/** The `brief:` of a text's front matter, if it has one. */
export function briefOf(text: string): string | null {
  if (!text.startsWith('---\n')) return null;
  const end = text.indexOf('\n---', 3);
  if (end < 0) return null;
  const m = /^brief:\s*"?([^"\n]+?)"?\s*$/m.exec(text.slice(4, end));
  return m?.[1] ?? null;
}
