import { describe, expect, it } from 'vitest';
import type { Brief, BriefTemplate } from './bindings';
import { briefValues, defaultValues, fieldProblems, fieldText, parseField, saveValues } from './draft-brief';

const template: BriefTemplate = {
  id: 'blogartikel',
  version: 1,
  lang: 'de',
  name: 'Blogartikel',
  description: '',
  fields: [
    { key: 'goal', label: 'Ziel', kind: 'textarea', required: true, options: [], default: null, help: null },
    { key: 'keyphrase', label: 'Keyphrase', kind: 'text', required: true, options: [], default: null, help: null },
    { key: 'synonyms', label: 'Synonyme', kind: 'list', required: false, options: [], default: [], help: null },
    { key: 'address_form', label: 'Anrede', kind: 'enum', required: true, options: ['sie', 'du'], default: 'sie', help: null },
    { key: 'length_words', label: 'Länge', kind: 'number', required: true, options: [], default: 900, help: null },
    { key: 'deadline', label: 'Termin', kind: 'date', required: false, options: [], default: null, help: null },
    { key: 'confidential', label: 'Vertraulich', kind: 'bool', required: false, options: [], default: false, help: null },
  ],
};

describe('brief form', () => {
  it('starts from the template defaults and reports empty required fields at their keys', () => {
    const v = defaultValues(template);
    expect(v).toMatchObject({ title: '', goal: '', synonyms: [], address_form: 'sie', length_words: 900, deadline: null, confidential: false });
    const p = fieldProblems(template, v);
    expect([...p.entries()]).toEqual([
      ['goal', 'missing'],
      ['keyphrase', 'missing'],
    ]);
  });

  it('reads lists line by line, numbers with a comma, and flags bad values', () => {
    expect(parseField('list', 'Wärmepumpe\n\n  Heizung \n')).toEqual(['Wärmepumpe', 'Heizung']);
    expect(fieldText('list', ['a', 'b'])).toBe('a\nb');
    expect(parseField('number', '1,5')).toBe(1.5);
    expect(parseField('number', '')).toBeNull();
    const v = { ...defaultValues(template), goal: 'x', keyphrase: 'y', length_words: parseField('number', 'viel'), address_form: 'ihr' };
    const p = fieldProblems(template, v, [{ field: 'goal', kind: 'invalid', message: 'zu kurz' }]);
    expect(p.get('length_words')).toBe('invalid');
    expect(p.get('address_form')).toBe('unknown_option');
    expect(p.get('goal')).toBe('invalid');
  });

  it('saves every field with template and language, without an empty title', () => {
    const v = { ...defaultValues(template), goal: 'Ziel', keyphrase: 'Wärmepumpe' };
    const s = saveValues(template, v);
    expect(s).toMatchObject({ template: 'blogartikel', lang: 'de', goal: 'Ziel', keyphrase: 'Wärmepumpe', length_words: 900 });
    expect('title' in s).toBe(false);
    expect('deadline' in s).toBe(false);
  });

  it('opens a saved brief with its extra fields', () => {
    const brief = {
      template: 'blogartikel',
      lang: 'de',
      title: 'T',
      goal: 'G',
      audience: 'A',
      search_intent: 'informational',
      keyphrase: 'K',
      synonyms: [],
      entities: [],
      required_sources: ['knowledge/faq.md'],
      tone: '',
      address_form: 'du',
      length_words: 300,
      call_to_action: '',
      deadline: null,
      confidential: false,
      extra: { product: 'AlbAir 9' },
    } as unknown as Brief;
    const v = briefValues(brief, template);
    expect(v).toMatchObject({ title: 'T', goal: 'G', address_form: 'du', product: 'AlbAir 9', required_sources: ['knowledge/faq.md'] });
    expect('extra' in v).toBe(false);
  });
});
