// Keyboard shortcuts of the review queue. One document and one of its subjects are marked: j and k
// move between documents, n and p between the document's subjects; a accepts the marked subject,
// r rejects it, A accepts all of the document's; e goes to the correction field, o opens the
// document, ? shows the keys. Keys typed into a field are the field's (Esc leaves it). The mark
// outlives the reload an action causes: the same document if it still waits, else the one that
// took its place.
(function () {
  "use strict";
  const queue = document.querySelector("[data-review-queue]");
  const dialog = document.getElementById("review-keys");
  if (!queue || !dialog) return;
  const STORE = "shelfmark-review-mark";
  const items = Array.from(queue.querySelectorAll(".queue-item"));
  const here = location.pathname + location.search;
  let doc = 0;
  let subject = 0;

  function subjects(index) { return Array.from(items[index].querySelectorAll(".subject")); }

  function firstWaiting(index, from) {
    const list = subjects(index);
    const waiting = list.findIndex(function (el, i) { return i >= (from || 0) && el.hasAttribute("data-waiting"); });
    return waiting >= 0 ? waiting : Math.max(0, list.findIndex(function (el) { return el.hasAttribute("data-waiting"); }));
  }

  function mark(index, subjectIndex, scroll) {
    doc = Math.max(0, Math.min(index, items.length - 1));
    const list = subjects(doc);
    subject = Math.max(0, Math.min(subjectIndex, list.length - 1));
    items.forEach(function (item, i) { item.classList.toggle("is-marked", i === doc); });
    queue.querySelectorAll(".subject.is-marked").forEach(function (el) { el.classList.remove("is-marked"); });
    if (list[subject]) list[subject].classList.add("is-marked");
    if (scroll) {
      items[doc].focus({ preventScroll: true });
      (list[subject] || items[doc]).scrollIntoView({ block: "nearest" });
    }
  }

  function moveTo(index) { mark(index, firstWaiting(Math.max(0, Math.min(index, items.length - 1))), true); }

  function remember() {
    sessionStorage.setItem(STORE, JSON.stringify({ page: here, document: items[doc].dataset.document, index: doc, subject: subject }));
  }

  function press(button) {
    if (!button) return;
    remember();
    button.click();
  }

  function restore() {
    let saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(STORE) || "null"); } catch (error) { saved = null; }
    sessionStorage.removeItem(STORE);
    if (!saved || saved.page !== here) return mark(0, firstWaiting(0), false);
    const same = items.findIndex(function (item) { return item.dataset.document === saved.document; });
    if (same >= 0) return mark(same, firstWaiting(same, saved.subject), true);
    moveTo(saved.index);
  }

  const KEYS = {
    j: function () { moveTo(doc + 1); },
    k: function () { moveTo(doc - 1); },
    n: function () { mark(doc, subject + 1, true); },
    p: function () { mark(doc, subject - 1, true); },
    a: function () { const s = subjects(doc)[subject]; press(s && s.querySelector("[data-accept]")); },
    r: function () { const s = subjects(doc)[subject]; press(s && s.querySelector("[data-reject]")); },
    A: function () { press(items[doc].querySelector("[data-accept-document]")); },
    e: function () { items[doc].querySelector(".correct-form input[name=node]").focus(); },
    o: function () { location.href = items[doc].querySelector(".hit-title a").href; },
    "?": function () { if (dialog.open) dialog.close(); else dialog.showModal(); },
  };

  function typing(target) {
    return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].indexOf(target.tagName) >= 0;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (dialog.open && event.key !== "?") return;
    const action = KEYS[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  document.querySelector("[data-keys-hint]").hidden = false;
  restore();
})();
