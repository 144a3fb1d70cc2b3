// Minimal shell page: shows the active model and streams an answer. The full UI is built in ui/ later.
const { invoke, Channel } = window.__TAURI__.core;

const status = document.getElementById("status");
const answer = document.getElementById("answer");

invoke("app_info").then((info) => {
  status.textContent = info.activeModel
    ? `Model: ${info.activeModel} · data in ${info.dataDir}`
    : "No model installed yet: run `assistant models pull` or the setup script.";
});

document.getElementById("ask").addEventListener("submit", async (e) => {
  e.preventDefault();
  answer.textContent = "";
  const onEvent = new Channel();
  onEvent.onmessage = (ev) => {
    if (ev.type === "token") answer.textContent += ev.text;
    if (ev.type === "done") status.textContent = `${ev.completionTokens} tokens, first after ${Math.round(ev.ttftMs)} ms`;
  };
  try {
    await invoke("chat", { prompt: document.getElementById("prompt").value, onEvent });
  } catch (err) {
    status.textContent = `${err.kind}: ${err.message}`;
  }
});
