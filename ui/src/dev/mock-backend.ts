// An in-memory stand-in for the Rust commands, for working on the UI in a plain browser
// (`npm run dev:mock`). Only ever loaded by the dev server; never part of a build.
// Add `?fail=save` to the URL to make every save fail, to see the error states.
import { mockIPC } from '@tauri-apps/api/mocks';
import type {
  AppState,
  CheckReport,
  DiffChunk,
  Finding,
  DocumentSummary,
  IpcError,
  OpenDocument,
  Origin,
  Revision,
  RevisionMeta,
  SaveOutcome,
  WordDiff,
  WorkspaceInfo,
} from '../lib/bindings';
import type { Ignore, IgnoreScope } from '../lib/ipc';
import { utf16ToByte } from '../lib/offsets';
import { handleRules } from './mock-rules';

interface Doc {
  summary: DocumentSummary;
  revisions: Revision[];
}

const author = 'Anna Berger';
let workspace: WorkspaceInfo | null = null;
const docs = new Map<string, Doc>();
const ignores = new Map<string, Ignore[]>();
let idCounter = 0;
const options = {
  failSaves: typeof location !== 'undefined' && new URLSearchParams(location.search).get('fail') === 'save',
  latencyMs: 60,
};

/** For tests: a fresh demo state, no latency unless given, and optionally failing saves. */
export function resetMockBackend(opts: { failSaves?: boolean; latencyMs?: number } = {}): void {
  workspace = null;
  docs.clear();
  ignores.clear();
  options.failSaves = opts.failSaves ?? false;
  options.latencyMs = opts.latencyMs ?? 0;
}

export function setMockFailSaves(fail: boolean): void {
  options.failSaves = fail;
}

const newId = (prefix: string) => `${prefix}${Date.now().toString(16)}${(++idCounter).toString(16).padStart(6, '0')}`;

function fail(code: string, message: string): never {
  const error: IpcError = { code, message };
  throw error;
}

function hash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16).padStart(8, '0');
}

function addRevision(doc: Doc, content: string, origin: Origin, message: string | null, at: number): SaveOutcome {
  const head = doc.revisions[doc.revisions.length - 1];
  if (head && head.content === content) return { revision: head.meta, unchanged: true };
  const meta: RevisionMeta = {
    id: newId('r'),
    document_id: doc.summary.id,
    number: doc.revisions.length + 1,
    parent: head?.meta.id ?? null,
    content_hash: hash(content),
    author: origin === 'ai' ? 'Assistent' : author,
    origin,
    message,
    created_at: at,
    size: new TextEncoder().encode(content).length,
    stored_size: Math.ceil(content.length / 3),
  };
  doc.revisions.push({ meta, content });
  doc.summary = { ...doc.summary, head: meta.id, updated_at: at, revisions: doc.revisions.length };
  return { revision: meta, unchanged: false };
}

function createDoc(title: string, at: number): Doc {
  const summary: DocumentSummary = { id: newId('d'), title, created_at: at, updated_at: at, head: null, revisions: 0 };
  const doc = { summary, revisions: [] };
  docs.set(summary.id, doc);
  return doc;
}

function seed(): void {
  docs.clear();
  const now = Date.now();
  const min = 60_000;
  const a = createDoc('Leitartikel: Die Stadt im Wandel', now - 9 * 86_400_000);
  const v1 = `# Die Stadt im Wandel

Die Innenstadt verändert sich. Wo früher Kaufhäuser standen, entstehen heute Wohnungen, Büros und Orte für Kultur.

## Was sich ändert

- Mehr Grünflächen
- Weniger Autos
- Neue Wege für Fußgänger
`;
  const v2 = v1.replace('Orte für Kultur.', 'Orte für Kultur und Begegnung.');
  const v3 = `${v2}
> „Die Stadt gehört allen, die in ihr leben.“ – Bürgermeisterin Jana Roth

Die Verwaltung will die Pläne bis **Ende des Jahres** vorstellen. Eine Bürgerbeteiligung ist [online](https://example.org) möglich.
`;
  const v4 = v3.replace('Weniger Autos', 'Weniger Autoverkehr in der Altstadt').replace('Neue Wege', 'Sichere Wege');
  addRevision(a, v1, 'import', 'Import aus dem Redaktionssystem', now - 9 * 86_400_000);
  addRevision(a, v2, 'human', null, now - 3 * 86_400_000);
  addRevision(a, v3, 'human', 'Zitat ergänzt', now - 5 * 3_600_000);
  addRevision(a, v4, 'ai', 'Stilvorschlag übernommen', now - 25 * min);

  const b = createDoc('Interview mit Prof. Keller', now - 2 * 86_400_000);
  addRevision(b, '# Interview mit Prof. Keller\n\n**Frage:** Wie sieht die Zukunft der Energie aus?\n', 'human', null, now - 2 * 86_400_000);
  addRevision(
    b,
    '# Interview mit Prof. Keller\n\n**Frage:** Wie sieht die Zukunft der Energie aus?\n\n**Keller:** Dezentral, erneuerbar und digital gesteuert.\n',
    'human',
    'Erste Antwort',
    now - 40 * min,
  );

  createDoc('Notizen zur Ausgabe 12', now - 3 * min);
}

function tokens(text: string): string[] {
  return text.match(/\s+|[^\s]+/g) ?? [];
}

function wordDiff(from: Revision, to: Revision): WordDiff {
  const a = tokens(from.content);
  const b = tokens(to.content);
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const chunks: DiffChunk[] = [];
  const push = (op: DiffChunk['op'], text: string) => {
    const last = chunks[chunks.length - 1];
    if (last && last.op === op) last.text += text;
    else chunks.push({ op, text });
  };
  let i = 0;
  let j = 0;
  let inserted = 0;
  let deleted = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      push('equal', a[i]);
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      if (b[j].trim()) inserted++;
      push('insert', b[j++]);
    } else {
      if (a[i].trim()) deleted++;
      push('delete', a[i++]);
    }
  }
  return { from: from.meta.id, to: to.meta.id, chunks, inserted_words: inserted, deleted_words: deleted };
}

const delay = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

function getDoc(id: unknown): Doc {
  const doc = docs.get(String(id));
  if (!doc) fail('not_found', `Dokument ${String(id)} nicht gefunden`);
  return doc;
}

function getRev(doc: Doc, rev: unknown): Revision {
  const found = doc.revisions.find((r) => r.meta.id === rev);
  if (!found) fail('not_found', `Revision ${String(rev)} nicht gefunden`);
  return found;
}

function requireWorkspace(): void {
  if (!workspace) fail('no_workspace', 'Kein Arbeitsbereich geöffnet');
}

// A small stand-in for the Rust checks: front matter, the demo brand's form of address
// (with a fix), a hint, and SEO scores. Offsets are UTF-8 bytes, as in the real report.
function finding(
  text: string,
  from: number,
  to: number,
  f: Pick<Finding, 'check' | 'code' | 'severity'> & { text: string; fix?: { label: string; replacement: string } },
): Finding {
  const start = utf16ToByte(text, from);
  const end = utf16ToByte(text, to);
  const before = text.slice(0, from);
  const line = before.split('\n').length;
  const column = Array.from(before.slice(before.lastIndexOf('\n') + 1)).length + 1;
  return {
    check: f.check,
    code: f.code,
    severity: f.severity,
    message: { key: f.code, args: {}, text: f.text },
    span: { start, end, line, column },
    fix: f.fix ? { label: f.fix.label, edits: [{ start, end, replacement: f.fix.replacement }] } : null,
    evidence: null,
  };
}

export function mockCheck(text: string, docId: string | null): CheckReport {
  const findings: Finding[] = [];
  if (text.startsWith('---\n')) {
    const close = text.indexOf('\n---', 3);
    if (close < 0) {
      findings.push(
        finding(text, 0, 0, {
          check: 'document',
          code: 'doc.front_matter',
          severity: 'error',
          text: 'the front matter opened with --- is never closed; add a line with --- after the last key',
        }),
      );
    } else {
      let pos = 4;
      for (const line of text.slice(4, close + 1).split('\n')) {
        const value = /^[\w-]+:\s*(.*)$/.exec(line)?.[1];
        const broken =
          line.trim() !== '' &&
          (value === undefined || (value.startsWith('"') && (value.length < 2 || !value.endsWith('"'))));
        if (broken) {
          findings.push(
            finding(text, pos, pos, {
              check: 'document',
              code: 'doc.front_matter',
              severity: 'error',
              text: `front matter is not valid YAML: line ${text.slice(0, pos).split('\n').length - 1}`,
            }),
          );
          break;
        }
        pos += line.length + 1;
      }
    }
  }
  for (const m of text.matchAll(/\b([Dd]u|[Dd]ich|[Dd]ir|[Dd]ein)\b/g)) {
    const from = m.index ?? 0;
    const replacement = { du: 'Sie', dich: 'Sie', dir: 'Ihnen', dein: 'Ihr' }[m[1].toLowerCase()] ?? 'Sie';
    findings.push(
      finding(text, from, from + m[1].length, {
        check: 'style',
        code: 'WaermewerkAlbtal.Anrede',
        severity: 'warning',
        text: `Wir siezen unsere Kundschaft: „${m[1]}“ → „${replacement}“.`,
        fix: { label: `Ersetzen durch „${replacement}“`, replacement },
      }),
    );
  }
  for (const m of text.matchAll(/\bca\./g)) {
    const from = m.index ?? 0;
    findings.push(
      finding(text, from, from + 3, {
        check: 'style',
        code: 'WaermewerkAlbtal.Abkuerzungen',
        severity: 'suggestion',
        text: 'Abkürzungen im Fließtext ausschreiben.',
        fix: { label: 'Ersetzen durch „circa“', replacement: 'circa' },
      }),
    );
  }
  const ignored = docId ? (ignores.get(docId) ?? []) : [];
  const kept = findings.filter((f) => {
    const from = text.length === 0 ? 0 : byteToIndex(text, f.span.start);
    const to = byteToIndex(text, f.span.end);
    const matched = text.slice(from, to);
    const context = Array.from(text.slice(Math.max(0, from - 80), from)).slice(-40).join('');
    return !ignored.some(
      (i) => i.code === f.code && i.matched === matched && (i.scope === 'document' || context.endsWith(i.context)),
    );
  });
  const words = text.split(/\s+/).filter(Boolean).length;
  return {
    content_hash: hash(text),
    findings: kept,
    scores: words === 0 ? {} : { 'seo.overall': Math.min(100, 20 + words), 'seo.readability': words > 40 ? 55 : 80 },
  };
}

function byteToIndex(text: string, byte: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < byte) {
    const cp = text.codePointAt(i) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp >= 0x10000 ? 2 : 1;
  }
  return i;
}

export async function handle(cmd: string, args: Record<string, unknown>): Promise<unknown> {
  await delay(options.latencyMs);
  switch (cmd) {
    case 'app_state':
      return { workspace, author } satisfies AppState;
    case 'workspace_open_demo':
      seed();
      workspace = { root: '/home/anna/Imprimatur/Demo', name: 'Demo-Redaktion', language: 'de' };
      return workspace;
    case 'workspace_open':
    case 'workspace_create': {
      const path = String(args.path ?? '').trim();
      if (!path.startsWith('/')) fail('invalid_path', `Kein gültiger Ordner: ${path}`);
      if (cmd === 'workspace_create') docs.clear();
      else seed();
      workspace = { root: path, name: path.split('/').filter(Boolean).pop() ?? path, language: 'de' };
      return workspace;
    }
    case 'doc_list':
      requireWorkspace();
      return [...docs.values()].map((d) => d.summary).sort((x, y) => y.updated_at - x.updated_at);
    case 'doc_create': {
      requireWorkspace();
      const title = String(args.title ?? '').trim();
      if (!title) fail('invalid_title', 'Der Titel darf nicht leer sein');
      return createDoc(title, Date.now()).summary;
    }
    case 'doc_open': {
      const doc = getDoc(args.id);
      return { document: doc.summary, head: doc.revisions[doc.revisions.length - 1] ?? null } satisfies OpenDocument;
    }
    case 'doc_save': {
      const doc = getDoc(args.id);
      await delay(options.latencyMs * 4);
      if (options.failSaves) fail('io', 'Die Datenbank ist schreibgeschützt');
      const message = typeof args.message === 'string' ? args.message : null;
      return addRevision(doc, String(args.content), 'human', message, Date.now());
    }
    case 'doc_history':
      return getDoc(args.id).revisions.map((r) => r.meta);
    case 'revision_read':
      return getRev(getDoc(args.id), args.rev);
    case 'doc_restore': {
      const doc = getDoc(args.id);
      const old = getRev(doc, args.rev);
      return addRevision(doc, old.content, 'human', `Restored revision ${old.meta.number}`, Date.now());
    }
    case 'doc_diff': {
      const doc = getDoc(args.id);
      return wordDiff(getRev(doc, args.from), getRev(doc, args.to));
    }
    case 'doc_check':
      requireWorkspace();
      await delay(options.latencyMs * 2);
      return mockCheck(String(args.content ?? ''), typeof args.id === 'string' ? args.id : null);
    case 'finding_ignore': {
      const doc = getDoc(args.id);
      const ignore: Ignore = {
        id: newId('i'),
        document_id: doc.summary.id,
        code: String(args.code),
        scope: args.scope as IgnoreScope,
        matched: String(args.matched ?? ''),
        context: String(args.context ?? ''),
        reason: String(args.reason ?? ''),
        author,
        created_at: Date.now(),
      };
      if (!ignore.reason.trim()) fail('invalid_reason', 'Eine Begründung ist erforderlich');
      ignores.set(doc.summary.id, [...(ignores.get(doc.summary.id) ?? []), ignore]);
      return ignore;
    }
    case 'finding_unignore': {
      const doc = getDoc(args.id);
      ignores.set(
        doc.summary.id,
        (ignores.get(doc.summary.id) ?? []).filter((i) => i.id !== args.ignore),
      );
      return null;
    }
    case 'doc_ignores':
      return ignores.get(getDoc(args.id).summary.id) ?? [];
    default:
      if (cmd.startsWith('rule_')) return handleRules(cmd, args);
      fail('unknown_command', `Unbekannter Befehl: ${cmd}`);
  }
}

export function installMockBackend(): void {
  mockIPC((cmd, args) => handle(cmd, (args ?? {}) as Record<string, unknown>));
}
