// Show only the form rows that apply to the chosen kind and schedule: rows carry data-kinds="sftp webdav"
// or data-schedules="daily weekly"; without JavaScript every row stays visible and the server ignores the rest.
(function () {
  function follow(selectId, attribute) {
    var select = document.getElementById(selectId);
    if (!select) return;
    function apply() {
      document.querySelectorAll("[" + attribute + "]").forEach(function (row) {
        row.hidden = row.getAttribute(attribute).split(" ").indexOf(select.value) === -1;
      });
    }
    select.addEventListener("change", apply);
    apply();
  }
  follow("id_kind", "data-kinds");
  follow("id_schedule_kind", "data-schedules");
})();
