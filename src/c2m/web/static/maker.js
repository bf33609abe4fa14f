// The maker's printers, live: their states from the factory floor's JSON (the same the floor page
// polls), every few seconds while the page is open.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("maker-data").textContent);
  var url = "/api/v1/factories/" + encodeURIComponent(data.factory_id) + "/floor";

  function show(machine) {
    var card = document.querySelector('[data-machine-code="' + CSS.escape(machine.code) + '"]');
    if (!card) return;
    card.className = card.className.replace(/state-\S+/, "state-" + machine.state);
    card.querySelector("[data-state]").textContent = machine.state;
    card.querySelector("[data-reason]").textContent = machine.reason || "";
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (floor) { if (floor) floor.machines.forEach(show); })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 5000); });
  }
  if (document.querySelector("[data-machine-code]")) poll();
})();
