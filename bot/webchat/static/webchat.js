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
  // Everything lives for this tab only (sessionStorage): on a shared computer, the next
  // person who opens the chat starts afresh and reaches nothing of the one before.
  const HISTORY = "wijkbrug-history";
  const CONVERSATION = "wijkbrug-conversation";
  const LANGUAGE = "wijkbrug-language";
  // Earlier versions kept the conversation in localStorage, shared by every tab for ever.
  localStorage.removeItem("wijkbrug-sender");
  localStorage.removeItem("wijkbrug-language");

  // The server issues the conversation (a token only it can sign); the page never makes one up.
  async function conversation() {
    let token = sessionStorage.getItem(CONVERSATION);
    if (!token) {
      const reply = await fetch("/webchat/conversation", { method: "POST" });
      if (!reply.ok) throw new Error("HTTP " + reply.status);
      token = (await reply.json()).sender;
      sessionStorage.setItem(CONVERSATION, token);
    }
    return token;
  }

  function firstLanguage() {
    const asked = new URLSearchParams(location.search).get("lang");
    const stored = sessionStorage.getItem(LANGUAGE);
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
    document.getElementById("end").textContent = ui.end;
    sessionStorage.setItem(LANGUAGE, lang);
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

  async function post(message) {
    return fetch("/webhooks/rest/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      // The language is not forced: the bot identifies it; the picker sends a choose_language payload.
      body: JSON.stringify({ sender: await conversation(), message }),
    });
  }

  // Nothing is lost: the message can be sent again with one tap.
  function offerRetry(text, message, shown) {
    const ui = UI[picker.value] || UI.nl;
    const item = show(text, "bot error", false);
    const again = document.createElement("button");
    again.type = "button";
    again.textContent = ui.retry;
    again.addEventListener("click", () => { item.remove(); send(message, shown, false); });
    item.appendChild(document.createElement("br"));
    item.appendChild(again);
  }

  async function send(message, shown, echo = true) {
    if (echo) show(shown || message, "user");
    busy(true);
    try {
      let reply = await post(message);
      if (reply.status === 401) {  // the server no longer knows this tab's conversation
        sessionStorage.removeItem(CONVERSATION);
        reply = await post(message);
      }
      if (reply.status === 429) {  // too many at once: the server says so in the resident's language
        const [notice] = await reply.json();
        offerRetry(notice.text, message, shown);
        return;
      }
      if (!reply.ok) throw new Error("HTTP " + reply.status);
      for (const m of await reply.json()) {
        if (m.text) show(m.text, "bot");
        if (m.buttons && m.buttons.length) showButtons(m.buttons);
      }
    } catch (error) {
      offerRetry((UI[picker.value] || UI.nl).offline, message, shown);
    } finally {
      busy(false);
      input.focus();
    }
  }

  // "End conversation": this tab forgets it. A request made in it stays with the team, and
  // is reachable only through this conversation, which no one can open again from here.
  function endConversation() {
    sessionStorage.removeItem(CONVERSATION);
    sessionStorage.removeItem(HISTORY);
    messages.replaceChildren();
    const ui = UI[picker.value] || UI.nl;
    show(ui.ended, "bot welcome", false);
    show(ui.welcome, "bot welcome", false);
    input.focus();
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

  document.getElementById("end").addEventListener("click", endConversation);
  picker.value = firstLanguage();
  setLanguage(picker.value);
  const kept = JSON.parse(sessionStorage.getItem(HISTORY) || "[]");
  if (kept.length) {
    for (const entry of kept) entry.buttons ? showButtons(entry.buttons, false) : show(entry.text, entry.who, false);
  } else {
    show(UI[picker.value].welcome, "bot welcome", false);
  }
})();
