// newsmon review UI: keyboard navigation and in-place actions. The pages work without it.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const rows = () => Array.from(document.querySelectorAll(".article-row"));
  let current = -1;

  function select(index) {
    const all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(all.length - 1, index));
    all.forEach((row, i) => row.classList.toggle("current", i === current));
    all[current].scrollIntoView({ block: "nearest" });
  }

  // the article the keys act on: the selected row, or the article of an article page
  function target() {
    const all = rows();
    if (current >= 0 && all[current]) return all[current];
    return document.querySelector("article.article");
  }

  function showState(actions, state) {
    actions.querySelectorAll("form.action").forEach((form) => {
      const kind = form.querySelector("button").dataset.kind;
      const value = form.querySelector('input[name="value"]');
      if (kind === "read" || kind === "star") {
        const on = kind === "read" ? state.read : state.starred;
        const button = form.querySelector("button");
        button.setAttribute("aria-pressed", String(on));
        button.textContent = kind === "read" ? (on ? "Read ✓" : "Mark read") : (on ? "★ Starred" : "☆ Star");
        value.value = String(!on);
      } else {
        const topic = form.querySelector('input[name="topic"]').value;
        const mark = state.marks[topic];
        form.querySelectorAll("button").forEach((button) => {
          const pressed = mark !== undefined && String(mark) === button.value;
          button.setAttribute("aria-pressed", String(pressed));
        });
      }
    });
    const row = actions.closest(".article-row");
    if (row) row.classList.toggle("is-read", state.read);
  }

  async function post(form, submitter) {
    const body = new FormData(form);
    if (submitter && submitter.name) body.set(submitter.name, submitter.value);
    const response = await fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(body),
      headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({ detail: response.statusText }));
      window.alert(problem.detail || "the action failed");
      return;
    }
    showState(form.closest(".actions"), await response.json());
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.classList.contains("action")) return;
    event.preventDefault();
    post(form, event.submitter);
  });

  function press(kind) {
    const article = target();
    const button = article && article.querySelector(`button[data-kind="${kind}"]`);
    if (button) button.click();
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target.closest("input, select, textarea");
    if (typing) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const keys = {
      j: () => select(current + 1),
      k: () => select(current - 1),
      s: () => press("star"),
      r: () => press("read"),
      "/": () => document.getElementById("search").focus(),
      o: () => open(),
      Enter: () => open(),
    };
    const action = keys[event.key];
    if (!action) return;
    // Enter keeps its usual meaning (links, buttons) until a row is picked with j/k
    if (event.key === "Enter" && (current < 0 || event.target !== document.body)) return;
    event.preventDefault();
    action();
  });

  function open() {
    const row = rows()[current];
    const link = row && row.querySelector("a.title");
    if (link) window.location.href = link.href;
  }
})();
