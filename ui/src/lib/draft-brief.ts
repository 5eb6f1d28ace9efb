// The brief editor's form logic: field values from a template's defaults or a saved
// brief, the text a field shows and what it means (lists are one entry per line), the
// required fields still empty (shown at the field before the backend is asked), and the
// values the backend saves.
import type { Brief, BriefProblem, BriefTemplate, TemplateField } from './bindings';

/** A form's values by field key: strings, string lists, numbers, booleans, or null. */
export type BriefValues = Record<string, unknown>;

/** Keys the form shows above the template's fields. */
export const TITLE_KEY = 'title';

/** The values of a new brief: the template's defaults. */
export function defaultValues(template: BriefTemplate): BriefValues {
  const values: BriefValues = { [TITLE_KEY]: '' };
  for (const f of template.fields) values[f.key] = f.default ?? emptyOf(f.kind);
  return values;
}

/** The values of a saved brief (its template-specific fields included). */
export function briefValues(brief: Brief, template: BriefTemplate | null): BriefValues {
  const { extra, template: _t, lang: _l, ...common } = brief;
  const values: BriefValues = { ...common, ...extra, [TITLE_KEY]: brief.title ?? '' };
  for (const f of template?.fields ?? []) if (!(f.key in values)) values[f.key] = f.default ?? emptyOf(f.kind);
  return values;
}

function emptyOf(kind: string): unknown {
  switch (kind) {
    case 'list':
      return [];
    case 'bool':
      return false;
    case 'number':
    case 'date':
      return null;
    default:
      return '';
  }
}

/** What a field's input shows for `value`. */
export function fieldText(kind: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (kind === 'list') return Array.isArray(value) ? value.join('\n') : String(value);
  return String(value);
}

/** A field's value from the text typed into it. */
export function parseField(kind: string, text: string): unknown {
  switch (kind) {
    case 'list':
      return text
        .split('\n')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'number': {
      const t = text.trim();
      if (t === '') return null;
      const n = Number(t.replace(',', '.'));
      return Number.isFinite(n) ? n : t;
    }
    case 'date':
      return text.trim() === '' ? null : text.trim();
    default:
      return text;
  }
}

function isEmpty(kind: string, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (kind === 'list') return !Array.isArray(value) || value.length === 0;
  if (kind === 'bool') return false;
  if (kind === 'number') return typeof value !== 'number' || value <= 0;
  return String(value).trim() === '';
}

/** Problems by field key: required fields still empty, numbers that are not numbers, plus the backend's. */
export function fieldProblems(
  template: BriefTemplate,
  values: BriefValues,
  server: readonly BriefProblem[] = [],
): Map<string, 'missing' | 'invalid' | 'unknown_option' | string> {
  const out = new Map<string, string>();
  for (const f of template.fields) {
    const v = values[f.key];
    if (f.kind === 'number' && typeof v === 'string' && v.trim() !== '') out.set(f.key, 'invalid');
    else if (f.required && isEmpty(f.kind, v)) out.set(f.key, 'missing');
    else if (f.kind === 'enum' && typeof v === 'string' && v !== '' && f.options.length > 0 && !f.options.includes(v))
      out.set(f.key, 'unknown_option');
  }
  for (const p of server) if (!out.has(p.field)) out.set(p.field, p.kind);
  return out;
}

/** What `brief_save` gets: every field, the template and its language; no empty title. */
export function saveValues(template: BriefTemplate, values: BriefValues): BriefValues {
  const out: BriefValues = { template: template.id, lang: template.lang };
  for (const [k, v] of Object.entries(values)) {
    if (k === TITLE_KEY && (typeof v !== 'string' || v.trim() === '')) continue;
    if (v === null || v === undefined) continue;
    out[k] = v;
  }
  return out;
}

/** The HTML input type of a field kind. */
export function inputType(field: TemplateField): 'text' | 'number' | 'date' {
  return field.kind === 'number' ? 'number' : field.kind === 'date' ? 'date' : 'text';
}
