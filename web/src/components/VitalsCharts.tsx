// The history of each vital sign of a patient, one small uPlot chart per measure taken (GET /patients/{id}/vitals):
// the last value in words with its flag, the territory's usual range as a band, and the same facts as text for
// screen readers (the canvas itself is hidden from them). Vital signs are health data: the server answers 403 to
// those who may not see them, and then nothing is drawn.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, type VitalKey, type VitalsHistory } from '../api';
import { t } from '../i18n';

const num = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 });
const day = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'short' });
const ORDER: VitalKey[] = ['systolic', 'diastolic', 'heart_rate', 'spo2', 'temperature', 'glycemia', 'weight', 'pain'];
// Canvas colours cannot read CSS variables: the app's primary and a warm tone for the band, both AA on white.
const LINE = '#0b5e63';
const BAND = 'rgba(11, 94, 99, 0.10)';

type Point = VitalsHistory['series'][VitalKey][number];
type Range = { low: number; high: number } | undefined;

export function flagOf(value: number, range: Range): 'high' | 'low' | null {
  if (!range) return null;
  return value > range.high ? 'high' : value < range.low ? 'low' : null;
}

export function VitalsCharts({ patientId, refresh = 0 }: { patientId: string; refresh?: number }) {
  const [data, setData] = useState<VitalsHistory | null>(null);
  useEffect(() => {
    let live = true;
    api.vitalsHistory(patientId)
      .then((d) => { if (live) setData(d); })
      // 403: not for this grant (a social professional); anything else: the notebook below still works.
      .catch(() => { if (live) setData(null); });
    return () => { live = false; };
  }, [patientId, refresh]);
  if (!data) return null;
  const taken = ORDER.filter((k) => (data.series[k]?.length ?? 0) > 0);
  if (!taken.length) return null;
  return (
    <section class="card vitals-charts" aria-labelledby="vitals-charts-title" data-testid="vitals-charts">
      <h2 id="vitals-charts-title" class="card__title">{t.vitalsCharts.title}</h2>
      <div class="vitals-charts__grid">
        {taken.map((k) => <VitalChart key={k} measure={k} points={data.series[k]} range={data.ranges[k]} />)}
      </div>
    </section>
  );
}

function VitalChart({ measure, points, range }: { measure: VitalKey; points: Point[]; range: Range }) {
  const box = useRef<HTMLDivElement>(null);
  const label = t.notebook.vitalLabels[measure];
  const unit = t.notebook.vitalUnits[measure];
  const last = points[0];
  const flag = flagOf(last.value, range);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const asc = [...points].reverse();
    const xs = asc.map((p) => Date.parse(p.at) / 1000);
    const ys = asc.map((p) => p.value);
    const values = range ? [...ys, range.low, range.high] : ys;
    const lo = Math.min(...values), hi = Math.max(...values);
    const pad = (hi - lo) * 0.15 || 1;
    const opts: uPlot.Options = {
      width: el.clientWidth || 300,
      height: 110,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true }, y: { range: [lo - pad, hi + pad] } },
      axes: [
        // French dates on the time axis ("29 nov."), not uPlot's month/day.
        { size: 28, font: '12px system-ui', stroke: '#4a5560', grid: { show: false },
          values: (_u: uPlot, splits: number[]) => splits.map((v) => day.format(new Date(v * 1000))) },
        { size: 40, font: '12px system-ui', stroke: '#4a5560', grid: { stroke: '#e3e7ea' } },
      ],
      series: [{}, { stroke: LINE, width: 2, points: { show: true, size: 6, fill: LINE } }],
      hooks: range ? {
        // The usual range as a band behind the line.
        drawClear: [(u: uPlot) => {
          const top = u.valToPos(range.high, 'y', true), bottom = u.valToPos(range.low, 'y', true);
          u.ctx.save();
          u.ctx.fillStyle = BAND;
          u.ctx.fillRect(u.bbox.left, top, u.bbox.width, bottom - top);
          u.ctx.restore();
        }],
      } : {},
    };
    const plot = new uPlot(opts, [xs, ys], el);
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth || 300, height: 110 }));
    resize.observe(el);
    return () => { resize.disconnect(); plot.destroy(); };
  }, [points, range]);

  const values = points.map((p) => p.value);
  const summary = t.vitalsCharts.summary(points.length, day.format(new Date(points[points.length - 1].at)),
    day.format(new Date(last.at)), num.format(Math.min(...values)), num.format(Math.max(...values)), unit);
  return (
    <figure class="vital-chart" data-testid={`vital-chart-${measure}`} data-flag={flag ?? undefined}>
      <figcaption>
        <strong>{label}</strong>
        <span class="vital-chart__last">
          {t.vitalsCharts.last(num.format(last.value), unit, day.format(new Date(last.at)))}
          {flag && <span class={`vital-flag vital-flag--${flag}`}>{t.vitalsCharts.flag[flag]}</span>}
        </span>
        {range && <span class="hint">{t.vitalsCharts.usual(num.format(range.low), num.format(range.high), unit)}</span>}
      </figcaption>
      <div ref={box} class="vital-chart__plot" aria-hidden="true" />
      <p class="sr-only">{summary}</p>
    </figure>
  );
}
