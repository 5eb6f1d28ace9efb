import { describe, expect, it } from 'vitest';
import { applyEdit, confidentialEdit, isConfidential } from './confidential';

const set = (text: string, v: boolean) => applyEdit(text, confidentialEdit(text, v));

describe('document confidentiality in the front matter', () => {
  it('reads the flag only inside the front matter', () => {
    expect(isConfidential('---\ntitle: A\nconfidential: true\n---\nText')).toBe(true);
    expect(isConfidential('---\nconfidential: yes # intern\n---\n')).toBe(true);
    expect(isConfidential('---\nconfidential: false\n---\n')).toBe(false);
    expect(isConfidential('Text\nconfidential: true\n')).toBe(false);
    expect(isConfidential('---\ntitle: A\n---\nconfidential: true\n')).toBe(false);
  });

  it('adds a front matter block, a line, or changes the line', () => {
    expect(set('# Titel\n', true)).toBe('---\nconfidential: true\n---\n# Titel\n');
    expect(set('---\ntitle: A\n---\nText', true)).toBe('---\ntitle: A\nconfidential: true\n---\nText');
    const on = '---\ntitle: A\nconfidential: true\n---\nText';
    expect(set(on, false)).toBe('---\ntitle: A\nconfidential: false\n---\nText');
    expect(isConfidential(set(on, false))).toBe(false);
    expect(isConfidential(set(set(on, false), true))).toBe(true);
  });
});
