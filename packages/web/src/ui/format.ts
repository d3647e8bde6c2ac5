/** Numbers and times as the dashboard shows them, in the reader's locale. */
export const formatUsd = (usd: number): string =>
  usd === 0 ? '$0' : usd < 0.01 ? `$${usd.toPrecision(2)}` : usd.toLocaleString(undefined, { style: 'currency', currency: 'USD', maximumFractionDigits: 4 });

export const formatTokens = (tokens: number): string => tokens.toLocaleString();

export const formatDateTime = (iso: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
};

export const formatPercent = (fraction: number): string => `${Math.round(fraction * 100)}%`;
