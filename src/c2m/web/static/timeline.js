// Live order page: follows the server's event stream; progress never moves backwards. The step
// list is the server's (re-read whenever the factory reports, and every few seconds while a step
// runs, for its machine's percentage); a payment that settles reloads the page with its news.
(function () {
  "use strict";
  var tracker = document.getElementById("tracker");
  if (!tracker || !window.EventSource) { return; }
  var labels = JSON.parse(document.getElementById("labels").textContent);
  var list = document.getElementById("timeline");
  var steps = document.getElementById("steps");
  var bar = document.getElementById("progress");
  var status = document.getElementById("live-status");
  var lastSeq = parseInt(tracker.dataset.lastSeq, 10) || 0;
  var shown = parseInt(bar.getAttribute("aria-valuenow"), 10) || 0;
  var dates = document.getElementById("dates");
  var SETTLED = ["paid", "payment_declined"];
  var DATED = ["shipped", "delivered"];
  var RUNNING_POLL_MS = 5000;
  var polling = null;

  // Times arrive in UTC; a person reads their own clock.
  function localTime(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  list.querySelectorAll("time").forEach(function (el) { el.textContent = localTime(el.dateTime); });

  function showFor(state) {
    document.querySelectorAll("[data-show-in]").forEach(function (el) {
      el.hidden = el.dataset.showIn.split(" ").indexOf(state) < 0;
    });
  }

  function title(type) {
    return labels.events[type] || (type.charAt(0).toUpperCase() + type.slice(1)).replace(/_/g, " ");
  }

  // Same wording as the server's event_detail: the reason or the note, if any.
  function describe(data) {
    var reason = data.reason || data.note || "";
    return reason.charAt(0).toUpperCase() + reason.slice(1);
  }

  function refreshSteps() {
    fetch(tracker.dataset.steps, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null) { steps.innerHTML = html; }
      watchRunning();
    }).catch(function () { watchRunning(); });
  }

  // A running step's percentage comes from its machine's reports, not from the timeline.
  function watchRunning() {
    clearTimeout(polling);
    if (steps.querySelector("[data-state='running']")) {
      polling = setTimeout(refreshSteps, RUNNING_POLL_MS);
    }
  }

  function addToHistory(event) {
    var item = document.createElement("li");
    item.dataset.seq = event.seq;
    item.className = "new tone-" + (labels.tones[event.type] || "ok");
    var time = document.createElement("time");
    time.dateTime = event.at;
    time.textContent = localTime(event.at);
    var what = document.createElement("strong");
    what.textContent = title(event.type);
    item.append(time, " ", what);
    var detail = describe(event.data || {});
    if (detail) {
      var small = document.createElement("small");
      small.className = "detail";
      small.textContent = detail;
      item.append(small);
    }
    list.appendChild(item);
  }

  function add(event) {
    if (event.seq <= lastSeq) { return; }
    lastSeq = event.seq;
    if (tracker.dataset.payment === "pending" && SETTLED.indexOf(event.type) >= 0) {
      window.location.reload();
      return;
    }
    if (labels.steps.indexOf(event.type) < 0) { addToHistory(event); }
    if (dates && DATED.indexOf(event.type) >= 0) {  // as the server words it: "Shipped on …"
      var day = new Date(event.at).toLocaleDateString([], { weekday: "long", day: "numeric", month: "long", year: "numeric" });
      dates.textContent = title(event.type) + " on " + day + ".";
    }
    if ((event.data || {}).step || labels.steps.indexOf(event.type) >= 0) { refreshSteps(); }
    document.getElementById("state-label").textContent = labels.states[event.state] || event.state;
    if (event.progress > shown) {
      shown = event.progress;
      bar.setAttribute("aria-valuenow", shown);
      bar.firstElementChild.style.width = shown + "%";
      document.getElementById("progress-text").textContent = shown + "%";
    }
    tracker.dataset.state = event.state;
    showFor(event.state);
  }

  showFor(tracker.dataset.state);
  watchRunning();
  var source = new EventSource(tracker.dataset.stream + "?after=" + lastSeq);
  source.onmessage = function (message) { add(JSON.parse(message.data)); };
  source.onopen = function () { status.textContent = "Live"; status.classList.remove("offline"); };
  source.onerror = function () { status.textContent = "Reconnecting…"; status.classList.add("offline"); };
})();
