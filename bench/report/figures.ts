/** One measured figure, beside the baseline it is judged against and, where set, its target. */
export interface Figure {
  section: string;
  name: string;
  value: number;
  unit: 'ms' | 'µs' | 'req/s' | 'events/s' | 'appends/s' | 'reads/s' | 'MB';
  baseline?: { name: string; value: number };
  target?: Target;
  note?: string;
}

/**
 * A target: the value must stay below (`<`), at most (`<=`) or reach (`>=`) the limit. A target
 * `ofBaseline` judges the figure's ratio to its same-run baseline instead of its value, so that it
 * holds on a faster or slower machine alike.
 */
export interface Target {
  op: '<' | '<=' | '>=';
  limit: number;
  ofBaseline?: true;
}

export const below = (limit: number): Target => ({ op: '<', limit });
export const atLeast = (limit: number): Target => ({ op: '>=', limit });
/** At least this share of the baseline (a rate). */
export const shareOfBaselineAtLeast = (limit: number): Target => ({ op: '>=', limit, ofBaseline: true });
/** At most this many times the baseline (a latency or a cost). */
export const timesBaselineAtMost = (limit: number): Target => ({ op: '<=', limit, ofBaseline: true });

/** The figure over its baseline (latency: how many times slower; throughput: what share). */
export const ratio = (f: Figure): number | undefined =>
  // A floor of a hundredth of a unit or less (a lag that is zero at p50) makes no ratio.
  f.baseline && f.baseline.value > 0.01 ? f.value / f.baseline.value : undefined;

export const met = (f: Figure): boolean | undefined => {
  if (f.target === undefined) return undefined;
  const judged = f.target.ofBaseline ? ratio(f) : f.value;
  if (judged === undefined) return false;
  const { op, limit } = f.target;
  return op === '<' ? judged < limit : op === '<=' ? judged <= limit : judged >= limit;
};

const round = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));
const show = (value: number, unit: Figure['unit']) => `${round(value)} ${unit}`;
const limitOf = (t: Target, unit: Figure['unit']) => (t.ofBaseline ? `${t.limit}× baseline` : show(t.limit, unit));
const judgedOf = (f: Figure) => (f.target?.ofBaseline ? `${ratio(f)?.toFixed(2) ?? '?'}× (${show(f.value, f.unit)})` : show(f.value, f.unit));

/** The report as Markdown: one table per section, every figure with its baseline, ratio and target. */
export function toMarkdown(figures: readonly Figure[], header: string): string {
  const sections = [...new Set(figures.map((f) => f.section))];
  const targets = figures.filter((f) => f.target);
  const lines = [header, ''];
  if (targets.length) {
    lines.push('### Targets', '', '| target | measured | met |', '|---|---|---|');
    for (const f of targets) {
      lines.push(`| ${f.section}: ${f.name} ${f.target!.op} ${limitOf(f.target!, f.unit)} | ${judgedOf(f)} | ${met(f) ? 'yes' : '**no**'} |`);
    }
    lines.push('');
  }
  for (const section of sections) {
    lines.push(`### ${section}`, '', '| measure | value | baseline | baseline value | ratio | target |', '|---|---|---|---|---|---|');
    for (const f of figures.filter((x) => x.section === section)) {
      const r = ratio(f);
      const t = f.target ? `${f.target.op} ${f.target.ofBaseline ? `${f.target.limit}×` : round(f.target.limit)}: ${met(f) ? 'met' : '**not met**'}` : '';
      lines.push(
        `| ${f.name}${f.note ? ` (${f.note})` : ''} | ${show(f.value, f.unit)} | ${f.baseline?.name ?? ''} | ${f.baseline ? show(f.baseline.value, f.unit) : ''} | ${r === undefined ? '' : `${r.toFixed(2)}×`} | ${t} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
