// Live order timeline: follows the server's event stream and never moves progress backwards.
(function () {
  "use strict";
  var tracker = document.getElementById("tracker");
  if (!tracker || !window.EventSource) { return; }
  var labels = JSON.parse(document.getElementById("labels").textContent);
  var list = document.getElementById("timeline");
  var bar = document.getElementById("progress");
  var status = document.getElementById("live-status");
  var lastSeq = parseInt(tracker.dataset.lastSeq, 10) || 0;
  var shown = parseInt(bar.getAttribute("aria-valuenow"), 10) || 0;

  // Times arrive in UTC; a person reads their own clock.
  function localTime(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
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

  // Same wording as the server's event_detail: the step, the machine, the reason.
  function describe(data) {
    var head = [data.operation, data.machine].filter(Boolean).join(" on ");
    var reason = data.reason || "";
    return head && reason ? head + ": " + reason : head || reason;
  }

  function add(event) {
    if (event.seq <= lastSeq) { return; }
    lastSeq = event.seq;
    var item = document.createElement("li");
    item.dataset.seq = event.seq;
    item.className = "new";
    var time = document.createElement("time");
    time.dateTime = event.at;
    time.textContent = localTime(event.at);
    var what = document.createElement("strong");
    what.textContent = title(event.type);
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = " " + event.actor;
    item.append(time, " ", what, who);
    var detail = describe(event.data || {});
    if (detail) {
      var small = document.createElement("small");
      small.className = "detail";
      small.textContent = detail;
      item.append(small);
    }
    list.appendChild(item);
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
  var source = new EventSource(tracker.dataset.stream + "?after=" + lastSeq);
  source.onmessage = function (message) { add(JSON.parse(message.data)); };
  source.onopen = function () { status.textContent = "Live"; status.classList.remove("offline"); };
  source.onerror = function () { status.textContent = "Reconnecting…"; status.classList.add("offline"); };
})();
