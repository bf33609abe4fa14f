// The service worker, served from /sw.js so its scope is the whole site: keeps an offline page
// (and the CSS it needs) for when the phone loses signal, and shows an order's news pushed
// while no page is open; a tap on the notification opens that order.
"use strict";

var SHELL = "c2m-shell-v1";
var OFFLINE = "/offline";
var KEPT = [OFFLINE, "/static/app.css", "/static/icons/icon.svg", "/static/icons/icon-192.png"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(KEPT); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== SHELL; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () { return caches.match(OFFLINE); }));
  } else if (KEPT.indexOf(new URL(request.url).pathname) !== -1) {
    event.respondWith(fetch(request).catch(function () { return caches.match(request); }));
  }
});

self.addEventListener("push", function (event) {
  var news = { title: "c2m", body: "Your order has news.", url: "/orders" };
  try { news = Object.assign(news, event.data ? event.data.json() : {}); } catch (e) { /* text */ }
  event.waitUntil(self.registration.showNotification(news.title, {
    body: news.body,
    icon: "/static/icons/icon-192.png",
    tag: news.url,
    data: { url: news.url }
  }));
});

self.addEventListener("notificationclick", function (event) {
  var url = new URL((event.notification.data || {}).url || "/orders", self.location.origin).href;
  event.notification.close();
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (open) {
    for (var i = 0; i < open.length; i++) {
      if (open[i].url === url && "focus" in open[i]) return open[i].focus();
    }
    return self.clients.openWindow(url);
  }));
});
