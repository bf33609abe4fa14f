// The configurator page: every choice asks the server what is still possible and what it costs.
// Impossible values stay visible but disabled; tapping one says which rule rules it out.
// When a choice forces other options to change, a notice by that choice says what and why.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("configurator-data").textContent);
  var definition = data.definition;
  var choices = Object.assign({}, data.choices);
  var answer = null;
  var savedId = null;
  var pending = 0;
  var CHIP_LIMIT = 12; // more values than this: a number field instead of buttons
  var $ = function (id) { return document.getElementById(id); };

  function values(option) {
    if (option.kind === "boolean") return [true, false];
    if (option.kind === "choice") return option.choices;
    if (option.kind === "colour") return option.colours.map(function (c) { return c.name; });
    if (option.kind !== "number") return null;
    var count = Math.round((option.maximum - option.minimum) / option.step) + 1;
    if (count > CHIP_LIMIT) return null;
    var list = [];
    for (var i = 0; i < count; i++) list.push(+(option.minimum + i * option.step).toFixed(6));
    return list;
  }

  function shown(option, value) {
    if (value === true) return "Yes";
    if (value === false) return "No";
    return option.kind === "number" && option.unit ? value + " " + option.unit : String(value);
  }

  // Calls fn a quarter second after the last keystroke, so typing asks the server once.
  function debounced(fn) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, 250);
    };
  }

  function sentence(text) { return /[.!?]$/.test(text) ? text : text + "."; }

  function within(span, value) {
    if (typeof value === "number") return value >= span.first && value <= span.last;
    return value === span.first;
  }

  function build() {
    var box = $("options");
    definition.options.forEach(function (option) {
      var group = document.createElement("fieldset");
      group.className = "chips";
      group.dataset.option = option.name;
      var legend = document.createElement("legend");
      legend.textContent = option.label || option.name;
      group.appendChild(legend);
      var list = values(option);
      if (list) {
        list.forEach(function (value) {
          var chip = document.createElement("button");
          chip.type = "button";
          chip.className = "chip";
          chip.dataset.option = option.name;
          chip.dataset.value = JSON.stringify(value);
          if (option.kind === "colour") {
            var swatch = document.createElement("span");
            swatch.className = "swatch";
            swatch.style.background = option.colours.find(function (c) { return c.name === value; }).hex;
            chip.appendChild(swatch);
          }
          chip.appendChild(document.createTextNode(shown(option, value)));
          chip.addEventListener("click", function () {
            if (chip.getAttribute("aria-disabled") === "true") return explain(chip.dataset.reason);
            choose(option.name, value);
          });
          group.appendChild(chip);
        });
      } else {
        var input = document.createElement("input");
        input.id = "option-" + option.name;
        input.dataset.option = option.name;
        input.setAttribute("aria-label", option.label || option.name);
        if (option.kind === "number") {
          input.type = "number";
          input.min = option.minimum; input.max = option.maximum; input.step = option.step;
          input.inputMode = "decimal";
          input.addEventListener("change", function () {
            if (input.value !== "") choose(option.name, Number(input.value));
          });
        } else {
          input.maxLength = option.max_length;
          input.addEventListener("input", debounced(function () { choose(option.name, input.value); }));
        }
        group.appendChild(input);
      }
      var hint = document.createElement("small");
      hint.className = "hint";
      hint.id = "hint-" + option.name;
      group.appendChild(hint);
      var forced = document.createElement("p");
      forced.className = "notice forced";
      forced.id = "forced-" + option.name;
      forced.setAttribute("role", "status");
      forced.hidden = true;
      group.appendChild(forced);
      box.appendChild(group);
    });
  }

  function explain(text) {
    $("reason").textContent = text;
    $("reason").hidden = !text;
  }

  function choose(name, value) {
    choices[name] = value;
    explain("");
    update([name]);
  }

  function update(keep) {
    var ticket = ++pending;
    savedId = null;
    var body = {
      choices: choices, version: data.version, keep: keep || [],
      previous: answer ? answer.configuration : null,
      quantity: Math.max(1, Math.min(data.max_quantity, parseInt($("quantity").value, 10) || 1)),
    };
    return c2m.api("POST", "/api/v1/templates/" + data.template_id + "/configure", body).then(function (reply) {
      if (ticket !== pending) return; // a later choice is already on its way
      answer = reply;
      choices = reply.choices;
      paint(reply, keep || []);
    }).catch(function (error) { explain(error.message); });
  }

  function paint(reply, keep) {
    var config = reply.configuration || {};
    reply.options.forEach(function (state) {
      var option = definition.options.find(function (o) { return o.name === state.option; });
      var current = state.option in config ? config[state.option] : state.chosen;
      document.querySelectorAll('.chip[data-option="' + state.option + '"]').forEach(function (chip) {
        var value = JSON.parse(chip.dataset.value);
        var ban = state.excluded.find(function (span) { return within(span, value); });
        chip.setAttribute("aria-pressed", String(value === current));
        chip.setAttribute("aria-disabled", String(Boolean(ban)));
        chip.dataset.reason = ban ? sentence(ban.reason) : "";
      });
      var input = $("option-" + state.option);
      if (input && document.activeElement !== input && current !== undefined) input.value = current;
      var hint = "";
      if (option.kind === "number" && !values(option)) {
        hint = "Possible: " + state.allowed.map(function (s) {
          return s.first === s.last ? s.first : s.first + "–" + s.last;
        }).join(", ") + (option.unit ? " " + option.unit : "");
      } else if (option.kind === "text") {
        var longest = state.allowed.length ? state.allowed[state.allowed.length - 1].last : null;
        hint = "Up to " + (typeof longest === "number" ? longest : option.max_length) + " characters" +
          (state.excluded.length ? ". " + sentence(state.excluded[0].reason) : "");
      }
      $("hint-" + state.option).textContent = hint;
    });
    if (!reply.consistent) {
      explain("These choices do not go together. " + reply.conflict_reasons.map(sentence).join(" "));
    }
    var money = reply.price;
    var format = money && new Intl.NumberFormat("en-GB", { style: "currency", currency: money.currency });
    tell(reply, keep, format);
    $("price").textContent = money ? format.format(money.total / 100) : "—";
    $("unit").textContent = money && money.quantity > 1
      ? money.quantity + " × " + format.format(money.discounted_unit_price / 100) : "";
    $("lead-time").textContent = reply.lead_time
      ? "Ships within " + reply.lead_time.days + " days of payment" + why(reply.lead_time.lines) +
        " · made in " + reply.routing.length + " steps" : "";
    draw(config);
  }

  // " (12 of them because the factory is busy, 5 waiting for Sheet steel 0.8 mm)": the days the
  // live plan adds to the template's rules, and why.
  function why(lines) {
    var said = lines.filter(function (l) { return l.id === "plan" || l.id === "material"; })
      .map(function (l, i) {
        var reason = l.id === "plan" ? "because the factory is busy"
          : l.label.charAt(0).toLowerCase() + l.label.slice(1);
        return l.amount + (i ? " " : " of them ") + reason;
      });
    return said.length ? " (" + said.join(", ") + ")" : "";
  }

  // "An ice maker sits in the freezer door…: we changed Doors from 1 to 2 (+€219.00)", by the choice.
  function tell(reply, keep, format) {
    document.querySelectorAll(".forced").forEach(function (box) { box.hidden = true; });
    if (!reply.forced.length) return;
    var reasons = [];
    var moves = reply.forced.map(function (change) {
      change.reasons.forEach(function (r) {
        r = r.replace(/\.$/, "");
        if (reasons.indexOf(r) < 0) reasons.push(r);
      });
      var option = definition.options.find(function (o) { return o.name === change.option; });
      return change.label + " from " + shown(option, change.before) + " to " + shown(option, change.after);
    });
    var why = reasons.length ? reasons.join(". ") + ": we" : "To fit your choice we";
    var cost = reply.price_change ? " (" + (reply.price_change > 0 ? "+" : "−") +
      format.format(Math.abs(reply.price_change) / 100) + ")" : "";
    var text = why + " changed " + moves.join(" and ") + cost + ".";
    var box = keep.length && $("forced-" + keep[0]);
    if (!box) return explain(text);
    box.textContent = text;
    box.hidden = false;
  }

  // The template says which drawing shows the product (static/drawings.js draws it).
  function draw(config) {
    var figure = $("picture");
    var svg = Object.keys(config).length ? c2mDrawing(definition, config) : "";
    figure.hidden = !svg;
    figure.innerHTML = svg;
  }

  function status(text) { $("status").textContent = text; }

  function save() {
    if (savedId) return Promise.resolve(savedId);
    if (!answer || !answer.configuration) return Promise.reject(new Error("Choose a possible configuration first."));
    return c2m.api("POST", "/api/v1/designs", {
      template_id: data.template_id, version: answer.version, name: $("design-name").value || definition.name,
      configuration: answer.configuration, quantity: answer.quantity,
    }).then(function (design) { savedId = design.id; status("Saved as “" + design.name + "”."); return savedId; });
  }

  function failed(error) { status(error.message); }

  // A visitor's choices wait in this tab's sessionStorage while they log in: a URL would have to
  // fit the login form's 500-character "next", which a long template's choices need not.
  var KEPT = "c2m-configure:" + location.pathname;

  function logInFirst() {
    sessionStorage.setItem(KEPT, JSON.stringify({
      choices: choices, quantity: $("quantity").value, name: $("design-name").value,
    }));
    window.location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
  }

  function restore() {
    var kept = sessionStorage.getItem(KEPT);
    if (!kept) return;
    sessionStorage.removeItem(KEPT);
    kept = JSON.parse(kept);
    choices = Object.assign(choices, kept.choices);
    $("quantity").value = kept.quantity;
    $("design-name").value = kept.name;
    if (data.signed_in) status("Your choices are as you left them: save, share or order when ready.");
  }

  function wire() {
    $("quantity").addEventListener("input", debounced(function () { update([]); }));
    if (!data.signed_in) {
      ["save", "share", "order"].forEach(function (id) { $(id).addEventListener("click", logInFirst); });
      return;
    }
    $("save").addEventListener("click", function () { save().catch(failed); });
    $("share").addEventListener("click", function () {
      save().then(function (id) { return c2m.api("POST", "/api/v1/designs/" + id + "/share"); }).then(function (link) {
        var box = $("share-url");
        box.innerHTML = "";
        var a = document.createElement("a");
        a.href = link.url; a.textContent = link.url;
        box.append("Share this link: ", a);
        box.hidden = false;
      }).catch(failed);
    });
    $("order").addEventListener("click", function () {
      var button = $("order");
      button.disabled = true;
      var key = "design-" + Date.now() + "-" + Math.random().toString(36).slice(2);
      save().then(function (id) {
        return c2m.api("POST", "/api/v1/designs/" + id + "/order", null, { "Idempotency-Key": key });
      }).then(function (order) { window.location.href = "/orders/" + order.id; })
        .catch(function (error) { button.disabled = false; failed(error); });
    });
  }

  build();
  restore();
  wire();
  update([]);
})();
