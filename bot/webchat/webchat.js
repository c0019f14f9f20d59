// The web chat talks to the Rasa-compatible REST endpoint of the same server.
(function () {
  "use strict";
  const RTL = new Set(["ar"]);
  const PLACEHOLDER = { nl: "Typ uw bericht…", tr: "Mesajınızı yazın…", ar: "اكتب رسالتك…", pap: "Skirbi bo mensahe…" };
  const messages = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const picker = document.getElementById("language");

  function senderId() {
    let id = localStorage.getItem("wijkbrug-sender");
    if (!id) {
      id = "web-" + crypto.getRandomValues(new Uint32Array(4)).join("-");
      localStorage.setItem("wijkbrug-sender", id);
    }
    return id;
  }

  function setLanguage(lang) {
    document.documentElement.lang = lang;
    document.documentElement.dir = RTL.has(lang) ? "rtl" : "ltr";
    input.placeholder = PLACEHOLDER[lang] || PLACEHOLDER.nl;
    localStorage.setItem("wijkbrug-language", lang);
  }

  function show(text, who) {
    const item = document.createElement("li");
    item.className = who;
    item.dir = "auto";
    item.textContent = text;
    messages.appendChild(item);
    messages.scrollTop = messages.scrollHeight;
  }

  function showButtons(buttons) {
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
  }

  async function send(message, shown) {
    show(shown || message, "user");
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
      show("⚠ Er is geen verbinding. Probeer het opnieuw. / Bağlantı yok. / لا يوجد اتصال. / No tin konekshon.", "bot");
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

  picker.value = localStorage.getItem("wijkbrug-language") || "nl";
  setLanguage(picker.value);
})();
