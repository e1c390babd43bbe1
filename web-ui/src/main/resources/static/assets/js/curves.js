// Training curves with uPlot (the WebJar, loaded as an ES module). A chart follows its box's
// width, takes its colours from the page's CSS variables (so light and dark schemes both read
// well) and is redrawn when the scheme changes.

import uPlot from '../../webjars/uplot/1.6.30/dist/uPlot.esm.js';
import { formatNumber, h } from './dom.js';

const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/**
 * @param series [{label, key, color: '--css-var', points: bool}] read from metric rows by `key`
 */
export class LineChart {
  constructor(container, { title, series, yLabel, log = false }) {
    this.series = series;
    this.title = title;
    this.yLabel = yLabel;
    this.log = log;
    this.rows = [];
    this.box = h('div.chart-box');
    this.caption = h('p.chart-caption');
    this.figure = h('figure.chart', { role: 'img', 'aria-label': title },
      h('figcaption', title), this.box, this.caption);
    container.append(this.figure);
    this.resize = new ResizeObserver(() => {
      const size = this.size();
      // only on a real width change: resizing the plot inside the observer must not re-trigger it
      if (this.plot && size.width !== this.plot.width) this.plot.setSize(size);
    });
    this.resize.observe(this.box);
    this.onScheme = () => this.build();
    darkQuery.addEventListener('change', this.onScheme);
    this.build();
  }

  size() {
    const width = Math.max(260, Math.floor(this.box.clientWidth || 600));
    return { width, height: Math.round(Math.min(320, Math.max(200, width * 0.45))) };
  }

  build() {
    this.plot?.destroy();
    const axis = { stroke: cssVar('--text-muted'), grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { stroke: cssVar('--grid') } };
    const opts = {
      ...this.size(),
      scales: { x: { time: false }, y: { distr: this.log ? 3 : 1 } },
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      axes: [
        { ...axis, label: 'step' },
        { ...axis, label: this.yLabel, size: 64, values: (u, ticks) => ticks.map((t) => formatNumber(t, 3)) },
      ],
      series: [
        { label: 'step' },
        ...this.series.map((s) => ({
          label: s.label,
          stroke: cssVar(s.color),
          width: 2,
          spanGaps: true,
          points: { show: s.points ?? false, size: 6, fill: cssVar(s.color) },
          value: (u, v) => (v === null || v === undefined ? '—' : formatNumber(v)),
        })),
      ],
    };
    this.plot = new uPlot(opts, this.data(), this.box);
  }

  data() {
    const xs = this.rows.map((r) => r.step);
    return [xs, ...this.series.map((s) => this.rows.map((r) => (Number.isFinite(r[s.key]) ? r[s.key] : null)))];
  }

  /** Replaces the rows (metric objects with `step` and the series' keys). */
  setRows(rows) {
    this.rows = rows;
    this.plot.setData(this.data());
    const last = {};
    for (const s of this.series) {
      const r = [...rows].reverse().find((x) => Number.isFinite(x[s.key]));
      if (r) last[s.label] = `${formatNumber(r[s.key])} at step ${r.step}`;
    }
    const parts = Object.entries(last).map(([k, v]) => `${k} ${v}`);
    this.caption.textContent = rows.length ? `${rows.length} points. Latest: ${parts.join('; ') || '—'}.` : 'No points yet.';
    this.figure.setAttribute('aria-label', `${this.title}. ${this.caption.textContent}`);
  }

  destroy() {
    this.resize.disconnect();
    darkQuery.removeEventListener('change', this.onScheme);
    this.plot?.destroy();
  }
}
