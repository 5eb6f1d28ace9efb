// The active locale as reactive state, and the `t` helpers components call.
import {
  codemirrorPhrases,
  detectLocale,
  formatDateTime,
  formatRelative,
  formatSize,
  isLocale,
  translate,
  translatePlural,
  type Locale,
  type MessageKey,
  type Params,
  type PluralKey,
} from './i18n';

const STORAGE_KEY = 'imprimatur.locale';

function storedLocale(): Locale | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLocale(value) ? value : null;
  } catch {
    return null;
  }
}

export const i18n = $state<{ locale: Locale }>({
  locale: storedLocale() ?? detectLocale(typeof navigator === 'undefined' ? 'en' : navigator.language),
});

export function setLocale(locale: Locale): void {
  i18n.locale = locale;
  document.documentElement.lang = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Storage can be unavailable; the choice then lasts for this session.
  }
}

export function t(key: MessageKey, params?: Params): string {
  return translate(i18n.locale, key, params);
}

export function tn(base: PluralKey, n: number, params?: Params): string {
  return translatePlural(i18n.locale, base, n, params);
}

/** CodeMirror's interface strings in the active locale. */
export function cmPhrases(): Record<string, string> {
  return codemirrorPhrases[i18n.locale];
}

export function relativeTime(timestamp: number, now: number): string {
  return formatRelative(i18n.locale, timestamp, now);
}

export function dateTime(timestamp: number): string {
  return formatDateTime(i18n.locale, timestamp);
}

/** "Ctrl+S" or "⌘S", depending on the platform. */
export function shortcut(key: string, shift = false): string {
  const mac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
  if (mac) return `${shift ? '⇧' : ''}⌘${key.toUpperCase()}`;
  return `Ctrl+${shift ? 'Shift+' : ''}${key.toUpperCase()}`;
}

export function fileSize(bytes: number): string {
  return formatSize(i18n.locale, bytes);
}
