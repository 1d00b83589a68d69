// Chart.js, bundled (tree-shaken to what a stacked bar chart needs), coloured from the page's CSS
// variables so it follows the light or dark scheme.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { usd } from './format.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

export function seriesColour(i: number): string {
  return css(`--series-${i % 10}`) || '#888';
}

export interface StackedSeries {
  name: string;
  values: number[];
}

/** Daily stacked bars (values in micro-USD). */
export function stackedBars(
  canvas: HTMLCanvasElement,
  days: string[],
  series: StackedSeries[],
): Chart<'bar'> {
  const fg = css('--fg-muted');
  const grid = css('--grid');
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: days.map((d) => d.slice(5)),
      datasets: series.map((s, i) => ({
        label: s.name,
        data: s.values.map((v) => v / 1e6),
        backgroundColor: seriesColour(i),
        borderWidth: 0,
        stack: 'cost',
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { stacked: true, ticks: { color: fg, maxRotation: 0, autoSkip: true }, grid: { display: false } },
        y: {
          stacked: true,
          beginAtZero: true,
          ticks: { color: fg, callback: (v) => usd(Number(v) * 1e6) },
          grid: { color: grid },
        },
      },
      plugins: {
        legend: { position: 'bottom', labels: { color: fg, boxWidth: 12 } },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${usd(Number(c.raw) * 1e6)}` } },
      },
    },
  });
}
