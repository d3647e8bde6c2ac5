import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { memo, useEffect, useRef } from 'react';
import { formatTokens, formatUsd } from '../ui/format';
import { totalSpend } from './spend';
import type { PhaseSpend } from './workflow-view';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

/**
 * Tokens (input and output, stacked) and cost per phase: a Chart.js bar chart for the eye, and
 * the same figures as a table for screen readers and anyone who wants the numbers.
 */
export const SpendChart = memo(function SpendChart({ spend }: { spend: PhaseSpend[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar'> | null>(null);

  useEffect(() => {
    if (!canvas.current) return;
    // The page's own text and line colours (light or dark), not Chart.js's grey, which is faint on a dark card.
    const css = getComputedStyle(canvas.current);
    const text = css.getPropertyValue('--text').trim() || '#1b1f24';
    const grid = { color: css.getPropertyValue('--border').trim() || '#d0d7de' };
    chart.current = new Chart(canvas.current, {
      type: 'bar',
      data: { labels: [], datasets: [] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        color: text,
        scales: {
          x: { stacked: true, ticks: { color: text }, grid },
          tokens: {
            type: 'linear',
            position: 'left',
            stacked: true,
            beginAtZero: true,
            ticks: { color: text },
            grid,
            title: { display: true, text: 'tokens', color: text },
          },
          cost: {
            type: 'linear',
            position: 'right',
            beginAtZero: true,
            ticks: { color: text },
            grid: { ...grid, drawOnChartArea: false },
            title: { display: true, text: 'USD', color: text },
          },
        },
      },
    });
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = spend.map((s) => s.phase);
    c.data.datasets = [
      { label: 'Input tokens', data: spend.map((s) => s.inputTokens), yAxisID: 'tokens', stack: 'tokens', backgroundColor: '#4e79a7' },
      { label: 'Output tokens', data: spend.map((s) => s.outputTokens), yAxisID: 'tokens', stack: 'tokens', backgroundColor: '#f28e2b' },
      { label: 'Cost (USD)', data: spend.map((s) => s.costUsd), yAxisID: 'cost', stack: 'cost', backgroundColor: '#59a14f' },
    ];
    c.update();
  }, [spend]);

  const total = totalSpend(spend);
  return (
    <section className="card" aria-labelledby="spend-heading">
      <h2 id="spend-heading">Tokens and cost per phase</h2>
      <div className="chart">
        <canvas ref={canvas} role="img" aria-label="Bar chart of tokens and cost per phase; the table below holds the same figures" />
      </div>
      <details>
        <summary>As a table</summary>
        <div className="table-scroll">
          <table className="spend">
            <thead>
              <tr>
                <th scope="col">Phase</th>
                <th scope="col">Calls</th>
                <th scope="col">Input tokens</th>
                <th scope="col">Output tokens</th>
                <th scope="col">Cost</th>
              </tr>
            </thead>
            <tbody>
              {spend.map((s) => (
                <tr key={s.phase}>
                  <th scope="row">{s.phase}</th>
                  <td>{s.calls}</td>
                  <td>{formatTokens(s.inputTokens)}</td>
                  <td>{formatTokens(s.outputTokens)}</td>
                  <td>
                    {formatUsd(s.costUsd)}
                    {s.unpricedCalls > 0 && ` + ${s.unpricedCalls} unpriced`}
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <td>{total.calls}</td>
                <td>{formatTokens(total.inputTokens)}</td>
                <td>{formatTokens(total.outputTokens)}</td>
                <td>
                  {formatUsd(total.costUsd)}
                  {total.unpricedCalls > 0 && ` + ${total.unpricedCalls} unpriced`}
                </td>
              </tr>
            </tfoot>
          </table>
        </div>
      </details>
    </section>
  );
});
