// The workshop's template editor: a form over the template's JSON (the schema in
// domains/catalog/schemas.py), kept in step with the "Edit as JSON" textarea that is what the
// page submits, and a preview of the configurator and price from the preview API as one types.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var form = $("template-editor"), fields = $("template-fields"), json = form.elements.definition;

  // What the form edits of each part: [JSON field, label, input kind, hint or choices].
  // Kinds: text (left out when empty), number, lines (a list, one a line), colours, check, pick.
  var OPTION_KINDS = ["choice", "number", "boolean", "colour", "text"];
  var OPTION_FIELDS = {
    choice: [["choices", "Choices, one a line", "lines"], ["default", "Chosen at first"]],
    number: [["minimum", "Smallest", "number"], ["maximum", "Largest", "number"], ["step", "Step", "number"],
      ["unit", "Unit"], ["default", "At first", "number"]],
    boolean: [["default", "Ticked at first", "check"]],
    colour: [["colours", "Colours, one a line: name #rrggbb", "colours"], ["default", "Chosen at first"]],
    text: [["max_length", "Longest text", "number"], ["allowed", "Characters allowed"], ["default", "At first"]]
  };
  // What an option of each kind starts with when added or turned into that kind.
  var KIND_START = {
    choice: { choices: [] }, number: { minimum: 0, maximum: 10 }, boolean: {}, colour: { colours: [] },
    text: { max_length: 20, allowed: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .-" }
  };
  var WHEN = ["when", "Only when (empty: always)"];
  var SECTIONS = [
    { key: "options", title: "Options", item: "option",
      hint: "What the customer chooses. The name is what formulas call it.",
      fields: [["label", "Label the customer reads"], ["name", "Name in formulas"], ["kind", "Kind", "pick", OPTION_KINDS]],
      blank: { kind: "choice", name: "", label: "", choices: [] } },
    { key: "prices", title: "Price", item: "price line",
      hint: "A line without a condition is the base price; add a line per option that costs extra. Amounts in cents per piece.",
      fields: [["label", "Label"], ["amount", "Amount in cents (a number or formula)"], WHEN, ["id", "Id"]],
      blank: { id: "", label: "", amount: "" } },
    { key: "lead_times", title: "Lead time", item: "lead time line",
      hint: "Days from payment to shipping; the lines that apply add up (the factory's load can add more).",
      fields: [["label", "Label"], ["days", "Days (a number or formula)"], WHEN, ["id", "Id"]],
      blank: { id: "", label: "", days: "" } },
    { key: "rules", title: "Rules", item: "rule",
      hint: "What must hold between the options, and what the customer is told when it does not.",
      fields: [["message", "What the customer is told"], ["condition", "Condition that must hold"], WHEN,
        ["kind", "Kind", "pick", ["constraint", "requires", "excludes"]], ["id", "Id"]],
      blank: { id: "", condition: "", message: "" } },
    { key: "quantity_breaks", title: "Quantity discounts", item: "discount",
      fields: [["min_quantity", "From quantity", "number"], ["percent_off", "Percent off", "number"]],
      blank: { min_quantity: "", percent_off: "" } },
    { key: "routing", title: "Production steps", item: "step",
      hint: "In order; minutes usually multiply by quantity.",
      fields: [["name", "Step"], ["capability", "Machine capability"], ["minutes", "Minutes (a formula)"], WHEN, ["id", "Id"]],
      blank: { id: "", name: "", capability: "", minutes: "" } }
  ];
  var TOP = [["name", "Product name"], ["key", "Short name for links"], ["description", "Description", "area"],
    ["currency", "Currency (EUR when empty)"]];

  function copy(value) { return JSON.parse(JSON.stringify(value)); }

  var definition = null, choices = {}, timer = null, preview = 0;

  function slot(path, label) { // where the check's words about ``path`` go
    var error = document.createElement("small");
    error.className = "field-error";
    error.dataset.errorFor = path;
    if (label) error.dataset.label = label;
    error.hidden = true;
    return error;
  }

  function shownValue(value, kind) {
    if (value === undefined || value === null) return "";
    if (kind === "lines") return value.join("\n");
    if (kind === "colours") return value.map(function (c) { return c.name + " " + c.hex; }).join("\n");
    if (value === "True") return ""; // "always", the schema's default condition
    return String(value);
  }

  function field(spec, value, path) {
    var name = spec[0], kind = spec[2] || "text", label = document.createElement("label"), input;
    label.className = kind === "check" ? "inline-check" : "";
    if (kind === "pick") {
      input = document.createElement("select");
      spec[3].forEach(function (choice) { input.add(new Option(choice, choice, false, choice === value)); });
    } else if (kind === "lines" || kind === "colours" || kind === "area") {
      input = document.createElement("textarea");
      input.rows = kind === "area" ? 3 : 4;
      input.value = shownValue(value, kind);
    } else {
      input = document.createElement("input");
      if (kind === "check") { input.type = "checkbox"; input.checked = !!value; }
      else { input.value = shownValue(value, kind); if (kind === "number") input.inputMode = "decimal"; }
    }
    input.dataset.field = name;
    input.dataset.kind = kind;
    if (kind === "check") { label.append(input, " " + spec[1]); }
    else { label.append(spec[1], input); }
    var box = document.createElement("div");
    box.className = "field";
    box.append(label, slot(path ? path + "." + name : name, spec[1]));
    return box;
  }

  function row(section, item, index) {
    var path = section.key + "." + index, box = document.createElement("fieldset");
    box.className = "row";
    box.dataset.path = path;
    var legend = document.createElement("legend");
    legend.textContent = section.item.charAt(0).toUpperCase() + section.item.slice(1) + " " + (index + 1);
    box.append(legend, slot(path));
    var specs = section.fields.concat(section.key === "options" ? OPTION_FIELDS[item.kind] || [] : []);
    specs.forEach(function (spec) { box.append(field(spec, item[spec[0]], path)); });
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "secondary remove";
    remove.textContent = "Remove this " + section.item;
    remove.addEventListener("click", function () {
      definition[section.key].splice(index, 1);
      changed(true);
    });
    box.append(remove);
    return box;
  }

  function build() {
    fields.replaceChildren();
    var general = document.createElement("fieldset");
    general.className = "row";
    general.dataset.path = "";
    var legend = document.createElement("legend");
    legend.textContent = "Product";
    general.append(legend);
    TOP.forEach(function (spec) { general.append(field(spec, definition[spec[0]], "")); });
    fields.append(general);
    SECTIONS.forEach(function (section) {
      var part = document.createElement("section");
      part.className = "stack";
      part.dataset.section = section.key;
      var heading = document.createElement("h2");
      heading.textContent = section.title;
      part.append(heading);
      if (section.hint) {
        var hint = document.createElement("p");
        hint.className = "muted";
        hint.textContent = section.hint;
        part.append(hint);
      }
      part.append(slot(section.key));
      (definition[section.key] || []).forEach(function (item, index) { part.append(row(section, item, index)); });
      var add = document.createElement("button");
      add.type = "button";
      add.className = "secondary";
      add.textContent = (/^[aeiou]/.test(section.item) ? "Add an " : "Add a ") + section.item;
      add.addEventListener("click", function () {
        definition[section.key] = (definition[section.key] || []).concat([copy(section.blank)]);
        changed(true);
        var rows = part.querySelectorAll(".row");
        rows[rows.length - 1].querySelector("input, select, textarea").focus();
      });
      part.append(add);
      fields.append(part);
    });
  }

  // The value a field stands for; undefined leaves the field out (the schema's default applies).
  function read(input) {
    var kind = input.dataset.kind, text = input.value.trim();
    if (kind === "check") return input.checked;
    if (kind === "pick") return input.value;
    if (kind === "lines") return text ? text.split("\n").map(function (l) { return l.trim(); }).filter(Boolean) : [];
    if (kind === "colours") {
      return text ? text.split("\n").filter(function (l) { return l.trim(); }).map(function (l) {
        var parts = l.trim().split(/\s+/);
        return { name: parts.slice(0, -1).join(" ") || parts[0], hex: parts.length > 1 ? parts[parts.length - 1] : "" };
      }) : [];
    }
    if (text === "") return undefined;
    if (kind === "number") return isNaN(Number(text)) ? text : Number(text); // the check says why
    return input.value;
  }

  function collect(box, into) {
    box.querySelectorAll(":scope > .field [data-field]").forEach(function (input) {
      var value = read(input);
      if (value === undefined) delete into[input.dataset.field];
      else into[input.dataset.field] = value;
    });
    return into;
  }

  // The form into the definition (and the JSON textarea); a new kind of option rebuilds its fields.
  function fromForm() {
    collect(fields.querySelector('[data-path=""]'), definition);
    var rebuild = false;
    SECTIONS.forEach(function (section) {
      fields.querySelectorAll('[data-section="' + section.key + '"] > .row').forEach(function (box, index) {
        var before = definition[section.key][index], kind = before.kind;
        var item = collect(box, section.key === "options" ? { kind: kind } : {});
        if (section.key === "options" && item.kind !== kind) { // its own fields, from a fresh start
          item = Object.assign({ kind: item.kind, name: item.name, label: item.label }, copy(KIND_START[item.kind]));
          rebuild = true;
        }
        definition[section.key][index] = item;
      });
    });
    changed(rebuild);
  }

  function changed(rebuild) {
    json.value = JSON.stringify(definition, null, 2);
    if (rebuild) build();
    clearTimeout(timer);
    timer = setTimeout(update, 300);
  }

  // Errors from the check ({loc, msg}) beside their field, else beside their row or section;
  // returns them all in words, each with where it is shown (a long form hides the far ones).
  function showErrors(errors) {
    document.querySelectorAll(".field-error[data-error-for]").forEach(function (e) { e.hidden = true; e.textContent = ""; });
    var said = [];
    errors.forEach(function (error) {
      var loc = error.loc.filter(function (part) { return part !== "body" && part !== "definition"; });
      if (loc[0] === "options" && OPTION_KINDS.indexOf(loc[2]) >= 0) loc.splice(2, 1); // the kind tag
      var target = null;
      for (var n = loc.length; n > 0 && !target; n--) {
        target = fields.querySelector('[data-error-for="' + loc.slice(0, n).join(".") + '"]');
      }
      if (!target && loc.length === 1) target = rowNamed(loc[0]);
      if (!target) { said.push(sentence(loc.join(".") + " " + error.msg)); return; }
      var words = sentence(target.dataset.label ? target.dataset.label + " " + error.msg : error.msg);
      target.textContent = target.textContent ? target.textContent + " " + words : words;
      target.hidden = false;
      var row = target.closest("fieldset, section");
      var where = row && row.querySelector("legend, h2");
      said.push((where ? where.textContent + ": " : "") + words);
    });
    return said;
  }

  function sentence(text) { return text.charAt(0).toUpperCase() + text.slice(1).replace(/\.?$/, "."); }

  function rowNamed(name) { // a problem with one option, rule, price or step: its name or id
    var found = null;
    fields.querySelectorAll('.row [data-field="name"], .row [data-field="id"]').forEach(function (input) {
      if (!found && input.value.trim() === name) found = input.closest(".row").querySelector(":scope > .field-error");
    });
    return found;
  }

  function status(text) {
    $("preview-status").textContent = text || "";
    $("preview-status").hidden = !text;
  }

  function update() {
    var asked = ++preview;
    c2m.api("POST", "/api/v1/template-previews", { definition: definition, choices: choices })
      .then(function (reply) {
        if (asked !== preview) return;
        showErrors([]);
        paint(reply);
      })
      .catch(function (error) {
        if (asked !== preview) return;
        var errors = (error.problem && error.problem.errors) || [];
        var clash = errors.length && errors.every(function (e) { return e.type; }); // rules broken by choices
        if (clash && Object.keys(choices).length) { choices = {}; update(); return; } // the new rules forbid one
        var said = showErrors(errors);
        $("preview-price").textContent = "–";
        $("preview-lines").replaceChildren();
        $("preview-lead-time").textContent = "";
        status("The preview waits for the marked fields to be put right. " + (errors.length ? said : [error.message]).join(" "));
      });
  }

  function money(amount, currency) {
    return new Intl.NumberFormat("en-GB", { style: "currency", currency: currency }).format(amount / 100);
  }

  function paint(reply) {
    status("");
    var price = reply.price, currency = price ? price.currency : definition.currency || "EUR";
    $("preview-price").textContent = price ? money(price.unit_price, currency) + " each" : "–";
    $("preview-lines").replaceChildren.apply($("preview-lines"), (price ? price.lines : []).map(function (line) {
      var item = document.createElement("li");
      item.textContent = line.label + ": " + money(line.amount, currency);
      return item;
    }));
    $("preview-lead-time").textContent = reply.lead_time ? "Ships within " + reply.lead_time.days + " days of payment" : "";
    $("preview-picture").innerHTML = reply.configuration ? c2mDrawing(definition, reply.configuration) : "";
    var box = $("preview-options");
    box.replaceChildren();
    definition.options.forEach(function (option) { box.append(control(option, reply.configuration || {})); });
  }

  function control(option, configuration) {
    var label = document.createElement("label"), value = configuration[option.name], input;
    if (option.kind === "choice" || option.kind === "colour") {
      input = document.createElement("select");
      var names = option.kind === "choice" ? option.choices : option.colours.map(function (c) { return c.name; });
      names.forEach(function (name) { input.add(new Option(name, name, false, name === value)); });
    } else if (option.kind === "boolean") {
      input = document.createElement("input");
      input.type = "checkbox";
      input.checked = !!value;
    } else {
      input = document.createElement("input");
      input.value = value === undefined ? "" : value;
      if (option.kind === "number") { input.type = "number"; input.min = option.minimum; input.max = option.maximum; input.step = option.step || 1; }
    }
    input.addEventListener("change", function () {
      var chosen = option.kind === "boolean" ? input.checked : option.kind === "number" ? Number(input.value) : input.value;
      choices[option.name] = chosen;
      update();
    });
    if (option.kind === "boolean") label.append(input, " " + (option.label || option.name));
    else label.append(option.label || option.name, input);
    label.className = option.kind === "boolean" ? "inline-check" : "";
    return label;
  }

  function fromJson() {
    try {
      definition = JSON.parse(json.value);
    } catch (error) {
      $("json-error").textContent = "The JSON cannot be read (" + error.message + "); the form shows it again once it can.";
      $("json-error").hidden = false;
      fields.hidden = true;
      return false;
    }
    $("json-error").hidden = true;
    if (!definition || typeof definition !== "object" || Array.isArray(definition)) definition = {};
    SECTIONS.forEach(function (section) { if (!Array.isArray(definition[section.key])) definition[section.key] = []; });
    fields.hidden = false;
    choices = {};
    build();
    update();
    return true;
  }

  fields.addEventListener("input", fromForm);
  json.addEventListener("change", fromJson);
  $("template-preview").hidden = false;
  if (fromJson()) {
    $("template-json").open = false;
    showErrors(JSON.parse($("template-errors").textContent));
  }
})();
