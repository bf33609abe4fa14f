// Get a Quote: upload parts, see each one drawn and measured, price it live, order or ask a person.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("quote-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var parts = []; // {upload, card, quote, seq}

  var euros = new Intl.NumberFormat("en-GB", { style: "currency", currency: "EUR" });
  function money(cents) { return euros.format(cents / 100); }

  function say(text, isError) {
    $("status").textContent = text;
    $("status").className = isError ? "error" : "";
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function upload(files) {
    var list = Array.prototype.slice.call(files);
    if (list.length > data.max_files) {
      return say("Choose at most " + data.max_files + " files at a time.", true);
    }
    var big = list.filter(function (f) { return f.size > data.max_bytes; });
    if (big.length) return say(big[0].name + " is larger than the limit per file.", true);
    var form = new FormData();
    list.forEach(function (file) { form.append("files", file, file.name); });
    say("Uploading and measuring " + list.length + " part(s)…");
    c2m.api("POST", "/api/v1/uploads?enterprise_id=" + data.enterprise_id, form)
      .then(function (uploads) {
        uploads.forEach(addPart);
        say("");
      })
      .catch(function (error) { say(error.message, true); });
  }

  function option(select, value) {
    select.appendChild(el("option", { value: value }, value));
  }

  function addPart(up) {
    var part = { upload: up, quote: null, seq: 0 };
    var card = el("li", { class: "card part", "data-upload": up.id });
    part.card = card;
    card.appendChild(el("strong", {}, up.filename));
    if (up.status !== "analysed") {
      card.appendChild(el("p", { class: "error" }, "Cannot be read: " + up.refusal));
      $("parts").appendChild(card);
      parts.push(part);
      return;
    }
    var a = up.analysis;
    if (up.thumbnail_url) {
      card.appendChild(el("img", { src: up.thumbnail_url, alt: "Picture of " + up.filename, class: "thumb", width: "128", height: "128" }));
    }
    var size = a.size.map(function (s) { return s.toFixed(1); }).join(" × ") + " mm";
    var volume = a.volume === null ? "no closed volume" : (a.volume / 1000).toFixed(2) + " cm³";
    card.appendChild(el("p", { class: "dims" }, size + " · " + volume));
    if (a.needs_confirmation) card.appendChild(unitQuestion(part));
    var row = el("div", { class: "moves" });
    var process = el("select", { "aria-label": "Process" });
    Object.keys(data.materials).forEach(function (p) { option(process, p); });
    var material = el("select", { "aria-label": "Material" });
    var quantity = el("input", { type: "number", min: "1", max: "10000", value: "1", inputmode: "numeric", "aria-label": "Quantity", class: "qty" });
    function materials() {
      material.innerHTML = "";
      data.materials[process.value].forEach(function (m) { option(material, m); });
    }
    materials();
    process.addEventListener("change", function () { materials(); price(part); });
    material.addEventListener("change", function () { price(part); });
    quantity.addEventListener("input", function () { price(part); });
    [process, material, quantity].forEach(function (node) { row.appendChild(node); });
    card.appendChild(row);
    part.inputs = { process: process, material: material, quantity: quantity };
    card.appendChild(el("div", { class: "quote" }, "Pricing…"));
    $("parts").appendChild(card);
    parts.push(part);
    price(part);
  }

  function unitQuestion(part) {
    var a = part.upload.analysis;
    var box = el("div", { class: "notice stack" });
    box.appendChild(el("span", {}, "Units guessed as " + a.unit + ": " + a.units_reason + " Which unit was it drawn in?"));
    var unit = el("select", { "aria-label": "Unit of " + part.upload.filename });
    ["mm", "cm", "m", "in"].forEach(function (u) { option(unit, u); });
    unit.value = a.unit;
    var confirm = el("button", { type: "button", class: "secondary" }, "Measure again in this unit");
    confirm.addEventListener("click", function () {
      confirm.disabled = true;
      c2m.api("POST", "/api/v1/uploads/" + part.upload.id + "/unit", { unit: unit.value })
        .then(function (up) {
          parts.splice(parts.indexOf(part), 1);
          part.card.remove();
          addPart(up);
          totals();
        })
        .catch(function (error) { confirm.disabled = false; say(error.message, true); });
    });
    box.appendChild(unit);
    box.appendChild(confirm);
    return box;
  }

  function price(part) {
    var qty = parseInt(part.inputs.quantity.value, 10);
    var box = part.card.querySelector(".quote");
    if (!(qty >= 1 && qty <= 10000)) {
      box.textContent = "Choose a quantity between 1 and 10,000.";
      return;
    }
    var seq = ++part.seq;
    c2m.api("POST", "/api/v1/quotes", {
      upload_id: part.upload.id,
      process: part.inputs.process.value,
      material: part.inputs.material.value,
      quantity: qty,
    }).then(function (q) {
      if (seq !== part.seq) return; // a later change is already being priced
      part.quote = q;
      showQuote(box, q);
      totals();
    }).catch(function (error) { box.textContent = error.message; });
  }

  function showQuote(box, q) {
    box.innerHTML = "";
    q.findings.forEach(function (f) {
      box.appendChild(el("p", { class: f.severity === "info" ? "muted" : "notice", title: f.reason }, f.severity + ": " + f.message));
    });
    if (q.manual_review) {
      box.appendChild(el("p", { class: "error" }, "This part needs a person to look at it: send a request for quote below."));
      return;
    }
    box.appendChild(el("p", { class: "price" }, money(q.unit_price) + " each · " + money(q.total) + " for " + q.quantity));
    if (!q.tiers.length) {
      box.appendChild(el("p", { class: "notice" }, "No machine that can make this part is connected right now, so no ship date can be promised: send a request for quote below."));
      return;
    }
    var list = el("ul", { class: "tiers" });
    q.tiers.forEach(function (t) {
      list.appendChild(el("li", {}, t.tier + ": " + money(t.total) + ", ships " + t.ship_date));
    });
    box.appendChild(list);
  }

  function orderable() {
    return parts.filter(function (p) { return p.quote && !p.quote.manual_review && p.quote.tiers.length; });
  }

  function totals() {
    var ready = orderable();
    $("checkout").hidden = ready.length === 0;
    var tier = $("tier").value;
    var sum = 0;
    ready.forEach(function (p) {
      p.quote.tiers.forEach(function (t) { if (t.tier === tier) sum += t.total; });
    });
    $("total").textContent = money(sum);
  }

  $("files").addEventListener("change", function (event) { upload(event.target.files); event.target.value = ""; });
  $("drop").addEventListener("dragover", function (event) { event.preventDefault(); });
  $("drop").addEventListener("drop", function (event) { event.preventDefault(); upload(event.dataTransfer.files); });
  $("tier").addEventListener("change", totals);
  $("order").addEventListener("click", function () {
    var ids = orderable().map(function (p) { return p.quote.id; });
    $("order").disabled = true;
    c2m.api("POST", "/api/v1/quote-orders", { quote_ids: ids, tier: $("tier").value })
      .then(function (order) { window.location.href = "/orders/" + order.id; })
      .catch(function (error) { $("order").disabled = false; say(error.message, true); });
  });
  $("rfq").addEventListener("click", function () {
    var ids = parts.map(function (p) { return p.upload.id; });
    if (!ids.length) return say("Upload the parts first, then send them with your message.", true);
    c2m.api("POST", "/api/v1/rfqs", { enterprise_id: data.enterprise_id, upload_ids: ids, message: $("rfq-message").value })
      .then(function () { say("Sent. The answer will appear in My requests."); $("rfq-message").value = ""; })
      .catch(function (error) { say(error.message, true); });
  });
})();
