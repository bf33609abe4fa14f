// The factory floor: machine states, what each machine does, the plan as bars, OEE; every second.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("floor-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var WINDOW_MS = 30 * 60 * 1000; // the Gantt shows the next half hour

  function percent(value) { return value === null ? "–" : Math.round(value * 100) + " %"; }
  function time(iso) { return new Date(iso).toLocaleTimeString(); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function machines(list) {
    var box = $("machines");
    box.innerHTML = "";
    list.forEach(function (m) {
      var card = el("li", { class: "card machine state-" + m.state, "data-machine": m.code });
      card.appendChild(el("strong", {}, m.code));
      card.appendChild(el("span", { class: "badge" }, m.state + (m.reason ? " (" + m.reason + ")" : "")));
      card.appendChild(el("small", {}, m.doing ? m.doing.operation + " · " + m.doing.product : "no job"));
      card.appendChild(el("small", { class: "muted" }, "OEE " + percent(m.oee.oee) + " · A " + percent(m.oee.availability)));
      box.appendChild(card);
    });
  }

  function plans(list) {
    if (!list.length) { $("plan").textContent = "No plan yet."; return; }
    var last = list[0];
    $("plan").textContent = "Plan of " + time(last.at) + ": " + last.reason + " · " + last.operations +
      " operations, " + last.moved + " moved (" + last.solver + ", " + last.seconds + " s)";
    var box = $("plans");
    box.innerHTML = "";
    list.slice(1).forEach(function (p) {
      box.appendChild(el("li", {}, time(p.at) + " · " + p.reason + " · " + p.moved + " moved"));
    });
  }

  function gantt(machinesList, operations, now) {
    var box = $("gantt");
    box.innerHTML = "";
    var start = new Date(now).getTime();
    machinesList.forEach(function (m) {
      var row = el("div", { class: "gantt-row", "data-machine": m.code });
      row.appendChild(el("span", { class: "gantt-label" }, m.code));
      var lane = el("div", { class: "gantt-lane" });
      operations.filter(function (op) { return op.machine === m.code && op.start && op.end; })
        .forEach(function (op) {
          var from = Math.max(0, (new Date(op.start).getTime() - start) / WINDOW_MS);
          var to = Math.min(1, (new Date(op.end).getTime() - start) / WINDOW_MS);
          if (to <= 0 || from >= 1) return;
          var bar = el("span", { class: "gantt-bar " + op.status, title: op.name + " · " + op.product, "data-op": op.id });
          bar.style.left = (from * 100) + "%";
          bar.style.width = Math.max(0.5, (to - from) * 100) + "%";
          lane.appendChild(bar);
        });
      row.appendChild(lane);
      box.appendChild(row);
    });
  }

  function refresh() {
    fetch("/api/v1/factories/" + data.factory_id + "/floor", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (floor) {
        if (!floor) return;
        $("oee").textContent = percent(floor.oee.oee);
        $("oee-parts").textContent = "availability " + percent(floor.oee.availability) + " · performance " +
          percent(floor.oee.performance) + " · quality " + percent(floor.oee.quality) + " · " + floor.oee.parts + " parts in the last hour";
        machines(floor.machines);
        plans(floor.plans);
        gantt(floor.machines, floor.operations, floor.now);
      })
      .catch(function () { /* the next second tries again */ })
      .then(function () { window.setTimeout(refresh, 1000); });
  }
  refresh();
})();
