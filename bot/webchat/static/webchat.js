// The web chat talks to the Rasa-compatible REST endpoint of the same server. Nothing is
// loaded from anywhere else. The page's own texts (all four languages) come from the
// catalogs, embedded in the page as JSON.
(function () {
  "use strict";
  const RTL = new Set(["ar"]);
  const UI = JSON.parse(document.getElementById("ui").textContent);
  const messages = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const sendButton = document.getElementById("send");
  const picker = document.getElementById("language");
  const typing = document.getElementById("typing");
  const HISTORY = "wijkbrug-history";  // this tab only: gone when the tab closes

  function senderId() {
    let id = localStorage.getItem("wijkbrug-sender");
    if (!id) {
      id = "web-" + crypto.getRandomValues(new Uint32Array(4)).join("-");
      localStorage.setItem("wijkbrug-sender", id);
    }
    return id;
  }

  function firstLanguage() {
    const asked = new URLSearchParams(location.search).get("lang");
    const stored = localStorage.getItem("wijkbrug-language");
    const browser = (navigator.languages || []).map((l) => l.slice(0, 3).replace("-", ""));
    for (const lang of [asked, stored, ...browser]) {
      if (lang && UI[lang]) return lang;
    }
    return "nl";
  }

  function setLanguage(lang) {
    const ui = UI[lang];
    document.documentElement.lang = lang;
    document.documentElement.dir = RTL.has(lang) ? "rtl" : "ltr";
    document.title = ui.title;
    document.getElementById("title").textContent = ui.title;
    document.getElementById("privacy").textContent = ui.privacy;
    typing.textContent = ui.typing;
    input.placeholder = ui.placeholder;
    input.setAttribute("aria-label", ui.message);
    sendButton.setAttribute("aria-label", ui.send);
    localStorage.setItem("wijkbrug-language", lang);
  }

  function remember(entry) {
    const kept = JSON.parse(sessionStorage.getItem(HISTORY) || "[]");
    kept.push(entry);
    sessionStorage.setItem(HISTORY, JSON.stringify(kept.slice(-200)));
  }

  function show(text, who, keep = true) {
    const item = document.createElement("li");
    item.className = who;
    item.dir = "auto";
    item.textContent = text;
    messages.appendChild(item);
    messages.scrollTop = messages.scrollHeight;
    if (keep) remember({ text, who });
    return item;
  }

  function showButtons(buttons, keep = true) {
    const item = document.createElement("li");
    item.className = "buttons";
    for (const b of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.dir = "auto";
      button.textContent = b.title;
      button.addEventListener("click", () => send(b.payload, b.title));
      item.appendChild(button);
    }
    messages.appendChild(item);
    messages.scrollTop = messages.scrollHeight;
    if (keep) remember({ buttons });
  }

  function busy(on) {
    typing.hidden = !on;
    sendButton.disabled = on;
    messages.setAttribute("aria-busy", on ? "true" : "false");
  }

  async function send(message, shown) {
    show(shown || message, "user");
    busy(true);
    try {
      const reply = await fetch("/webhooks/rest/webhook", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        // The language is not forced: the bot identifies it; the picker sends a choose_language payload.
        body: JSON.stringify({ sender: senderId(), message }),
      });
      if (!reply.ok) throw new Error("HTTP " + reply.status);
      for (const m of await reply.json()) {
        if (m.text) show(m.text, "bot");
        if (m.buttons && m.buttons.length) showButtons(m.buttons);
      }
    } catch (error) {
      // Nothing is lost: the message goes back into the box, with a button to send it again.
      const ui = UI[picker.value] || UI.nl;
      const item = show(ui.offline, "bot error", false);
      const again = document.createElement("button");
      again.type = "button";
      again.textContent = ui.retry;
      again.addEventListener("click", () => { item.remove(); send(message, shown); });
      item.appendChild(document.createElement("br"));
      item.appendChild(again);
    } finally {
      busy(false);
      input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
  picker.addEventListener("change", () => {
    setLanguage(picker.value);
    send('/choose_language{"language": "' + picker.value + '"}', picker.options[picker.selectedIndex].text);
  });

  picker.value = firstLanguage();
  setLanguage(picker.value);
  const kept = JSON.parse(sessionStorage.getItem(HISTORY) || "[]");
  if (kept.length) {
    for (const entry of kept) entry.buttons ? showButtons(entry.buttons, false) : show(entry.text, entry.who, false);
  } else {
    show(UI[picker.value].welcome, "bot welcome", false);
  }
})();
