import { describe, expect, it } from 'vitest';
import { detectLocale, dictionaries, formatRelative, translate, translatePlural } from './i18n';

describe('i18n', () => {
  it('has the same keys and placeholders in German and English', () => {
    const keys = Object.keys(dictionaries.en).sort();
    expect(Object.keys(dictionaries.de).sort()).toEqual(keys);
    const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of keys) {
      const k = key as keyof typeof dictionaries.en;
      expect(placeholders(dictionaries.de[k]), key).toEqual(placeholders(dictionaries.en[k]));
    }
  });

  it('picks German only for de-* browser languages', () => {
    expect(detectLocale('de-CH')).toBe('de');
    expect(detectLocale('de')).toBe('de');
    expect(detectLocale('en-GB')).toBe('en');
    expect(detectLocale('fr')).toBe('en');
    expect(detectLocale(undefined)).toBe('en');
  });

  it('fills in parameters with locale number formatting and plural forms', () => {
    expect(translate('de', 'diff_summary', { ins: 1234, del: 5 })).toBe('+1.234 / −5 Wörter');
    expect(translatePlural('de', 'doc_versions', 1)).toBe('1 Version');
    expect(translatePlural('en', 'doc_versions', 3)).toBe('3 versions');
  });

  it('formats relative times in the active locale', () => {
    const now = Date.UTC(2025, 0, 15, 12, 0, 0);
    expect(formatRelative('de', now - 10_000, now)).toBe('gerade eben');
    expect(formatRelative('en', now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(formatRelative('de', now - 3 * 3_600_000, now)).toBe('vor 3 Stunden');
    expect(formatRelative('de', now - 24 * 3_600_000, now)).toBe('gestern');
  });
});
