// Comfort only: every task works without this file.
(function () {
  "use strict";
  // The browser's time zone, for sign-in and register forms and the time-zone page.
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  document.querySelectorAll('input[type="hidden"][name="time_zone"]').forEach(function (input) {
    if (!input.value) { input.value = zone; }
  });
  var select = document.querySelector('select[name="time_zone"]');
  var detectedText = document.querySelector("[data-detected-zone-text]");
  if (select && zone && detectedText) {
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === zone; });
    if (!option) {
      option = new Option(zone.split("/").pop().replace(/_/g, " ") + " (detected)", zone);
      select.insertBefore(option, select.firstChild);
    }
    detectedText.querySelector("[data-detected-zone-name]").textContent = option.text;
    detectedText.classList.remove("hidden");
  }

  // Move focus to the error summary so screen readers announce it.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // Show / hide password.
  document.querySelectorAll('input[type="password"]').forEach(function (input) {
    var wrap = document.createElement("div");
    wrap.className = "password-wrap";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary";
    button.textContent = "Show";
    button.setAttribute("aria-controls", input.id);
    button.setAttribute("aria-label", "Show password");
    button.addEventListener("click", function () {
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.textContent = show ? "Hide" : "Show";
      button.setAttribute("aria-label", show ? "Hide password" : "Show password");
    });
    wrap.appendChild(button);
  });
  // Password fields go back to hidden before the form is sent (no plain text in autofill history).
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      form.querySelectorAll(".password-wrap input").forEach(function (input) { input.type = "password"; });
      var button = event.submitter;
      if (button && button.hasAttribute("data-prevent-double-click")) {
        if (button.getAttribute("aria-disabled") === "true") { event.preventDefault(); return; }
        button.setAttribute("aria-disabled", "true");
        window.setTimeout(function () { button.removeAttribute("aria-disabled"); }, 5000);
      }
    });
  });
})();
