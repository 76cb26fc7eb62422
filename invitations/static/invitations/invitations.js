/* Invitations: the print button, a form that is sent once (a double tap on a phone), «Выбрать все»
 * in the join-request queue, and «Скопировать ссылку» / «Поделиться» on a link's page. Served by
 * the app (no CDN); every control works or stays hidden where the browser lacks the API. The words
 * come from the page (data-* attributes, translated by the template). */
(function () {
  "use strict";

  function selectAll(master) {
    var name = master.getAttribute("data-select-all");
    var boxes = function () {
      return Array.prototype.slice.call(
        document.querySelectorAll("input[type=checkbox][name='" + name + "']")
      );
    };
    var counter = document.querySelector("[data-selected-count]");
    var refresh = function () {
      var all = boxes();
      var checked = all.filter(function (box) { return box.checked; }).length;
      master.checked = all.length > 0 && checked === all.length;
      master.indeterminate = checked > 0 && checked < all.length;
      if (counter) {
        counter.textContent = checked ? (counter.getAttribute("data-label") || "") + " " + checked : "";
      }
    };
    master.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = master.checked; });
      refresh();
    });
    boxes().forEach(function (box) { box.addEventListener("change", refresh); });
    var label = master.closest("[data-select-all-label]");
    if (label) { label.hidden = false; }
    refresh();
  }

  function copyFallback(input) {
    input.focus();
    input.select();
    input.setSelectionRange(0, input.value.length);
    try { return document.execCommand("copy"); } catch (error) { return false; }
  }

  function copyButton(button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-status"));
    if (!input) { return; }
    var say = function (text) { if (status) { status.textContent = text; } };
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { say(button.getAttribute("data-copied") || ""); };
      var failed = function () {
        if (copyFallback(input)) { done(); } else { say(button.getAttribute("data-copy-failed") || ""); }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, failed);
      } else {
        failed();
      }
    });
  }

  function shareButton(button) {
    if (typeof navigator.share !== "function") { return; }  // stays hidden: no Web Share here
    var input = document.getElementById(button.getAttribute("data-share"));
    if (!input) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({
        title: button.getAttribute("data-share-title") || document.title,
        text: button.getAttribute("data-share-text") || "",
        url: input.value
      }).catch(function () { /* the user closed the share sheet */ });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("button[type=submit]").forEach(function (button) {
          window.setTimeout(function () { button.disabled = true; }, 0);
        });
      });
    });
    document.querySelectorAll("input[data-select-all]").forEach(selectAll);
    document.querySelectorAll("button[data-copy]").forEach(copyButton);
    document.querySelectorAll("button[data-share]").forEach(shareButton);
  });
})();
