// Live progress of an ingest job: poll the API every second until the job is done or failed.
(function () {
  "use strict";
  const root = document.getElementById("job");
  if (!root) return;
  const FINAL = new Set(["done", "failed"]);
  const COUNTS = ["read", "stored", "duplicates", "failed", "classified", "indexed"];
  const bar = document.getElementById("job-progress");

  function setText(name, text) {
    root.querySelectorAll('[data-field="' + name + '"]').forEach(function (el) { el.textContent = text; });
  }

  function renderFailures(failures) {
    const body = document.getElementById("failures-body");
    body.replaceChildren();
    failures.forEach(function (failure) {
      const row = document.createElement("tr");
      [String(failure.line), failure.field || "—", failure.reason].forEach(function (text, i) {
        const cell = document.createElement("td");
        cell.textContent = text;
        if (i === 0) cell.className = "num";
        row.appendChild(cell);
      });
      body.appendChild(row);
    });
    document.getElementById("failures-table").hidden = failures.length === 0;
    document.getElementById("failures-empty").hidden = failures.length > 0;
  }

  function render(job) {
    COUNTS.forEach(function (name) { setText(name, job[name].toLocaleString()); });
    const percent = Math.round(job.progress * 100) + "%";
    bar.value = job.progress;
    bar.textContent = percent;
    setText("percent", percent);
    setText("state", job.state);
    root.querySelector("[data-badge]").className = "badge state-" + job.state;
    setText("throughput", job.throughput === null ? "—" : job.throughput.toFixed(1) + " docs/s");
    const message = root.querySelector('[data-field="message"]');
    message.textContent = job.message;
    message.hidden = !job.message;
    root.dataset.state = job.state;
    renderFailures(job.failures);
  }

  function poll() {
    fetch(root.dataset.api, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (job) render(job);
        if (!job || !FINAL.has(job.state)) window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 1000); });
  }

  if (!FINAL.has(root.dataset.state)) window.setTimeout(poll, 1000);
})();
