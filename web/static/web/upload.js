// Resumable upload from the home page: the file goes to /api/uploads/ in 8 MiB chunks, and after a
// network error the upload resumes from the server's offset (also after a reload: the same file,
// corpus and taxonomy pick up where they stopped). Without JavaScript the form posts the file whole.
(function () {
  "use strict";
  const form = document.querySelector("form[data-uploads]");
  if (!form || !window.fetch || !window.AbortController || !window.localStorage) return;
  const CHUNK_BYTES = 8 * 1024 * 1024; // data-chunk-bytes on the form overrides it
  const CHUNK_TYPE = "application/offset+octet-stream";
  const MAX_TRIES = 8; // failures in a row before the upload pauses (about two minutes)
  const panel = form.querySelector("[data-upload-progress]");
  const bar = panel.querySelector("progress");
  const percent = panel.querySelector("[data-upload-percent]");
  const status = panel.querySelector("[data-upload-status]");
  const cancel = panel.querySelector("[data-upload-cancel]");
  const submit = form.querySelector('button[type="submit"]');
  const csrf = form.elements.csrfmiddlewaretoken.value;
  let running = null; // {url, key, controller, cancelled} of the upload under way

  function headers(extra) {
    return Object.assign({ "X-CSRFToken": csrf, Accept: "application/json" }, extra || {});
  }

  function sleep(ms) {
    return new Promise(function (resolve) { window.setTimeout(resolve, ms); });
  }

  function say(text) { status.textContent = text; }

  function render(offset, size) {
    const share = size ? offset / size : 0;
    bar.value = share;
    bar.textContent = percent.textContent = Math.floor(share * 100) + "%";
  }

  function busy(on) {
    panel.hidden = false;
    submit.disabled = on;
    cancel.hidden = !on;
  }

  // Errors as the API gives them ({field: [messages]} or {detail}), shown under the form's fields.
  function showErrors(errors) {
    form.querySelectorAll("[data-js-error]").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".field.has-error").forEach(function (el) { el.classList.remove("has-error"); });
    Object.keys(errors).forEach(function (name) {
      if (name === "max_size" || name === "offset") return;
      const input = form.elements[name] || form.elements.file; // size, filename, detail: the file's
      const field = input.closest(".field");
      const message = document.createElement("p");
      message.className = "error";
      message.setAttribute("role", "alert");
      message.dataset.jsError = "";
      message.textContent = [].concat(errors[name]).join(" ");
      field.classList.add("has-error");
      field.appendChild(message);
    });
  }

  async function send(url, init) {
    try {
      return await fetch(url, Object.assign({ headers: headers() }, init));
    } catch (error) {
      return null; // the network failed, or the upload was cancelled
    }
  }

  async function startOrResume(file, key) {
    const saved = localStorage.getItem(key);
    if (saved) {
      const response = await send(saved);
      if (response && response.ok) return response.json();
    }
    const response = await send(form.dataset.uploads, {
      method: "POST",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify({
        filename: file.name,
        size: file.size,
        corpus: form.elements.corpus.value,
        taxonomy: form.elements.taxonomy.value,
      }),
    });
    if (!response) return showErrors({ file: "The server cannot be reached; try again." });
    const data = await response.json();
    if (!response.ok) return showErrors(data);
    localStorage.setItem(key, data.url);
    return data;
  }

  async function upload(file) {
    const key = ["shelfmark-upload", file.name, file.size, file.lastModified,
                 form.elements.corpus.value, form.elements.taxonomy.value].join("|");
    showErrors({});
    busy(true);
    say("Starting…");
    let state = await startOrResume(file, key);
    if (!state) return busy(false);
    const me = (running = { url: state.url, key: key, cancelled: false });
    const chunkBytes = Number(form.dataset.chunkBytes) || CHUNK_BYTES;
    let tries = 0;
    while (!state.job) {
      render(state.offset, state.size);
      say("Uploading " + file.name + "…");
      me.controller = new AbortController();
      const response = await send(state.url, {
        method: "PATCH",
        headers: headers({ "Content-Type": CHUNK_TYPE, "Upload-Offset": String(state.offset) }),
        body: file.slice(state.offset, state.offset + chunkBytes),
        signal: me.controller.signal,
      });
      if (me.cancelled) return;
      if (response && response.ok) {
        state = await response.json();
        tries = 0;
        continue;
      }
      if (response && response.status < 500 && response.status !== 409) {
        localStorage.removeItem(key); // refused for good (discarded, too large): start over next time
        showErrors(await response.json());
        say("");
        return busy(false);
      }
      // The network failed, the server erred, or another request got there first: wait, then
      // ask the server where the upload stands and go on from there.
      tries += 1;
      if (tries > MAX_TRIES) {
        say("The upload paused at " + percent.textContent + ": the connection keeps failing. Submit again to resume.");
        return busy(false);
      }
      const wait = response && response.status === 409 ? 0 : Math.min(1000 * 2 ** (tries - 1), 30000);
      if (wait) say("Connection lost; retrying in " + wait / 1000 + " s…");
      await sleep(wait);
      const asked = await send(state.url);
      if (me.cancelled) return;
      if (asked && asked.ok) state = await asked.json();
    }
    render(state.size, state.size);
    localStorage.removeItem(key);
    say("Uploaded; opening the job…");
    window.location.assign(form.dataset.jobPage.replace(/\/0\/$/, "/" + state.job + "/"));
  }

  form.addEventListener("submit", function (event) {
    const file = form.elements.file.files[0];
    if (!file) return; // the server names the missing file
    event.preventDefault();
    upload(file);
  });

  cancel.addEventListener("click", function () {
    if (!running) return;
    running.cancelled = true;
    if (running.controller) running.controller.abort();
    localStorage.removeItem(running.key);
    send(running.url, { method: "DELETE" });
    running = null;
    render(0, 0);
    say("Upload cancelled; nothing was kept.");
    busy(false);
  });
})();
