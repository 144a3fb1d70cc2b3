// Models: the on-device language models, which one is active, downloads and imports.

import * as api from './api';
import type { App, View } from './app';
import { SERIES, chartLayout, chartSummary, doneText, figuresLine, loadBench, measuredText, saveBench, type SavedBench } from './bench';
import { emptyBox, errorBox, h, loadingBox, replace } from './dom';
import { formatDownload, formatMegabytes, fraction, importErrorText, isoDate } from './format';

type DownloadState = { progress: api.DownloadProgress; cancelling: boolean };

export class ModelsView implements View {
  readonly el: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly state: HTMLElement;
  private readonly error: HTMLElement;
  private readonly importPath: HTMLInputElement;
  private readonly importButton: HTMLButtonElement;
  private readonly importStatus: HTMLElement;
  private readonly bench = new BenchCard();
  private models: api.Model[] = [];
  private readonly downloads = new Map<string, DownloadState>();
  private confirming: string | null = null;
  private busy = new Set<string>();
  private seq = 0;

  constructor(private readonly app: App) {
    this.error = h('div', { id: 'models-error', class: 'error', role: 'alert', hidden: true });
    this.state = h('div', { class: 'list-state' });
    this.list = h('ul', { id: 'models-list', class: 'model-list', 'aria-label': 'Models' });
    this.list.addEventListener('click', (e) => this.onListClick(e));
    this.importPath = h('input', {
      id: 'model-import-path',
      type: 'text',
      placeholder: '/home/me/models/model.gguf',
      autocomplete: 'off',
      spellcheck: 'false',
    });
    this.importButton = h('button', { type: 'submit', id: 'model-import', class: 'secondary' }, 'Import');
    this.importStatus = h('p', { class: 'import-status', role: 'status', 'aria-live': 'polite' });
    const importForm = h(
      'form',
      { class: 'import-form' },
      h('label', { for: 'model-import-path' }, 'Path to a GGUF model file on this computer'),
      h('div', { class: 'inline-form' }, this.importPath, this.importButton),
      this.importStatus,
    );
    importForm.addEventListener('submit', (e) => {
      e.preventDefault();
      this.runImport();
    });
    this.el = h(
      'section',
      { class: 'view view-models', 'aria-label': 'Models' },
      h(
        'div',
        { class: 'page' },
        h(
          'header',
          { class: 'page-header' },
          h('h1', { class: 'pane-title' }, 'Models'),
          h(
            'p',
            { class: 'muted' },
            'The language model runs on this computer: nothing you read or ask leaves it. Choose which model answers.',
          ),
        ),
        this.error,
        this.state,
        this.list,
        this.bench.el,
        h('section', { class: 'card import', 'aria-labelledby': 'import-title' }, h('h2', { id: 'import-title' }, 'Import a model file'), importForm),
      ),
    );
  }

  show(): void {
    // The last result for the active model right away (app_info knows which), then again once
    // the list says which model is active.
    const info = this.app.info();
    if (info) this.bench.showFor(info.activeModel);
    this.load();
  }

  private showError(text: string | null): void {
    this.error.textContent = text ?? '';
    this.error.hidden = text === null;
    if (text !== null) this.error.scrollIntoView({ block: 'nearest' });
  }

  private load(): void {
    const mine = ++this.seq;
    if (this.models.length === 0) replace(this.state, loadingBox('Loading the models…'));
    api
      .modelsList()
      .then((models) => {
        if (mine !== this.seq) return;
        this.models = models;
        this.render();
        this.bench.showFor(models.find((m) => m.active)?.id ?? null);
        replace(
          this.state,
          models.length === 0
            ? emptyBox('No models yet', 'Import a GGUF model file below to start.', { id: 'models-empty' })
            : null,
        );
      })
      .catch((e) => {
        if (mine !== this.seq) return;
        replace(this.state, errorBox(api.toCommandError(e), () => this.load()));
        this.bench.showFor(this.app.info()?.activeModel ?? null);
      });
  }

  private render(): void {
    replace(this.list, ...this.models.map((m) => this.row(m)));
  }

  private rerenderRow(id: string): void {
    const model = this.models.find((m) => m.id === id);
    const old = this.list.querySelector(`.model-row[data-id="${CSS.escape(id)}"]`);
    if (model && old) old.replaceWith(this.row(model));
  }

  private row(m: api.Model): HTMLLIElement {
    const download = this.downloads.get(m.id);
    const busy = this.busy.has(m.id);
    const state = m.active
      ? 'Active'
      : m.installed
        ? 'Installed'
        : download
          ? 'Downloading'
          : m.loadable
            ? 'Not downloaded'
            : 'Not supported by this engine yet';
    const actions: HTMLElement[] = [];
    if (m.installed && !m.active) {
      actions.push(h('button', { type: 'button', class: 'model-choose primary', disabled: busy }, 'Use this model'));
    }
    if (!m.installed && !download && m.loadable) {
      actions.push(h('button', { type: 'button', class: 'model-download secondary', disabled: busy }, `Download (${formatMegabytes(m.sizeMb)})`));
    }
    if (m.installed && !m.active) {
      actions.push(h('button', { type: 'button', class: 'model-remove danger-text', disabled: busy }, 'Remove'));
    }
    let extra: HTMLElement | null = null;
    if (download) {
      const f = fraction(download.progress.downloaded, download.progress.total);
      const bar = h('progress', { class: 'download-progress', max: 1, 'aria-label': `Downloading ${m.name}` });
      if (f !== null) bar.value = f;
      extra = h(
        'div',
        { class: 'model-progress', 'aria-live': 'polite' },
        bar,
        h('span', { class: 'download-text' }, download.cancelling ? 'Cancelling…' : formatDownload(download.progress.downloaded, download.progress.total)),
        h(
          'button',
          { type: 'button', class: 'download-cancel secondary', 'aria-label': `Cancel downloading ${m.name}`, disabled: download.cancelling },
          'Cancel',
        ),
      );
    } else if (this.confirming === m.id) {
      extra = h(
        'div',
        { class: 'model-confirm', role: 'group', 'aria-label': 'Confirm removal' },
        h('span', null, `Remove ${m.name} from this computer? You can download it again later.`),
        h('button', { type: 'button', class: 'model-remove-confirm danger' }, 'Remove'),
        h('button', { type: 'button', class: 'model-remove-cancel secondary' }, 'Keep'),
      );
    }
    return h(
      'li',
      { class: `model-row${m.active ? ' active' : ''}`, 'data-id': m.id },
      h(
        'div',
        { class: 'model-info' },
        h(
          'div',
          { class: 'model-title' },
          h('span', { class: 'model-name' }, m.name || m.id),
          m.active ? h('span', { class: 'model-active badge' }, 'Active') : null,
        ),
        m.description ? h('p', { class: 'model-description' }, m.description) : null,
        h(
          'p',
          { class: 'model-facts' },
          h('span', { class: 'model-size' }, formatMegabytes(m.sizeMb)),
          h('span', { class: 'model-state' }, state),
        ),
      ),
      h('div', { class: 'model-actions' }, ...actions),
      extra,
    );
  }

  private onListClick(e: MouseEvent): void {
    const button = (e.target as Element).closest<HTMLButtonElement>('button');
    const row = button?.closest<HTMLElement>('.model-row');
    const id = row?.dataset.id;
    if (!button || !id) return;
    const model = this.models.find((m) => m.id === id);
    if (!model) return;
    if (button.classList.contains('model-choose')) this.choose(model);
    else if (button.classList.contains('model-download')) this.download(model);
    else if (button.classList.contains('download-cancel')) this.cancel(model);
    else if (button.classList.contains('model-remove')) {
      this.confirming = id;
      this.rerenderRow(id);
      this.list.querySelector<HTMLElement>(`.model-row[data-id="${CSS.escape(id)}"] .model-remove-cancel`)?.focus();
    } else if (button.classList.contains('model-remove-cancel')) {
      this.confirming = null;
      this.rerenderRow(id);
    } else if (button.classList.contains('model-remove-confirm')) this.remove(model);
  }

  private choose(m: api.Model): void {
    this.showError(null);
    this.busy.add(m.id);
    this.rerenderRow(m.id);
    api
      .chooseModel(m.id)
      .then((chosen) => {
        this.app.notice(`${chosen.name || chosen.id} answers from now on.`);
        void this.app.refreshInfo();
      })
      .catch((e) => this.showError(`Could not switch to ${m.name}: ${api.toCommandError(e).message}`))
      .finally(() => {
        this.busy.delete(m.id);
        this.load();
      });
  }

  private download(m: api.Model): void {
    this.showError(null);
    this.downloads.set(m.id, { progress: { downloaded: 0, total: m.sizeMb > 0 ? m.sizeMb * 1_000_000 : null }, cancelling: false });
    this.rerenderRow(m.id);
    api
      .downloadModel(m.id, (p) => {
        const d = this.downloads.get(m.id);
        if (!d) return;
        d.progress = p;
        this.updateProgress(m.id, d);
      })
      .then(() => this.app.notice(`${m.name} is downloaded.`))
      .catch((e) => {
        const err = api.toCommandError(e);
        if (this.downloads.get(m.id)?.cancelling || /cancel/i.test(err.kind)) this.app.notice('Download cancelled.');
        else this.showError(`Could not download ${m.name}: ${err.message}`);
      })
      .finally(() => {
        this.downloads.delete(m.id);
        this.load();
        void this.app.refreshInfo();
      });
  }

  /** Updates the bar in place (re-rendering would steal focus from Cancel). */
  private updateProgress(id: string, d: DownloadState): void {
    const row = this.list.querySelector(`.model-row[data-id="${CSS.escape(id)}"]`);
    const bar = row?.querySelector<HTMLProgressElement>('progress.download-progress');
    const text = row?.querySelector('.download-text');
    if (!bar || !text) return this.rerenderRow(id);
    const f = fraction(d.progress.downloaded, d.progress.total);
    if (f === null) bar.removeAttribute('value');
    else bar.value = f;
    text.textContent = d.cancelling ? 'Cancelling…' : formatDownload(d.progress.downloaded, d.progress.total);
  }

  private cancel(m: api.Model): void {
    const d = this.downloads.get(m.id);
    if (!d) return;
    d.cancelling = true;
    this.rerenderRow(m.id);
    api.cancelDownload(m.id).catch((e) => this.showError(api.toCommandError(e).message));
  }

  private remove(m: api.Model): void {
    this.confirming = null;
    this.showError(null);
    this.busy.add(m.id);
    this.rerenderRow(m.id);
    api
      .removeModel(m.id)
      .then(() => this.app.notice(`${m.name} removed.`))
      .catch((e) => this.showError(`Could not remove ${m.name}: ${api.toCommandError(e).message}`))
      .finally(() => {
        this.busy.delete(m.id);
        this.load();
      });
  }

  private runImport(): void {
    const path = this.importPath.value.trim();
    if (path === '') {
      this.showError('Type the path of a .gguf file to import.');
      this.importPath.focus();
      return;
    }
    this.showError(null);
    this.importButton.disabled = true;
    this.importStatus.textContent = 'Importing… large files take a moment.';
    api
      .importModel(path)
      .then((m) => {
        this.importPath.value = '';
        this.importStatus.textContent = `Imported ${m.name || m.id}.`;
        this.load();
        void this.app.refreshInfo();
      })
      .catch((e) => {
        this.importStatus.textContent = '';
        this.showError(importErrorText(path, api.toCommandError(e).message));
      })
      .finally(() => {
        this.importButton.disabled = false;
      });
  }
}

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  if (text !== undefined) el.appendChild(document.createTextNode(text));
  return el;
}

/** The grouped bar chart of a result: prefill and decode speed per prompt length. */
function benchChart(saved: SavedBench): SVGSVGElement {
  const layout = chartLayout(saved.report.rows);
  const chart = svg('svg', {
    id: 'bench-chart',
    class: 'bench-chart',
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    width: '100%',
    role: 'img',
    'aria-label': chartSummary(saved.report),
  });
  chart.appendChild(svg('line', { class: 'bench-baseline', x1: 0, x2: layout.width, y1: layout.baseline + 0.5, y2: layout.baseline + 0.5 }));
  for (const group of layout.groups) {
    const g = svg('g', { class: 'bench-group', 'aria-hidden': 'true' });
    for (const bar of group.bars) {
      g.appendChild(svg('rect', { class: `bench-bar ${bar.series}`, x: bar.x, y: bar.y, width: bar.width, height: bar.height, rx: 2 }));
      g.appendChild(
        svg('text', { class: 'bench-value', x: bar.x + bar.width / 2, y: bar.y - 5, 'text-anchor': 'middle', 'font-size': 11 }, bar.label),
      );
    }
    g.appendChild(svg('text', { class: 'bench-axis', x: group.x, y: layout.baseline + 17, 'text-anchor': 'middle', 'font-size': 11 }, group.label));
    chart.appendChild(g);
  }
  return chart;
}

/** "Speed on this device": measures the active model here (run_bench, with progress and Stop) and
 * shows the last result per model as a chart and a line of figures. */
class BenchCard {
  readonly el: HTMLElement;
  private readonly run: HTMLButtonElement;
  private readonly stop: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly error: HTMLElement;
  private readonly result: HTMLElement;
  /** The model whose result is on screen (undefined before the first showFor). */
  private modelId: string | null | undefined = undefined;
  private running = false;
  private stopping = false;

  constructor() {
    this.run = h('button', { type: 'button', id: 'bench-run', class: 'secondary' }, 'Measure speed');
    this.run.addEventListener('click', () => this.measure());
    this.stop = h('button', { type: 'button', id: 'bench-stop', class: 'secondary', hidden: true }, 'Stop');
    this.stop.addEventListener('click', () => this.requestStop());
    this.status = h('p', { id: 'bench-status', class: 'bench-status', role: 'status', 'aria-live': 'polite' });
    this.error = h('div', { id: 'bench-error', class: 'error', role: 'alert', hidden: true });
    this.result = h('div', { class: 'bench-result' });
    this.el = h(
      'section',
      { id: 'bench', class: 'card bench', 'aria-labelledby': 'bench-title' },
      h(
        'div',
        { class: 'bench-header' },
        h('h2', { id: 'bench-title' }, 'Speed on this device'),
        h('div', { class: 'bench-actions' }, this.run, this.stop),
      ),
      this.status,
      this.error,
      this.result,
    );
  }

  /** Shows the last result for `modelId` (the active model), or the empty state; a running
   * measurement keeps the card as it is. */
  showFor(modelId: string | null): void {
    if (this.running || modelId === this.modelId) return;
    if (this.modelId !== undefined) {
      this.status.textContent = '';
      this.showError(null);
    }
    this.modelId = modelId;
    this.render(loadBench(modelId));
  }

  private render(saved: SavedBench | null): void {
    if (!saved) {
      replace(
        this.result,
        emptyBox(
          'Not measured yet',
          'Measure speed loads the active model and times how fast it reads a prompt and writes an answer, and how much memory ' +
            'it takes. It runs here on this device, takes a few seconds, and sends nothing anywhere.',
          { id: 'bench-empty' },
        ),
      );
      return;
    }
    const r = saved.report;
    replace(
      this.result,
      h(
        'p',
        { class: 'bench-caption' },
        h('span', { class: 'bench-model' }, r.modelId),
        h('time', { class: 'bench-date', datetime: isoDate(saved.measuredAt / 1000) }, measuredText(saved.measuredAt)),
      ),
      h(
        'ul',
        { class: 'bench-legend', 'aria-label': 'Legend' },
        h('li', { class: 'bench-unit' }, 'Tokens per second:'),
        ...SERIES.map((s) => h('li', null, h('span', { class: `bench-swatch ${s.key}`, 'aria-hidden': 'true' }), s.label)),
      ),
      benchChart(saved),
      h('p', { id: 'bench-figures', class: 'bench-figures' }, figuresLine(r)),
    );
  }

  private showError(text: string | null): void {
    this.error.textContent = text ?? '';
    this.error.hidden = text === null;
  }

  private setRunning(running: boolean): void {
    this.running = running;
    this.run.disabled = running;
    this.stop.hidden = !running;
    this.stop.disabled = false;
  }

  private measure(): void {
    if (this.running) return;
    this.showError(null);
    this.stopping = false;
    this.setRunning(true);
    this.status.textContent = 'Loading the model…';
    this.stop.focus();
    api
      .runBench((line) => {
        if (this.running && !this.stopping) this.status.textContent = line;
      })
      .then((report) => {
        const saved = saveBench(report, Date.now());
        this.modelId = report.modelId;
        this.render(saved);
        this.status.textContent = doneText(report);
      })
      .catch((e) => {
        const err = api.toCommandError(e);
        if (err.kind === 'cancelled') {
          this.status.textContent = 'Stopped.';
        } else {
          this.status.textContent = '';
          this.showError(err.message);
        }
      })
      .finally(() => {
        const hadFocus = document.activeElement === this.stop || document.activeElement === document.body;
        this.stopping = false;
        this.setRunning(false);
        if (hadFocus) this.run.focus();
      });
  }

  private requestStop(): void {
    if (!this.running || this.stopping) return;
    this.stopping = true;
    this.stop.disabled = true;
    this.status.textContent = 'Stopping…';
    api.stopBench().catch((e) => {
      this.stopping = false;
      this.stop.disabled = false;
      this.showError(`Could not stop: ${api.toCommandError(e).message}`);
    });
  }
}
