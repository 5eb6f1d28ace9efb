// The draft in the editor: `[n]` citations as links (Ctrl/⌘+click or the tooltip's
// button opens the cited source span), sentences with a factual claim but no citation
// underlined, and the provenance gutter (which lines are still AI text, which a person
// wrote or edited). Citations are read from the text itself (reference definitions at
// its end), so they follow every edit; claims and provenance come from the backend for
// one text and are mapped through the edits made since.
import { RangeSetBuilder, StateEffect, StateField, type EditorState, type Extension, type Range as CmRange } from '@codemirror/state';
import {
  Decoration,
  type DecorationSet,
  EditorView,
  GutterMarker,
  ViewPlugin,
  type ViewUpdate,
  gutter,
  hoverTooltip,
} from '@codemirror/view';
import { docText } from './doctext';
import {
  citationMarkers,
  citationTargets,
  markerAt,
  numberAt,
  provenanceRuns,
  resolves,
  type CitationTarget,
  type LineProvenance,
  type ProvenanceSpan,
} from './draft';
import { byteToUtf16 } from './offsets';

export interface DraftEditorHandlers {
  /** A citation was opened (Ctrl/⌘+click, Enter on the tooltip button). */
  oncite: (target: CitationTarget) => void;
  labels: {
    /** "Open source" */
    open: string;
    /** "No source [n] in this document" */
    broken: string;
    /** "Factual claim without a citation" */
    uncited: string;
    ai: string;
    human: string;
    mixed: string;
  };
}

// Citations -------------------------------------------------------------------

/** Above this length citations are not looked for on every keystroke (a draft is far smaller). */
const MAX_CITATION_SCAN = 2_000_000;

function citationDecorations(state: EditorState): DecorationSet {
  if (state.doc.length > MAX_CITATION_SCAN) return Decoration.none;
  const text = docText(state.doc);
  const targets = citationTargets(text);
  const ranges: CmRange<Decoration>[] = [];
  for (const m of citationMarkers(text)) {
    const ok = resolves(m, targets);
    ranges.push(
      Decoration.mark({
        class: ok ? 'imp-cite' : 'imp-cite imp-cite-broken',
        attributes: { 'data-cite': m.numbers.join(','), 'data-resolved': String(ok) },
      }).range(m.from, m.to),
    );
  }
  return Decoration.set(ranges, true);
}

const citations = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = citationDecorations(view.state);
    }
    update(u: ViewUpdate) {
      if (u.docChanged) this.decorations = citationDecorations(u.state);
    }
  },
  { decorations: (v) => v.decorations },
);

/** The citation target at document position `pos`, if the marker there resolves. */
export function citationAt(state: EditorState, pos: number): CitationTarget | null {
  if (state.doc.length > MAX_CITATION_SCAN) return null;
  const text = docText(state.doc);
  const marker = markerAt(citationMarkers(text), pos);
  if (!marker) return null;
  const targets = citationTargets(text);
  const n = numberAt(text, marker, pos, targets);
  return n === null ? null : (targets.get(n) ?? null);
}

function citeClick(handlers: DraftEditorHandlers): Extension {
  return EditorView.domEventHandlers({
    mousedown(event, view) {
      if (!(event.ctrlKey || event.metaKey) || event.button !== 0) return false;
      const el = (event.target as HTMLElement | null)?.closest?.('.imp-cite');
      if (!el) return false;
      const pos = view.posAtDOM(el) + 1;
      const target = citationAt(view.state, pos);
      if (!target) return false;
      event.preventDefault();
      handlers.oncite(target);
      return true;
    },
  });
}

function citeTooltip(handlers: DraftEditorHandlers): Extension {
  return hoverTooltip((view, pos) => {
    if (view.state.doc.length > MAX_CITATION_SCAN) return null;
    const text = docText(view.state.doc);
    const marker = markerAt(citationMarkers(text), pos);
    if (!marker) return null;
    const targets = citationTargets(text);
    return {
      pos: marker.from,
      end: marker.to,
      above: true,
      create() {
        const dom = document.createElement('div');
        dom.className = 'imp-cite-tooltip';
        dom.setAttribute('data-testid', 'citation-tooltip');
        for (const n of marker.numbers) {
          const t = targets.get(n);
          const row = document.createElement('div');
          if (!t) {
            row.className = 'imp-cite-missing';
            row.textContent = handlers.labels.broken.replace('{n}', String(n));
          } else {
            const label = document.createElement('span');
            label.textContent = `[${n}] ${t.path}${t.title ? ` › ${t.title}` : ''}`;
            const button = document.createElement('button');
            button.type = 'button';
            button.textContent = handlers.labels.open;
            button.setAttribute('data-testid', 'citation-open');
            button.setAttribute('data-number', String(n));
            button.onclick = () => handlers.oncite(t);
            row.append(label, ' ', button);
          }
          dom.append(row);
        }
        return { dom };
      },
    };
  });
}

// Claims without a citation ---------------------------------------------------

/** A byte range of the text the claims were found in. */
export interface ByteRange {
  start: number;
  end: number;
}

const setUncited = StateEffect.define<DecorationSet>();

const uncitedField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setUncited)) return e.value;
    return tr.docChanged ? value.map(tr.changes) : value;
  },
  provide: (f) => EditorView.decorations.from(f),
});

/**
 * Marks the sentences `claims` (byte ranges of `text`) as factual claims without a
 * citation, if the editor still holds `text`; returns whether it did.
 */
export function showUncited(view: EditorView, text: string, claims: readonly ByteRange[], label: string): boolean {
  if (docText(view.state.doc) !== text) return false;
  const pos = byteToUtf16(text, claims.flatMap((c) => [c.start, c.end]));
  const deco = Decoration.mark({ class: 'imp-uncited', attributes: { title: label, 'data-testid': 'uncited-claim' } });
  const ranges = claims
    .map((c) => [pos.get(c.start) ?? 0, pos.get(c.end) ?? 0] as const)
    .filter(([a, b]) => b > a)
    .map(([a, b]) => deco.range(a, b));
  view.dispatch({ effects: setUncited.of(Decoration.set(ranges, true)) });
  return true;
}

// Provenance gutter -------------------------------------------------------------

class ProvenanceMarker extends GutterMarker {
  constructor(
    readonly state: LineProvenance,
    readonly label: string,
  ) {
    super();
  }
  override eq(other: GutterMarker): boolean {
    return other instanceof ProvenanceMarker && other.state === this.state;
  }
  override toDOM(): Node {
    const el = document.createElement('div');
    el.className = `imp-prov imp-prov-${this.state}`;
    el.title = this.label;
    el.setAttribute('data-provenance', this.state);
    return el;
  }
}

const setProvenance = StateEffect.define<ReturnType<typeof buildMarkers>>();

function buildMarkers(state: EditorState, runs: ReturnType<typeof provenanceRuns>, labels: DraftEditorHandlers['labels']) {
  const b = new RangeSetBuilder<GutterMarker>();
  const markers = { ai: new ProvenanceMarker('ai', labels.ai), human: new ProvenanceMarker('human', labels.human), mixed: new ProvenanceMarker('mixed', labels.mixed) };
  for (const run of runs) {
    for (let n = run.fromLine; n <= run.toLine && n <= state.doc.lines; n++) {
      const line = state.doc.line(n);
      b.add(line.from, line.from, markers[run.state]);
    }
  }
  return b.finish();
}

const provenanceField = StateField.define<ReturnType<typeof buildMarkers>>({
  create: () => new RangeSetBuilder<GutterMarker>().finish(),
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setProvenance)) return e.value;
    return tr.docChanged ? value.map(tr.changes) : value;
  },
});

/**
 * Shows provenance `spans` (bytes of `text`, the saved revision) in the gutter if the
 * editor holds `text`; returns whether it did. Lines typed since keep their markers
 * (mapped) until the next save brings new spans.
 */
export function showProvenance(
  view: EditorView,
  text: string,
  spans: readonly ProvenanceSpan[] | null,
  labels: DraftEditorHandlers['labels'],
): boolean {
  // A text no model wrote gets no markers at all.
  if (spans === null) {
    view.dispatch({ effects: setProvenance.of(new RangeSetBuilder<GutterMarker>().finish()) });
    return true;
  }
  if (docText(view.state.doc) !== text) return false;
  const runs = provenanceRuns(text, spans);
  view.dispatch({ effects: setProvenance.of(buildMarkers(view.state, runs, labels)) });
  return true;
}

/** The lines the gutter marks, by state (for tests and the e2e hooks). */
export function provenanceLines(view: EditorView): Record<LineProvenance, number[]> {
  const out: Record<LineProvenance, number[]> = { ai: [], human: [], mixed: [] };
  const iter = view.state.field(provenanceField, false)?.iter();
  while (iter && iter.value) {
    const m = iter.value as ProvenanceMarker;
    out[m.state].push(view.state.doc.lineAt(iter.from).number);
    iter.next();
  }
  return out;
}

const draftTheme = EditorView.baseTheme({
  '.imp-cite': { color: 'var(--accent)', cursor: 'pointer', textDecoration: 'underline dotted' },
  '.imp-cite-broken': { color: 'var(--sev-error)', textDecoration: 'underline wavy' },
  '.imp-uncited': { backgroundColor: 'color-mix(in srgb, var(--sev-warning) 18%, transparent)', borderBottom: '2px dashed var(--sev-warning)' },
  '.imp-cite-tooltip': { padding: '4px 8px', fontFamily: 'var(--font-ui)', fontSize: '12px' },
  '.imp-cite-tooltip button': { marginLeft: '6px', font: 'inherit' },
  '.imp-cite-missing': { color: 'var(--sev-error)' },
  '.cm-gutter.imp-provenance': { width: '5px' },
  '.imp-provenance .cm-gutterElement': { padding: '0' },
  '.imp-prov': { width: '4px', height: '100%', minHeight: '1.2em', borderRadius: '2px' },
  '.imp-prov-ai': { backgroundColor: 'var(--prov-ai, #8b5cf6)' },
  '.imp-prov-mixed': { background: 'repeating-linear-gradient(180deg, var(--prov-ai, #8b5cf6) 0 4px, var(--prov-human, #22c55e) 4px 8px)' },
  '.imp-prov-human': { backgroundColor: 'var(--prov-human, #22c55e)', opacity: '0.55' },
});

/** Citations, uncited claims and the provenance gutter. */
export function draftExtensions(handlers: DraftEditorHandlers): Extension {
  return [
    citations,
    citeClick(handlers),
    citeTooltip(handlers),
    uncitedField,
    provenanceField,
    gutter({
      class: 'imp-provenance',
      markers: (v) => v.state.field(provenanceField),
      initialSpacer: () => new ProvenanceMarker('human', ''),
    }),
    draftTheme,
  ];
}
