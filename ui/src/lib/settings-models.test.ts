import { describe, expect, it } from 'vitest';
import { budgetShare, formatMicros, parseChain } from './settings-models';

describe('model settings helpers', () => {
  it('parses a chain in any of its spellings', () => {
    expect(parseChain('gpt → lokal')).toEqual(['gpt', 'lokal']);
    expect(parseChain(' gpt, lokal ,')).toEqual(['gpt', 'lokal']);
    expect(parseChain('')).toEqual([]);
  });
  it('formats micro amounts with enough digits to see small costs', () => {
    expect(formatMicros(1_234, 'USD', 'en')).toBe('$0.0012');
    expect(formatMicros(2_500_000, 'USD', 'en')).toBe('$2.50');
    expect(formatMicros(0, 'USD', 'en')).toBe('$0.00');
  });
  it('gives the share of a budget', () => {
    expect(budgetShare(5_000_000, 20)).toBe(0.25);
    expect(budgetShare(50_000_000, 20)).toBe(1);
    expect(budgetShare(1, null)).toBeNull();
  });
});
