// Circles: every form with data-api goes to the API as JSON (with the session's CSRF token);
// the page reloads to show the result, or opens the new order of a pre-order.
(function () {
  "use strict";
  var status = document.getElementById("status");

  function put(target, path, value) {
    var key = path.shift();
    if (!path.length) { target[key] = value; return; }
    target[key] = target[key] || {};
    put(target[key], path, value);
  }

  function bodyOf(form) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.value === "") return;
      var value = field.value;
      if (field.type === "number") value = Number(value);
      else if (field.type === "datetime-local") value = new Date(value).toISOString();
      else if (field.dataset.json !== undefined) value = JSON.parse(value);
      put(body, field.name.split("."), value);
    });
    return body;
  }

  function send(event) {
    var form = event.target.closest("form[data-api]");
    if (!form) return;
    event.preventDefault();
    var method = form.dataset.method || "POST";
    var body;
    if (form.dataset.file !== undefined) body = form.querySelector('input[type="file"]').files[0];
    else if (method !== "DELETE" && form.dataset.empty === undefined) body = bodyOf(form);
    status.textContent = "Sending…";
    status.className = "";
    c2m.api(method, form.dataset.api, body).then(function (json) {
      if (form.dataset.then === "order") location = "/orders/" + json.id;
      else location.reload();
    }).catch(function (error) {
      if (error.status === 401) { location = "/login?next=" + encodeURIComponent(location.pathname); return; }
      status.textContent = error.message;
      status.className = "error";
    });
  }

  document.addEventListener("submit", send);
})();
