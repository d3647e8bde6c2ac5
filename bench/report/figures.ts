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

/** A target: the value must stay below (`<`) or reach (`>=`) the limit. */
export interface Target {
  op: '<' | '>=';
  limit: number;
}

export const below = (limit: number): Target => ({ op: '<', limit });
export const atLeast = (limit: number): Target => ({ op: '>=', limit });

export const met = (f: Figure): boolean | undefined =>
  f.target === undefined ? undefined : f.target.op === '<' ? f.value < f.target.limit : f.value >= f.target.limit;

/** The figure over its baseline (latency: how many times slower; throughput: what share). */
export const ratio = (f: Figure): number | undefined =>
  // A floor of a hundredth of a unit or less (a lag that is zero at p50) makes no ratio.
  f.baseline && f.baseline.value > 0.01 ? f.value / f.baseline.value : undefined;

const round = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));
const show = (value: number, unit: Figure['unit']) => `${round(value)} ${unit}`;

/** The report as Markdown: one table per section, every figure with its baseline, ratio and target. */
export function toMarkdown(figures: readonly Figure[], header: string): string {
  const sections = [...new Set(figures.map((f) => f.section))];
  const targets = figures.filter((f) => f.target);
  const lines = [header, ''];
  if (targets.length) {
    lines.push('### Targets', '', '| target | measured | met |', '|---|---|---|');
    for (const f of targets) {
      lines.push(`| ${f.section}: ${f.name} ${f.target!.op} ${show(f.target!.limit, f.unit)} | ${show(f.value, f.unit)} | ${met(f) ? 'yes' : '**no**'} |`);
    }
    lines.push('');
  }
  for (const section of sections) {
    lines.push(`### ${section}`, '', '| measure | value | baseline | baseline value | ratio | target |', '|---|---|---|---|---|---|');
    for (const f of figures.filter((x) => x.section === section)) {
      const r = ratio(f);
      const t = f.target ? `${f.target.op} ${round(f.target.limit)}: ${met(f) ? 'met' : '**not met**'}` : '';
      lines.push(
        `| ${f.name}${f.note ? ` (${f.note})` : ''} | ${show(f.value, f.unit)} | ${f.baseline?.name ?? ''} | ${f.baseline ? show(f.baseline.value, f.unit) : ''} | ${r === undefined ? '' : `${r.toFixed(2)}×`} | ${t} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
