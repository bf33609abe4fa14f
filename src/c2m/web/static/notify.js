// "Notify me on this phone": asks the browser for permission, subscribes it to Web Push with
// the platform's VAPID key, and hands the subscription to the order. Shown only where the
// browser can receive pushes (a service worker and a PushManager).
(function () {
  "use strict";
  var box = document.getElementById("notify");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
  var button = document.getElementById("notify-me");
  var status = document.getElementById("notify-status");
  box.hidden = false;

  function keyBytes(base64url) {
    var text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(text, function (c) { return c.charCodeAt(0); });
  }

  function say(text) { status.textContent = text; }

  button.addEventListener("click", function () {
    button.disabled = true;
    say("Asking your browser…");
    Notification.requestPermission().then(function (answer) {
      if (answer !== "granted") {
        throw new Error("Notifications are blocked for this site: allow them in your browser's site settings, then try again.");
      }
      return navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; });
    }).then(function (registration) {
      return registration.pushManager.getSubscription().then(function (old) {
        return old || registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.key) });
      });
    }).then(function (subscription) {
      var json = subscription.toJSON();
      return c2m.api("POST", box.dataset.url, { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } });
    }).then(function () {
      button.hidden = true;
      say("Done: this phone will tell you when your order moves on.");
    }).catch(function (error) {
      button.disabled = false;
      say(error.message || "This phone could not be signed up for notifications; please try again.");
    });
  });
})();
