// Small pure helpers of the model settings and costs views.

/** "gpt → lokal", "gpt, lokal" or "gpt lokal" → ["gpt", "lokal"]. */
export function parseChain(text: string): string[] {
  return text
    .split(/[\s,;→>]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== '-');
}

/** Millionths of a currency unit as money, e.g. 1234 → "0,0012 $" (de) or "$0.0012" (en). */
export function formatMicros(micros: number, currency: string, locale: string): string {
  const value = micros / 1e6;
  const digits = value !== 0 && Math.abs(value) < 0.01 ? 4 : 2;
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/** Share of a budget spent, 0..1 (null without a budget). */
export function budgetShare(spentMicros: number, budget: number | null): number | null {
  if (budget === null || budget <= 0) return null;
  return Math.min(1, spentMicros / 1e6 / budget);
}
