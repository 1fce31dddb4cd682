// Numbers, money, sizes and dates as people read them, in the page's language.
import type { Locale, Money } from "./api/client";

export function money(amount: Money, locale: Locale): string {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency: amount.currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount.minorUnits / 10 ** digits);
}

/** Sizes in MB (one decimal), KB under a tenth of a MB: never bytes. */
export function fileSize(bytes: number, locale: Locale): string {
  const number = (n: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(n);
  return bytes < 100 * 1024 ? `${number(bytes / 1024)} KB` : `${number(bytes / (1024 * 1024))} MB`;
}

/** Days from `from` to `to` (both `YYYY-MM-DD`, UTC calendar days). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
