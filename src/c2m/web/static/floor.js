// The factory floor: machine states and jobs, OEE gauges, the plan against what actually ran.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("floor-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var BEFORE_MS = 10 * 60 * 1000; // the Gantt shows the last 10 minutes and the next 20
  var AFTER_MS = 20 * 60 * 1000;
  var SPAN_MS = BEFORE_MS + AFTER_MS;
  var TICK_MINUTES = [1, 2, 5, 10, 15, 30];
  var TICK_GAP_PX = 72; // "05:40 AM" is ~60 px wide at 12.8 px: ticks closer than this collide
  var SVG = "http://www.w3.org/2000/svg";

  function percent(value) { return value === null ? "–" : Math.round(value * 100) + " %"; }
  function time(iso) { return iso ? new Date(iso).toLocaleTimeString() : "–"; }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function gauge(label, value) {
    // A half-circle gauge: the arc's length is the share.
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 100 60");
    svg.setAttribute("class", "gauge");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label + " " + percent(value));
    var track = "M10 50 A40 40 0 0 1 90 50";
    [["gauge-track", 1], ["gauge-value", value === null ? 0 : Math.max(0, Math.min(1, value))]].forEach(function (part) {
      var path = document.createElementNS(SVG, "path");
      path.setAttribute("d", track);
      path.setAttribute("class", part[0]);
      path.setAttribute("pathLength", "100");
      path.setAttribute("stroke-dasharray", (part[1] * 100) + " 100");
      svg.appendChild(path);
    });
    var text = document.createElementNS(SVG, "text");
    text.setAttribute("x", "50");
    text.setAttribute("y", "48");
    text.setAttribute("text-anchor", "middle");
    text.textContent = percent(value);
    svg.appendChild(text);
    var box = el("figure", { class: "gauge-box" });
    box.appendChild(svg);
    box.appendChild(el("figcaption", {}, label));
    return box;
  }

  function oee(o) {
    var box = $("gauges");
    box.innerHTML = "";
    [["OEE", o.oee], ["Availability", o.availability], ["Performance", o.performance], ["Quality", o.quality]]
      .forEach(function (g) { box.appendChild(gauge(g[0], g[1])); });
    $("oee-parts").textContent = o.parts + " parts in the last hour, " + o.good + " good";
    var down = $("downtime");
    down.innerHTML = "";
    Object.keys(o.downtime).forEach(function (reason) {
      down.appendChild(el("li", {}, "Down, " + reason + ": " + Math.round(o.downtime[reason] / 60) + " min"));
    });
  }

  function day(iso) { return new Date(iso + "T12:00:00Z").toLocaleDateString([], { day: "numeric", month: "short" }); }

  function promises(p) {
    var box = $("promise-gauge");
    box.innerHTML = "";
    box.appendChild(gauge("On time", p.rate));
    $("promises").textContent = p.shipped ?
      p.on_time + " of " + p.shipped + " orders shipped by the date their customers were promised, in the last " + p.window_days + " days." :
      "No order with a promised date has shipped in the last " + p.window_days + " days.";
    var list = $("late");
    list.innerHTML = "";
    if (p.planned_late) {
      list.appendChild(el("li", {}, p.planned_late + (p.planned_late === 1 ? " open order is" : " open orders are") +
        " planned to finish after the date promised" + (p.planned_late > p.late.length ? "; the latest:" : ":")));
    }
    p.late.forEach(function (late) {
      var item = el("li", {});
      item.appendChild(el("a", { href: "/orders/" + late.order }, "Order " + late.order.slice(0, 8)));
      item.appendChild(document.createTextNode(" · promised " + day(late.promised) + ", planned to finish " +
        new Date(late.planned_end).toLocaleString([], { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })));
      list.appendChild(item);
    });
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

  function share(ms, start) { return (ms - start) / SPAN_MS; }
  function clock(ms) { return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }

  function bar(lane, from, to, kind, op, start) {
    var left = share(new Date(from).getTime(), start);
    var right = share(new Date(to).getTime(), start);
    if (right <= 0 || left >= 1) return;
    left = Math.max(0, left);
    right = Math.min(1, right);
    var node = el("button", { type: "button", class: "gantt-bar " + kind + " " + op.status, title: kind + ": " + op.name + " · " + op.product + " · " + op.status, "data-op": op.id });
    node.style.left = (left * 100) + "%";
    node.style.width = Math.max(0.6, (right - left) * 100) + "%";
    node.addEventListener("click", function () {
      $("detail").hidden = false;
      $("detail").textContent = op.name + " · " + op.product + " (order " + op.order.slice(0, 8) + ") on " + op.machine +
        ": planned " + time(op.start) + "–" + time(op.end) + ", actual " + time(op.started) + "–" + time(op.finished) +
        " · " + op.status;
    });
    lane.appendChild(node);
  }

  function ticks(start, widthPx) {
    // The finest round step whose labels stay TICK_GAP_PX apart on this lane's width.
    var minutes = TICK_MINUTES.filter(function (m) { return widthPx * m * 60000 / SPAN_MS >= TICK_GAP_PX; })[0] || 30;
    var step = minutes * 60000;
    var list = [];
    for (var at = Math.ceil(start / step) * step; at <= start + SPAN_MS; at += step) {
      var px = share(at, start) * widthPx;
      if (px >= TICK_GAP_PX / 2 && px <= widthPx - TICK_GAP_PX / 2) list.push(at); // labels stay inside
    }
    return list;
  }

  function axis(box, start, widthPx) {
    var row = el("div", { class: "gantt-row gantt-axis-row" });
    row.appendChild(el("span", { class: "gantt-label" }, "time"));
    var scale = el("div", { class: "gantt-axis", "aria-hidden": "true" });
    var found = ticks(start, widthPx);
    found.forEach(function (at) {
      var tick = el("span", { class: "gantt-tick" }, clock(at));
      tick.style.left = (share(at, start) * 100) + "%";
      scale.appendChild(tick);
    });
    row.appendChild(scale);
    box.insertBefore(row, box.firstChild); // on top: read before the lanes, however many
    return found;
  }

  function gantt(machinesList, operations, nowIso) {
    var box = $("gantt");
    box.innerHTML = "";
    var now = new Date(nowIso).getTime();
    var start = now - BEFORE_MS;
    var lanes = [];
    machinesList.forEach(function (m) {
      var row = el("div", { class: "gantt-row state-" + m.state, "data-machine": m.code });
      row.appendChild(el("span", { class: "gantt-label" }, m.code + (m.state === "down" ? " (down)" : "")));
      var lane = el("div", { class: "gantt-lane" });
      var line = el("span", { class: "gantt-now" });
      line.style.left = (share(now, start) * 100) + "%";
      lane.appendChild(line);
      operations.filter(function (op) { return op.machine === m.code; }).forEach(function (op) {
        if (op.start && op.end) bar(lane, op.start, op.end, "plan", op, start);
        if (op.started) bar(lane, op.started, op.finished || nowIso, "actual", op, start);
      });
      row.appendChild(lane);
      box.appendChild(row);
      lanes.push(lane);
    });
    if (!lanes.length) return;
    axis(box, start, lanes[0].clientWidth).forEach(function (at) {
      lanes.forEach(function (lane) {
        var grid = el("span", { class: "gantt-grid" });
        grid.style.left = (share(at, start) * 100) + "%";
        lane.insertBefore(grid, lane.firstChild);
      });
    });
  }

  function refresh() {
    fetch("/api/v1/factories/" + data.factory_id + "/floor", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (floor) {
        if (!floor) return;
        oee(floor.oee);
        promises(floor.promises);
        machines(floor.machines);
        plans(floor.plans);
        gantt(floor.machines, floor.operations, floor.now);
      })
      .catch(function () { /* the next second tries again */ })
      .then(function () { window.setTimeout(refresh, 1000); });
  }
  refresh();
})();
