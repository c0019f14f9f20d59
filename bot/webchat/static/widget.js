// Embeds the wijkbrug web chat on another site (a municipality's page) with one tag:
//   <script src="https://chat.example.nl/webchat/widget.js" data-lang="tr" async></script>
// It adds a round button; the chat opens in an iframe from the chat's own server, so the
// host page sees nothing of the conversation and nothing is loaded from third parties.
(function () {
  "use strict";
  const script = document.currentScript;
  const origin = new URL(script.src).origin;
  const lang = script.dataset.lang || "";
  const label = script.dataset.label || "Chat met het wijkteam · Wijk ekibiyle sohbet · دردشة · Chat";

  const button = document.createElement("button");
  button.type = "button";
  button.id = "wijkbrug-open";
  // A speech bubble drawn as SVG: an emoji would depend on the visitor's fonts.
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "28");
  svg.setAttribute("height", "28");
  svg.setAttribute("aria-hidden", "true");
  const bubble = document.createElementNS("http://www.w3.org/2000/svg", "path");
  bubble.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  bubble.setAttribute("fill", "#fff");
  svg.appendChild(bubble);
  button.appendChild(svg);
  button.setAttribute("aria-label", label);
  button.setAttribute("aria-expanded", "false");
  Object.assign(button.style, {
    position: "fixed", insetInlineEnd: "1rem", bottom: "1rem", width: "3.5rem", height: "3.5rem",
    borderRadius: "50%", border: "0", background: "#00695c", color: "#fff", display: "grid", placeItems: "center",
    cursor: "pointer", zIndex: "2147483646", boxShadow: "0 2px 8px rgba(0,0,0,.3)",
  });

  let frame = null;
  button.addEventListener("click", () => {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "wijkbrug-chat";
      frame.title = label;
      frame.src = origin + "/" + (lang ? "?lang=" + encodeURIComponent(lang) : "");
      Object.assign(frame.style, {
        position: "fixed", insetInlineEnd: "1rem", bottom: "5rem", width: "min(24rem, calc(100vw - 2rem))",
        height: "min(36rem, calc(100vh - 6rem))", border: "1px solid #ccc", borderRadius: ".75rem",
        background: "#fff", zIndex: "2147483647", boxShadow: "0 4px 16px rgba(0,0,0,.3)",
      });
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
    button.setAttribute("aria-expanded", String(!frame.hidden));
  });
  document.body.appendChild(button);
})();
