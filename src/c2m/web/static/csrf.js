// Calls from pages to the API, the one way: the session's CSRF token (from the page's
// <meta name="csrf-token">) on every request, JSON in and out, a problem's sentence as the
// error (with its status). Loaded by base.html before each page's own script.
var c2m = (function () {
  "use strict";

  function api(method, url, body, headers) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var sent = Object.assign({ "X-CSRF-Token": meta ? meta.content : "", Accept: "application/json" }, headers);
    if (body instanceof Blob) {
      sent["Content-Type"] = body.type;
    } else if (body !== undefined && body !== null && !(body instanceof FormData)) {
      sent["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    return fetch(url, { method: method, headers: sent, body: body === null ? undefined : body, credentials: "same-origin" })
      .then(function (response) {
        var read = response.status === 204 ? Promise.resolve({}) : response.json();
        return read.then(function (json) {
          if (response.ok) return json;
          var error = new Error(json.detail || "Something went wrong; please try again.");
          error.status = response.status;
          error.problem = json; // its ``errors``, where a form shows them beside each field
          throw error;
        });
      });
  }

  return { api: api };
})();
