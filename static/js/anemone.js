// Page behaviour without inline JavaScript or inline styles, so the Content-Security-Policy can stay
// `default-src 'self'`. Templates mark elements with data-* attributes instead of on* handlers:
//   data-copy-from="element-id"  copy that element's text      data-copy-text="..."  copy this text
//   data-print                    print the page                form[data-confirm]    ask before submitting
//   select[data-autosubmit]       submit its form on change     [data-percent]        bar width in percent
(function () {
  "use strict";

  function copy(text) {
    if (navigator.clipboard) navigator.clipboard.writeText(text.trim());
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-from], [data-copy-text], [data-print]");
    if (!button) return;
    if (button.hasAttribute("data-print")) {
      window.print();
    } else if (button.hasAttribute("data-copy-text")) {
      copy(button.getAttribute("data-copy-text"));
    } else {
      var source = document.getElementById(button.getAttribute("data-copy-from"));
      if (source) copy(source.textContent);
    }
  });

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });

  // Widths set through the DOM are not inline style attributes: CSP allows them. The observer sizes bars
  // that htmx swaps in (run progress, USB estimate) before anything else can look at them.
  function sizeBars(root) {
    var bars = root.querySelectorAll ? root.querySelectorAll("[data-percent]") : [];
    if (root.matches && root.matches("[data-percent]")) bars = [root].concat(Array.prototype.slice.call(bars));
    Array.prototype.forEach.call(bars, function (bar) {
      var percent = Math.max(0, Math.min(100, parseFloat(bar.getAttribute("data-percent")) || 0));
      bar.style.width = percent + "%";
    });
  }
  new MutationObserver(function (mutations) {
    mutations.forEach(function (m) { m.addedNodes.forEach(sizeBars); });
  }).observe(document.documentElement, { childList: true, subtree: true });
  sizeBars(document);
})();
