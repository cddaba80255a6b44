// contactsim's what-if page: levers in, a run on the server, KPIs and plots out.
// The page keeps no state a file cannot reproduce: each what-if is sent as its lever values,
// the server writes the scenario file's text from them and runs exactly that text.
"use strict";

const config = JSON.parse(document.body.dataset.config);
const state = { base: null, info: null, levers: [], whatifs: [], job: null, timer: null,
                results: null };
const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body) };
  const response = await fetch(path, options);
  let data;
  try { data = await response.json(); } catch (e) { data = { error: response.statusText }; }
  if (!response.ok) { throw new Error(data.error || response.statusText); }
  return data;
}

function showError(message) {
  const box = $("error");
  box.textContent = message || "";
  box.hidden = !message;
}

function element(tag, attributes, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) { node.setAttribute(key, value); }
  if (text !== undefined) { node.textContent = text; }
  return node;
}

async function loadScenarios() {
  const data = await api("/api/scenarios");
  const select = $("base");
  select.innerHTML = "";
  for (const name of data.scenarios) { select.appendChild(element("option", { value: name }, name)); }
  if (data.scenarios.length) { await loadBase(data.scenarios[0]); }
}

async function loadBase(name) {
  showError("");
  try {
    const info = await api("/api/levers?base=" + encodeURIComponent(name));
    state.base = name;
    state.info = info;
    state.levers = info.levers;
    state.whatifs = [newWhatif(1)];
    $("seed").value = info.seed;
    $("base-words").textContent = (info.description || info.name) + " — " + info.days + " days";
    drawLevers();
  } catch (error) {
    showError(error.message);
  }
}

function newWhatif(number, values) {
  return { name: "what-if-" + number, values: Object.assign({}, values || {}) };
}

function baseValue(lever) { return lever.value; }

function drawLevers() {
  const table = $("levers");
  table.innerHTML = "";
  const head = element("tr");
  head.appendChild(element("th", { class: "name" }, "Lever"));
  head.appendChild(element("th", {}, "Base"));
  state.whatifs.forEach((whatif, index) => {
    const th = element("th", { class: "whatif", "data-index": String(index) });
    const name = element("input", { class: "whatif-name", value: whatif.name,
                                     "aria-label": "what-if name" });
    name.addEventListener("change", () => { whatif.name = name.value.trim(); });
    th.appendChild(name);
    if (state.whatifs.length > 1) {
      const remove = element("button", { type: "button", title: "remove this what-if" }, "×");
      remove.addEventListener("click", () => { state.whatifs.splice(index, 1); drawLevers(); });
      th.appendChild(remove);
    }
    head.appendChild(th);
  });
  table.appendChild(head);
  let group = null;
  for (const lever of state.levers) {
    if (lever.group !== group) {
      group = lever.group;
      const row = element("tr", { class: "group" });
      row.appendChild(element("td", { colspan: String(2 + state.whatifs.length) }, group));
      table.appendChild(row);
    }
    const row = element("tr");
    const label = element("td", { class: "name", title: (lever.help ? lever.help + " — " : "")
                                  + "writes " + lever.field });
    label.textContent = lever.label + (lever.unit && !lever.switch ? " (" + lever.unit + ")" : "");
    row.appendChild(label);
    row.appendChild(element("td", {}, lever.switch ? (lever.value ? "yes" : "no")
                                                    : String(baseValue(lever))));
    state.whatifs.forEach((whatif, index) => row.appendChild(leverCell(lever, whatif, index)));
    table.appendChild(row);
  }
}

function leverCell(lever, whatif, index) {
  const cell = element("td");
  const given = whatif.values[lever.key];
  const input = lever.switch
    ? element("input", { type: "checkbox" })
    : element("input", { type: "number", min: lever.minimum, max: lever.maximum,
                         step: lever.step });
  input.dataset.lever = lever.key;
  input.dataset.whatif = String(index);
  if (lever.switch) { input.checked = (given === undefined ? lever.value : given) > 0; }
  else { input.value = given === undefined ? lever.value : given; }
  const mark = () => {
    const value = lever.switch ? (input.checked ? 1 : 0) : Number(input.value);
    if (value === lever.value || (!lever.switch && input.value === "")) {
      delete whatif.values[lever.key];
    } else {
      whatif.values[lever.key] = value;
    }
    cell.classList.toggle("moved", whatif.values[lever.key] !== undefined);
  };
  input.addEventListener("change", mark);
  input.addEventListener("input", mark);
  cell.classList.toggle("moved", given !== undefined);
  cell.appendChild(input);
  return cell;
}

async function run() {
  showError("");
  $("saved").textContent = "";
  const body = { base: state.base, reps: Number($("reps").value),
                 seed: $("seed").value === "" ? null : Number($("seed").value),
                 whatifs: state.whatifs.map((w) => ({ name: w.name, values: w.values })) };
  try {
    const started = await api("/api/runs", body);
    state.job = started.id;
    setRunning(true);
    poll();
  } catch (error) {
    showError(error.message);
  }
}

function setRunning(running) {
  $("run").disabled = running;
  $("cancel").disabled = !running;
  document.body.dataset.running = running ? "yes" : "no";
}

async function poll() {
  if (!state.job) { return; }
  let status;
  try {
    status = await api("/api/runs/" + state.job);
  } catch (error) {
    setRunning(false);
    showError(error.message);
    return;
  }
  const percent = Math.round(100 * status.progress);
  $("progress").style.width = percent + "%";
  $("progress").setAttribute("aria-valuenow", String(percent));
  $("progress-words").textContent = status.state + " — " + percent + "% — " + status.elapsed_s + " s";
  if (status.state === "queued" || status.state === "running") {
    state.timer = setTimeout(poll, 400);
    return;
  }
  setRunning(false);
  document.body.dataset.lastState = status.state;
  if (status.state === "done") { showResults(status); }
  else { showError(status.message); }
}

async function cancel() {
  if (!state.job) { return; }
  try { await api("/api/runs/" + state.job + "/cancel", {}); }
  catch (error) { showError(error.message); }
}

function showResults(status) {
  state.results = status.results;
  const results = status.results;
  $("results").hidden = false;
  $("results-words").textContent = results.reps + " replications, seed " + results.seed +
    "; each what-if against " + results.names[0] + " with the same callers. A difference is " +
    "the what-if minus the base, with its 95% interval.";
  drawKpis(results);
  drawSaves(results);
  drawPlotChoices(results);
  drawPlots();
}

function drawKpis(results) {
  const table = element("table", { id: "kpi-table" });
  const head = element("tr");
  head.appendChild(element("th", { class: "name" }, "Line / pool"));
  head.appendChild(element("th", { class: "name" }, "KPI"));
  results.names.forEach((name, index) => head.appendChild(
    element("th", {}, index === 0 ? name + " (base)" : name)));
  table.appendChild(head);
  for (const row of results.kpis) {
    const tr = element("tr", { "data-scope": row.scope, "data-kpi": row.kpi });
    tr.appendChild(element("td", { class: "name" }, row.scope_label));
    tr.appendChild(element("td", { class: "name" }, row.label));
    row.cells.forEach((cell, index) => {
      const td = element("td", { "data-scenario": results.names[index] });
      if (cell) {
        td.appendChild(element("span", { class: "mean" }, cell.text));
        td.appendChild(document.createTextNode(" " + cell.interval));
        if (index > 0 && cell.difference) {
          td.appendChild(element("span", { class: "diff" }, "Δ " + cell.difference));
        }
        if (cell.verdict) { td.classList.add(cell.verdict); td.title = cell.verdict_words; }
      } else { td.textContent = "—"; }
      tr.appendChild(td);
    });
    table.appendChild(tr);
  }
  $("kpis").innerHTML = "";
  $("kpis").appendChild(table);
}

function drawSaves(results) {
  const box = $("saves");
  box.innerHTML = "";
  results.names.forEach((name, index) => {
    if (index === 0) { return; }
    const button = element("button", { type: "button", class: "save",
                                       "data-index": String(index) },
                           "Save " + name + " as a scenario");
    button.addEventListener("click", () => save(index));
    box.appendChild(button);
  });
  const folder = element("button", { type: "button", id: "save-results" },
                         "Save the results folder and report");
  folder.addEventListener("click", saveResults);
  box.appendChild(folder);
}

async function saveResults() {
  try {
    const saved = await api("/api/runs/" + state.job + "/results", {});
    $("saved").textContent = "Saved the results in " + saved.path + "; the report to open " +
      "and forward: " + saved.report;
    $("saved").dataset.results = saved.path;
  } catch (error) {
    showError(error.message);
  }
}

async function save(index) {
  try {
    const saved = await api("/api/runs/" + state.job + "/save", { index: index });
    $("saved").textContent = "Saved " + saved.path + ". The same numbers: " + saved.command;
    $("saved").dataset.path = saved.path;
  } catch (error) {
    showError(error.message);
  }
}

function drawPlotChoices(results) {
  const line = $("plot-line");
  const kpi = $("plot-kpi");
  const keepLine = line.value;
  const keepKpi = kpi.value;
  line.innerHTML = "";
  kpi.innerHTML = "";
  for (const name of results.plots.lines) { line.appendChild(element("option", { value: name }, name)); }
  for (const item of results.plots.kpis) {
    kpi.appendChild(element("option", { value: item.kpi }, item.label));
  }
  if (keepLine) { line.value = keepLine; }
  if (keepKpi) { kpi.value = keepKpi; }
}

const COLOURS = ["#1d4f91", "#d9822b", "#2a9d3c", "#b8325a", "#7b4fb8", "#5a8f9e", "#8c6d31"];

function drawPlots() {
  const results = state.results;
  if (!results) { return; }
  const line = $("plot-line").value;
  const kpi = $("plot-kpi").value;
  const about = results.plots.kpis.find((k) => k.kpi === kpi);
  for (const by of ["hour", "month"]) {
    const target = $("plot-" + by);
    const series = (results.plots.by[by] || {})[line];
    if (!series) { target.innerHTML = ""; target.hidden = true; continue; }
    target.hidden = false;
    const traces = [];
    series[kpi].forEach((one, index) => {
      const colour = COLOURS[index % COLOURS.length];
      const scale = about.share ? 100 : 1;
      const f = (v) => (v === null ? null : v * scale);
      traces.push({ x: one.x.concat(one.x.slice().reverse()),
                    y: one.high.map(f).concat(one.low.map(f).reverse()),
                    fill: "toself", fillcolor: colour + "22", line: { width: 0 },
                    hoverinfo: "skip", showlegend: false, type: "scatter" });
      traces.push({ x: one.x, y: one.mean.map(f), name: one.scenario, type: "scatter",
                    mode: "lines+markers", line: { color: colour },
                    customdata: one.low.map((low, i) => [f(low), f(one.high[i])]),
                    hovertemplate: one.scenario + ": %{y:.3~f}" + (about.unit ? " " + about.unit : "") +
                      " [%{customdata[0]:.3~f}, %{customdata[1]:.3~f}]<extra>%{x}</extra>" });
    });
    Plotly.react(target, traces, {
      title: { text: about.label + " — line " + line + (by === "hour" ? ", by hour of day"
                                                                        : ", by month") },
      xaxis: { title: { text: by === "hour" ? "hour of day" : "month" },
               dtick: by === "hour" ? 2 : undefined },
      yaxis: { title: { text: about.label + (about.unit ? " (" + about.unit + ")" : "") },
               rangemode: "tozero" },
      margin: { t: 50, r: 20, b: 50, l: 60 }, hovermode: "x unified",
      legend: { orientation: "h" } }, { displaylogo: false, responsive: true });
  }
}

function init() {
  $("reps").value = config.default_reps;
  $("reps").max = config.max_reps;
  $("base").addEventListener("change", (event) => loadBase(event.target.value));
  $("add-whatif").addEventListener("click", () => {
    if (state.whatifs.length >= config.max_whatifs) {
      showError("at most " + config.max_whatifs + " what-ifs at once");
      return;
    }
    const last = state.whatifs[state.whatifs.length - 1];
    state.whatifs.push(newWhatif(state.whatifs.length + 1, last ? last.values : {}));
    drawLevers();
  });
  $("run").addEventListener("click", run);
  $("cancel").addEventListener("click", cancel);
  $("plot-line").addEventListener("change", drawPlots);
  $("plot-kpi").addEventListener("change", drawPlots);
  loadScenarios().then(() => { document.body.dataset.ready = "yes"; },
                       (error) => showError(error.message));
}

window.addEventListener("error", () => { document.body.dataset.errors = "yes"; });
init();
