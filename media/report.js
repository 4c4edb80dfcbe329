// @ts-check
// Renders a VerifyReport posted by the extension. Runs in the webview under a nonce-only CSP: no network,
// no inline handlers, DOM built with createElement (report strings are never parsed as HTML).
/** @typedef {import('../server/src/engine/verifyTypes').VerifyReport} VerifyReport */
/** @typedef {import('../server/src/engine/verifyTypes').CaseReport} CaseReport */
/** @typedef {import('../server/src/engine/compare/types').OutputComparison} OutputComparison */
/** @typedef {import('../server/src/engine/fixtures/inputUsage').InputUsage} InputUsage */
/** @typedef {import('../server/src/engine/carryStream').CarryReport} CarryReport */
/** @typedef {import('../server/src/engine/locate/types').Divergence} Divergence */
/** @typedef {import('../server/src/engine/stageVerify/types').StageVerifyReport} StageVerifyReport */
/** @typedef {{ type: 'report', report: VerifyReport } | { type: 'stageReport', report: StageVerifyReport }} WebviewMessage */
(function () {
  'use strict';
  /** @type {VsCodeApi<{ report?: VerifyReport, stageReport?: StageVerifyReport }>} */
  const vscode = acquireVsCodeApi();
  const root = /** @type {HTMLElement} */ (document.getElementById('root'));
  const SVG = 'http://www.w3.org/2000/svg';

  /**
   * @param {string} tag
   * @param {Record<string, string>} [attrs]
   * @param {(Node | string | undefined)[]} [children]
   * @returns {HTMLElement}
   */
  function h(tag, attrs, children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    for (const c of children || []) if (c !== undefined) el.append(c);
    return el;
  }

  /** Non-finite numbers arrive as "Infinity", "-Infinity" or "NaN" (JSON has no literal for them). @param {number | string | null | undefined} x */
  function num(x) {
    if (x === undefined || x === null) return '–';
    if (typeof x === 'string' || !Number.isFinite(x)) return String(x);
    if (x === 0) return '0';
    const a = Math.abs(x);
    return a >= 1e4 || a < 1e-3 ? x.toExponential(2) : x.toPrecision(4).replace(/\.?0+$/, '');
  }

  /** ' (informative)' after top-k figures of an output not known to hold class scores. @param {{ topKInformative?: boolean }} o */
  function informative(o) {
    return o.topKInformative ? ' (informative: not known to be class scores)' : '';
  }

  /** @param {string} status */
  function badge(status) {
    return h('span', { class: `badge ${status}` }, [status.toUpperCase()]);
  }

  /** A link that asks the extension to open a file (at a 1-based line). */
  /**
   * @param {string} file
   * @param {number} [line]
   */
  function fileLink(file, line) {
    const a = h('a', { href: '#', title: file }, [line ? `${file}:${line}` : file]);
    a.addEventListener('click', (e) => {
      e.preventDefault();
      vscode.postMessage({ type: 'open', file, line });
    });
    return a;
  }

  /** Histogram of |diff| as bars on a log-spaced axis; bin 0 holds exact zeros. */
  function histogram(/** @type {{edges: number[], counts: number[]}} */ hist, /** @type {number} */ atol) {
    const width = 320;
    const height = 90;
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${width} ${height + 16}`);
    svg.setAttribute('class', 'histogram');
    svg.setAttribute('role', 'img');
    const counts = hist.counts || [];
    const max = Math.max(1, ...counts);
    const bar = width / Math.max(1, counts.length);
    counts.forEach((c, i) => {
      const hgt = c === 0 ? 0 : Math.max(1, (Math.log1p(c) / Math.log1p(max)) * height);
      const rect = document.createElementNS(SVG, 'rect');
      const lo = hist.edges[i];
      rect.setAttribute('x', String(i * bar + 1));
      rect.setAttribute('y', String(height - hgt));
      rect.setAttribute('width', String(Math.max(1, bar - 2)));
      rect.setAttribute('height', String(hgt));
      rect.setAttribute('class', lo !== undefined && lo > atol ? 'bar over' : 'bar');
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `[${num(hist.edges[i])}, ${num(hist.edges[i + 1])}): ${c}`;
      rect.append(title);
      svg.append(rect);
    });
    for (const [x, text, anchor] of [
      [0, num(hist.edges[0]), 'start'],
      [width, num(hist.edges[hist.edges.length - 1]), 'end'],
    ]) {
      const t = document.createElementNS(SVG, 'text');
      t.setAttribute('x', String(x));
      t.setAttribute('y', String(height + 13));
      t.setAttribute('text-anchor', String(anchor));
      t.textContent = String(text);
      svg.append(t);
    }
    return svg;
  }

  function outputsTable(/** @type {OutputComparison[]} */ outputs) {
    const head = [
      'Output',
      'Result',
      'Max abs',
      'Max rel',
      'Mismatch %',
      'Min passing atol',
      'Top-1 agreement',
      'Top-5 agreement',
    ];
    const rows = outputs.map((o) =>
      h('tr', {}, [
        h('td', {}, [o.name === o.candidateName ? o.name : `${o.name} → ${o.candidateName}`]),
        h('td', {}, [badge(o.passed ? 'pass' : 'fail')]),
        h('td', { class: 'n' }, [num(o.maxAbs)]),
        h('td', { class: 'n' }, [num(o.maxRel)]),
        h('td', { class: 'n' }, [num(o.mismatchPct)]),
        h('td', { class: 'n' }, [num(o.minPassingAtol)]),
        // argmax agreement on an output not known to hold class scores is marked, as in every other format
        h('td', { class: 'n' }, [
          o.top1Agreement === undefined ? '–' : `${num(o.top1Agreement * 100)}%${informative(o)}`,
        ]),
        h('td', { class: 'n' }, [
          o.top5Agreement === undefined ? '–' : `${num(o.top5Agreement * 100)}%${informative(o)}`,
        ]),
      ]),
    );
    return h('table', { class: 'outputs' }, [
      h('thead', {}, [
        h(
          'tr',
          {},
          head.map((t) => h('th', {}, [t])),
        ),
      ]),
      h('tbody', {}, rows),
    ]);
  }

  function outputDetail(/** @type {OutputComparison} */ o) {
    /** @type {Element[]} */
    const parts = [
      h('h4', {}, [
        `${o.name} `,
        h('span', { class: 'muted' }, [
          `${o.dtype}${o.candidateDtype ? ` (candidate ${o.candidateDtype})` : ''} [${(o.shape || []).join(', ')}], atol ${num(o.tolerance.atol)}, rtol ${num(o.tolerance.rtol)}`,
        ]),
      ]),
    ];
    if (o.shapeMismatch) {
      parts.push(
        h('p', { class: 'error' }, [
          `Shape mismatch in ${o.shapeMismatch.caseId}: [${o.shapeMismatch.baseline.join(',')}] vs [${o.shapeMismatch.candidate.join(',')}]`,
        ]),
      );
    } else {
      parts.push(histogram(o.histogram || { edges: [], counts: [] }, o.tolerance.atol));
    }
    if (o.worst) {
      const w = o.worst;
      parts.push(
        h('p', { class: 'worst' }, [
          `Worst element: ${w.caseId} [${w.index.join(', ')}] baseline ${w.baseline}, candidate ${w.candidate} (|diff| ${num(w.absDiff)}, rel ${num(w.relDiff)})`,
        ]),
      );
    }
    return h('div', { class: 'output' }, parts);
  }

  /**
   * max|Δ| per step of a stateful (--carry) case, one line per output on a log axis, with each output's atol as a
   * dashed line and the first step beyond tolerance marked.
   */
  function stepsPlot(/** @type {CarryReport} */ carry, /** @type {OutputComparison[]} */ outputs) {
    const width = 480;
    const height = 120;
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${width} ${height + 16}`);
    svg.setAttribute('class', 'steps');
    svg.setAttribute('role', 'img');
    const steps = carry.steps || [];
    const all = steps
      .flatMap((s) => s.outputs.map((o) => o.maxAbs))
      .concat(outputs.map((o) => o.tolerance.atol))
      .filter((/** @type {number} */ v) => v > 0 && Number.isFinite(v));
    const lo = Math.log10(Math.min(...all, 1e-12));
    const hi = Math.log10(Math.max(...all, 1e-12)) + 0.1;
    const y = (/** @type {number} */ v) =>
      v > 0 && Number.isFinite(v)
        ? height - ((Math.log10(v) - lo) / Math.max(1e-9, hi - lo)) * height
        : v > 0
          ? 0
          : height;
    const x = (/** @type {number} */ i) => (steps.length <= 1 ? width / 2 : (i / (steps.length - 1)) * width);
    outputs.forEach((o, k) => {
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute(
        'points',
        steps.map((s, i) => `${x(i).toFixed(1)},${y(s.outputs[k] ? s.outputs[k].maxAbs : 0).toFixed(1)}`).join(' '),
      );
      line.setAttribute('class', `series s${k % 4}`);
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${o.name}: max|Δ| per step`;
      line.append(title);
      svg.append(line);
      const atol = document.createElementNS(SVG, 'line');
      for (const [a, v] of [
        ['x1', '0'],
        ['x2', String(width)],
        ['y1', y(o.tolerance.atol).toFixed(1)],
        ['y2', y(o.tolerance.atol).toFixed(1)],
      ])
        atol.setAttribute(a, v);
      atol.setAttribute('class', `atol s${k % 4}`);
      svg.append(atol);
    });
    if (carry.firstFailingStep !== undefined) {
      const mark = document.createElementNS(SVG, 'line');
      const mx = x(carry.firstFailingStep).toFixed(1);
      for (const [a, v] of [
        ['x1', mx],
        ['x2', mx],
        ['y1', '0'],
        ['y2', String(height)],
      ])
        mark.setAttribute(a, v);
      mark.setAttribute('class', 'first-failing');
      svg.append(mark);
    }
    for (const [tx, text, anchor] of [
      [0, 'step 0', 'start'],
      [width, `step ${steps.length - 1}`, 'end'],
    ]) {
      const t = document.createElementNS(SVG, 'text');
      t.setAttribute('x', String(tx));
      t.setAttribute('y', String(height + 13));
      t.setAttribute('text-anchor', String(anchor));
      t.textContent = String(text);
      svg.append(t);
    }
    return svg;
  }

  /** The inputs as fed: dtype, concrete shape, declared shape, value range, how they were generated or cast. */
  function inputsTable(/** @type {InputUsage[]} */ inputs) {
    const head = ['Input', 'Fed as', 'Declared', 'Values', 'Generated', 'Cast'];
    const rows = inputs.map((u) =>
      h('tr', { class: u.defaultedDims && u.defaultedDims.length ? 'defaulted' : '' }, [
        h('td', {}, [u.name]),
        h('td', {}, [`${u.dtype}[${(u.shape || []).join(', ')}]${u.shapeVaries ? ' (varies)' : ''}`]),
        h('td', {}, [u.declared]),
        h('td', { class: 'n' }, [u.min === undefined ? '–' : `[${num(u.min)}, ${num(u.max)}]`]),
        h('td', {}, [
          (!u.generated
            ? 'from fixtures'
            : 'value' in u.generated
              ? `fill ${num(u.generated.value)}`
              : `uniform [${num(u.generated.range[0])}, ${num(u.generated.range[1])})`) +
            (u.carriedFrom ? `; steps 1+: own ${u.carriedFrom}` : ''),
        ]),
        h('td', {}, [
          [
            u.fixtureDtype ? `fixtures from ${u.fixtureDtype}` : '',
            ...Object.entries(u.castTo || {}).map(([side, t]) => `${side}: ${t}`),
          ]
            .filter(Boolean)
            .join(', ') || '–',
        ]),
      ]),
    );
    return h('table', { class: 'inputs' }, [
      h('thead', {}, [
        h(
          'tr',
          {},
          head.map((t) => h('th', {}, [t])),
        ),
      ]),
      h('tbody', {}, rows),
    ]);
  }

  /** Where the models first diverge (verify --locate / "Explain divergence"), and the path to the output. */
  function divergenceSection(/** @type {Divergence} */ d) {
    const parts = [h('h3', {}, ['First divergence'])];
    const b = d.baseline;
    const cand = d.candidate;
    if (!d.found || !b || !cand) {
      parts.push(h('p', { class: 'error' }, [`Not located: ${d.reason || 'unknown reason'}`]));
      return h('div', { class: 'divergence' }, parts);
    }
    const chain = d.replacedChain.length ? ` (replacing ${d.replacedChain.join(' → ')} → ${b.name})` : '';
    parts.push(
      h('p', { class: 'first' }, [
        `${b.opType} '${b.name}' (candidate ${cand.opType} '${cand.name}'${chain}): inputs max|Δ| ${num(d.inputMaxAbs)}, output max|Δ| ${num(d.outputMaxAbs)}`,
      ]),
      h('p', { class: 'muted' }, [
        `Output '${b.output}' ↔ '${cand.output}', matched by ${d.matchedBy ?? 'unknown'}. Searched ${d.fixtures.join(', ')}: ${d.compared} tensor pairs in ${d.rounds} rounds.`,
      ]),
    );
    if (d.controlFlow) parts.push(h('p', { class: 'warnings' }, [d.controlFlow]));
    const rows = d.path.map((p) =>
      h('tr', { class: p.diverges ? 'diverges' : '' }, [
        h('td', {}, [p.opType]),
        h('td', {}, [p.name]),
        h('td', {}, [p.output]),
        h('td', { class: 'n' }, [p.maxAbs === undefined ? 'not compared' : num(p.maxAbs)]),
      ]),
    );
    parts.push(
      h('table', { class: 'path' }, [
        h('thead', {}, [
          h(
            'tr',
            {},
            ['Op', 'Node', 'Output', 'max|Δ|'].map((t) => h('th', {}, [t])),
          ),
        ]),
        h('tbody', {}, rows),
      ]),
    );
    return h('div', { class: 'divergence' }, parts);
  }

  function caseSection(/** @type {CaseReport} */ c) {
    /** @type {Element[]} */
    const items = [h('h2', {}, [badge(c.status), ' ', c.name])];
    const models = [];
    if (c.baseline) models.push(h('li', {}, ['Baseline: ', fileLink(c.baseline.resolved)]));
    if (c.candidate) models.push(h('li', {}, ['Candidate: ', fileLink(c.candidate.resolved)]));
    models.push(
      h('li', {}, [
        `Fixtures: ${c.fixtures.count} ${c.fixtures.synthetic ? 'synthetic' : 'from '}`,
        c.fixtures.synthetic ? undefined : fileLink(c.fixtures.origin),
      ]),
    );
    if (c.run && c.status !== 'error') {
      const probe =
        c.run.probe && c.run.probe.identical
          ? ` (first ${c.run.probe.fixtures} fixtures bit-identical stacked and alone)`
          : '';
      const ran =
        c.run.mode === 'batched'
          ? `batched, up to ${c.run.rowsPerRun} rows per run${probe}`
          : `one fixture per run: ${c.run.reason}`;
      models.push(h('li', { class: 'ran' }, [`Ran: ${ran}`]));
    }
    items.push(h('ul', { class: 'meta' }, models));
    if (c.error) {
      items.push(
        h('p', { class: 'error' }, [
          `${c.error.code}: ${c.error.message} `,
          c.error.file ? fileLink(c.error.file, c.error.line) : undefined,
        ]),
      );
    }
    if (c.warnings && c.warnings.length) {
      items.push(
        h(
          'ul',
          { class: 'warnings' },
          c.warnings.map((/** @type {string} */ w) => h('li', {}, [`Warning: ${w}`])),
        ),
      );
    }
    if (c.inputs && c.inputs.length) {
      items.push(h('h3', {}, ['Inputs']));
      items.push(inputsTable(c.inputs));
    }
    if (c.carry) {
      const pairs = Object.entries(c.carry.carry)
        .map(([o, i]) => `${o} → ${i}`)
        .join(', ');
      const first =
        c.carry.firstFailingStep === undefined
          ? 'no step exceeded tolerance'
          : `first step beyond tolerance: ${c.carry.firstFailingStep} (${c.carry.steps[c.carry.firstFailingStep].caseId})`;
      items.push(h('h3', {}, ['Steps']));
      items.push(h('p', { class: 'carry' }, [`Carried ${pairs} over ${c.carry.steps.length} steps; ${first}.`]));
      items.push(stepsPlot(c.carry, c.outputs || []));
    }
    if (c.signatureDifferences && c.signatureDifferences.length) {
      items.push(h('h3', {}, ['Signature differences']));
      items.push(
        h(
          'ul',
          { class: 'sig' },
          c.signatureDifferences.map((d) => h('li', {}, [`${d.side} ${d.name}: ${d.message}`])),
        ),
      );
    }
    if (c.outputs && c.outputs.length) {
      items.push(outputsTable(c.outputs));
      items.push(...c.outputs.map(outputDetail));
    }
    if (c.divergence) items.push(divergenceSection(c.divergence));
    return h('section', { class: `case ${c.status}` }, items);
  }

  function render(/** @type {VerifyReport} */ report) {
    const failed = report.cases.filter((c) => c.status !== 'pass').length;
    root.replaceChildren(
      h('header', {}, [
        h('h1', {}, [badge(report.passed ? 'pass' : 'fail'), ' ML Parity report']),
        h('p', { class: 'muted' }, [
          `${report.cases.length} case(s), ${failed} not passing · ${new Date(report.createdAt).toLocaleString()} · ${report.tool.name} ${report.tool.version}`,
        ]),
      ]),
      ...report.cases.map(caseSection),
    );
    vscode.setState({ report });
  }

  /** A verify-stage report: the verdict, the smallest counterexample with both outcomes, and the notes. */
  function renderStage(/** @type {StageVerifyReport} */ r) {
    const ok = r.status === 'equivalent';
    const c = r.counterexample;
    /** @type {Element[]} */
    const items = [
      h('header', {}, [
        h('h1', {}, [badge(ok ? 'pass' : 'fail'), ` Stage ${r.stage}: ${ok ? 'equivalent' : 'not equivalent'}`]),
        h('p', { class: 'muted' }, [
          `${r.baselineLabel} vs ${r.candidateLabel} · ${r.failures} of ${r.inputs.total} inputs differ · seed ${r.seed} · `,
          fileLink(r.location.file, r.location.range.start.line + 1),
        ]),
      ]),
    ];
    if (c) {
      items.push(
        h('section', { class: 'case fail stage-counterexample' }, [
          h('h2', {}, [c.shrunk ? 'Smallest counterexample' : 'First counterexample']),
          h('pre', { class: 'call' }, [c.display]),
          h('table', {}, [
            h('tr', {}, [h('th', {}, [r.baselineLabel]), h('td', {}, [h('code', {}, [c.baseline.display])])]),
            h('tr', {}, [h('th', {}, [r.candidateLabel]), h('td', {}, [h('code', {}, [c.candidate.display])])]),
            h('tr', {}, [h('th', {}, ['differs at']), h('td', {}, [c.difference])]),
          ]),
        ]),
      );
    }
    if (r.notes && r.notes.length)
      items.push(
        h(
          'ul',
          { class: 'notes' },
          r.notes.map((n) => h('li', {}, [n])),
        ),
      );
    root.replaceChildren(...items);
    vscode.setState({ stageReport: r });
  }

  window.addEventListener('message', (/** @type {MessageEvent<WebviewMessage>} */ e) => {
    const m = e.data;
    if (m && m.type === 'report') render(m.report);
    if (m && m.type === 'stageReport') renderStage(m.report);
  });
  const saved = vscode.getState();
  if (saved && saved.report) render(saved.report);
  if (saved && saved.stageReport) renderStage(saved.stageReport);
  vscode.postMessage({ type: 'ready' });
})();
